from django.apps import AppConfig
from django.core.checks import Tags, register


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self):
        from insights.checks import check_field_encryption_keys, check_production_email

        register(check_field_encryption_keys, Tags.security)
        register(check_production_email, Tags.security)
