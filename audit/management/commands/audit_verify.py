"""Check the audit tables' hash chains: prints OK with row counts and head hashes, or the first bad row."""

from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify
from insights.database import job_timeouts


class Command(BaseCommand):
    help = "Verify the audit log's hash chains; exits non-zero at the first row that was altered or deleted."

    @job_timeouts()
    def handle(self, *args, **options):
        checks = verify()
        for check in checks:
            if check.problem is not None:
                raise CommandError(f"{check.table}: {check.problem}")
        for check in checks:
            self.stdout.write(f"OK {check.table}: {check.rows} rows, head {check.head}")
