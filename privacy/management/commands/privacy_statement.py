"""File a family's statement of disagreement:
`manage.py privacy_statement --actor ME@district --student LOCAL_ID_OR_NAME --filed-by "Rosa Alvarez"
--filed-on DAY --text "..." [--correction N]`.

The statement stays with the student's record for as long as it is kept and goes with every later
export of it; it is never edited or deleted. It and its audit event are written together.
"""

from privacy.commands import StudentCommand
from privacy.corrections import statement_file
from privacy.forms import StatementFieldsForm


class Command(StudentCommand):
    help = "Attach a family's statement of disagreement to a student's record."
    form_class = StatementFieldsForm

    def handle_student(self, *, actor, subject, student, fields, options) -> str:
        statement = statement_file(actor=actor, student=student, **fields)
        return f"{statement} filed with the record of {subject.label}."
