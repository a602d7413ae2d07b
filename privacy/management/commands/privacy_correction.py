"""Log a family's request to correct a record:
`manage.py privacy_correction --actor ME@district --student LOCAL_ID_OR_NAME --requester-name "Rosa Alvarez"
--relationship parent --received-on DAY --target note|service|sis [--target-id N] --disputed "In their words"`.

Decide it afterwards with privacy_correction_decide. The request and its audit event are written together.
"""

from django.core.exceptions import ValidationError

from privacy.commands import STUDENT_HELP, PrivacyCommand, refused, student_named
from privacy.corrections import correction_open
from privacy.forms import CorrectionFieldsForm


class Command(PrivacyCommand):
    help = "Log a family's request to correct part of a student's record (a note, a service, or SIS data)."
    form_class = CorrectionFieldsForm

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--student", required=True, help=STUDENT_HELP)

    def handle_recorded(self, *args, actor, student, **options):
        subject, found = student_named(student)
        fields = self.valid_form(options).cleaned_data
        try:
            correction = correction_open(actor=actor, student=found, **fields)
        except ValidationError as error:
            raise refused(error) from None
        self.stdout.write(
            f"{correction} logged for {subject.label}. "
            f"Decide it with: manage.py privacy_correction_decide --request {correction.pk} ..."
        )
