from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Tags, register
from django.db.backends.signals import connection_created


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self):
        from insights import prepared_statements
        from insights.checks import check_field_encryption_keys, check_pdf_libraries, check_production_email
        from insights.database import apply_job_limits_to_new_connection

        register(check_field_encryption_keys, Tags.security)
        register(check_production_email, Tags.security)
        register(check_pdf_libraries)
        connection_created.connect(apply_job_limits_to_new_connection, dispatch_uid="insights.job_timeouts")
        if settings.DATABASE_PREPARED_STATEMENTS:
            connection_created.connect(prepared_statements.install, dispatch_uid="insights.prepared_statements")
