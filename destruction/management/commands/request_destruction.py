"""`request_destruction --actor EMAIL --student LOCAL_ID --reason TEXT`: ask to destroy one student's record."""

from destruction.commands import PrivacyCommand
from destruction.services import request_student_destruction, student_by_local_id


class Command(PrivacyCommand):
    help = "Ask for one student's record to be destroyed; another privacy officer approves it (approve_destruction)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--student", required=True, metavar="LOCAL_ID", help="The student's SIS local id.")
        parser.add_argument("--reason", required=True, help="Who asked, and under which rule.")

    def run(self, *, actor, student, reason, **options):
        destruction = request_student_destruction(actor=actor, student=student_by_local_id(student), reason=reason)
        self.stdout.write(
            f"Destruction #{destruction.pk} requested; another privacy officer approves it with "
            f"approve_destruction {destruction.pk}."
        )
