"""`legal_hold --actor EMAIL --student LOCAL_ID (--reason TEXT | --lift)`: place or lift a legal hold on a record."""

from destruction.commands import PrivacyCommand
from destruction.models import LegalHold
from destruction.services import lift_legal_hold, place_legal_hold, student_by_local_id


class Command(PrivacyCommand):
    help = "Place a legal hold on a student's record (no destruction while it stands), or lift it."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--student", required=True, metavar="LOCAL_ID", help="The student's SIS local id.")
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--reason", help="The matter the hold is for.")
        action.add_argument("--lift", action="store_true", help="Lift the standing holds on the record.")

    def run(self, *, actor, student, reason, lift, **options):
        found = student_by_local_id(student)
        if not lift:
            hold = place_legal_hold(actor=actor, student=found, reason=reason)
            self.stdout.write(f"Legal hold #{hold.pk} placed.")
            return
        holds = list(LegalHold.objects.filter(student=found, lifted_at=None))
        if not holds:
            raise ValueError("The record has no standing legal hold.")
        for hold in holds:
            lift_legal_hold(actor=actor, hold=hold)
            self.stdout.write(f"Legal hold #{hold.pk} lifted.")
