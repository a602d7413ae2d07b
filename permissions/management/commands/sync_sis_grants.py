"""Re-derive homeroom-teacher and section-teacher grants from the SIS assignments. Run nightly, after the import.

Hand-made grants are never touched; each grant added or removed is recorded in the audit log.
"""

from django.core.management.base import BaseCommand

from insights.database import job_timeouts
from permissions.sync import sync_sis_grants


class Command(BaseCommand):
    help = "Make the SIS-derived homeroom and section grants match the teaching assignments."

    @job_timeouts()
    def handle(self, *args, **options):
        result = sync_sis_grants()
        self.stdout.write(f"SIS grants: {result.added} added, {result.removed} removed.")
