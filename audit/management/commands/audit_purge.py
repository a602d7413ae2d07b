"""Delete audit rows older than AUDIT_RETENTION_DAYS: the only deletion the database allows. Run daily."""

from django.conf import settings
from django.core.management.base import BaseCommand

from audit.retention import purge
from insights.database import job_timeouts


class Command(BaseCommand):
    help = "Delete audit rows older than AUDIT_RETENTION_DAYS (recorded as an audit event itself)."

    @job_timeouts()
    def handle(self, *args, **options):
        purged = purge()
        deleted = sum(table["deleted"] for table in purged.values())
        self.stdout.write(f"Deleted {deleted} audit rows older than {settings.AUDIT_RETENTION_DAYS} days.")
