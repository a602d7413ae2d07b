"""`lift_tombstone --actor EMAIL --student LOCAL_ID --reason TEXT`: let the import re-create a destroyed student."""

from destruction.commands import PrivacyCommand
from destruction.models import Tombstone
from destruction.tombstones import lift_tombstone, local_id_hash


class Command(PrivacyCommand):
    help = "Lift the tombstone of a destroyed student so the next SIS import may re-create them (recorded)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--student", required=True, metavar="LOCAL_ID", help="The destroyed student's SIS local id."
        )
        parser.add_argument("--reason", required=True, help="Why (re-enrolled, destroyed by mistake).")

    def run(self, *, actor, student, reason, **options):
        tombstone = Tombstone.objects.filter(local_id_hash=local_id_hash(student), lifted_at=None).first()
        if tombstone is None:
            raise ValueError("No standing tombstone has that SIS local id.")
        lift_tombstone(tombstone, actor=actor, reason=reason)
        self.stdout.write(f"Tombstone #{tombstone.pk} lifted; the next import may re-create the student.")
