"""`approve_destruction ID --actor EMAIL`: the second person approves; the record is destroyed at once."""

from destruction.commands import PrivacyCommand, numbered_destruction
from destruction.services import approve_destruction


class Command(PrivacyCommand):
    help = "Approve a requested destruction (not your own) and destroy the record; prints the certificate's figures."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("destruction", type=int, help="The destruction's number.")

    def run(self, *, actor, destruction, **options):
        found = numbered_destruction(destruction)
        done = approve_destruction(actor=actor, destruction=found)
        self.stdout.write(f"Destruction #{done.pk} done: {done.total_rows} rows in {len(done.counts)} tables.")
        for table, rows in sorted(done.counts.items()):
            self.stdout.write(f"  {table:<45} {rows}")
        self.stdout.write(
            f"Backups holding it expire on {done.backups_expire_on}. Certificate: destruction_certificate {done.pk}"
        )
