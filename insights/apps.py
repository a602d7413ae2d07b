from django.apps import AppConfig
from django.core.checks import Tags, register


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self):
        from insights.checks import check_field_encryption_keys

        register(check_field_encryption_keys, Tags.security)
