"""`retention_sweep --actor EMAIL [--dry-run]`: apply the retention rules now (the queue runs it daily)."""

from destruction.commands import PrivacyCommand
from destruction.retention import sweep


class Command(PrivacyCommand):
    help = (
        "List (--dry-run) or destroy what the retention rules say is due: old records, import files, sign-in addresses."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="List what is due; destroy nothing.")

    def run(self, *, actor, dry_run, **options):
        record = sweep(actor=actor, dry_run=dry_run)
        found = record.found
        verb = "would be destroyed" if dry_run else "destroyed"
        self.stdout.write(f"Retention sweep #{record.pk} ({'dry run' if dry_run else 'applied'}):")
        self.stdout.write(f"  students {verb}: {len(found['students'])}")
        for student_id in found["students"]:
            self.stdout.write(f"    student #{student_id}")
        for student_id, why in found["held_back"].items():
            self.stdout.write(f"  held back: student #{student_id}: {why}")
        self.stdout.write(f"  import runs whose files and row errors {verb}: {len(found['import_runs'])}")
        self.stdout.write(f"  sign-in sessions (with their IP addresses) {verb}: {found['sign_in_sessions']}")
        if record.destruction_id:
            self.stdout.write(f"  certificate: destruction_certificate {record.destruction_id}")
