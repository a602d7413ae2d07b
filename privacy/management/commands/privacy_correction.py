"""Log a family's request to correct a record:
`manage.py privacy_correction --actor ME@district --student LOCAL_ID_OR_NAME --requester-name "Rosa Alvarez"
--relationship parent --received-on DAY --target note|service|sis [--target-id N] --disputed "In their words"`.

Decide it afterwards with privacy_correction_decide. The request and its audit event are written together.
"""

from privacy.commands import StudentCommand
from privacy.corrections import correction_open
from privacy.forms import CorrectionFieldsForm


class Command(StudentCommand):
    help = "Log a family's request to correct part of a student's record (a note, a service, or SIS data)."
    form_class = CorrectionFieldsForm

    def handle_student(self, *, actor, subject, student, fields, options) -> str:
        correction = correction_open(actor=actor, student=student, **fields)
        return (
            f"{correction} logged for {subject.label}. "
            f"Decide it with: manage.py privacy_correction_decide --request {correction.pk} ..."
        )
