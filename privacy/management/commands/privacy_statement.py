"""File a family's statement of disagreement:
`manage.py privacy_statement --actor ME@district --student LOCAL_ID_OR_NAME --filed-by "Rosa Alvarez"
--filed-on DAY --text "..." [--correction N]`.

The statement stays with the student's record for as long as it is kept and goes with every later
export of it; it is never edited or deleted. It and its audit event are written together.
"""

from django.core.exceptions import ValidationError

from privacy.commands import STUDENT_HELP, PrivacyCommand, refused, student_named
from privacy.corrections import statement_file
from privacy.forms import StatementFieldsForm


class Command(PrivacyCommand):
    help = "Attach a family's statement of disagreement to a student's record."
    form_class = StatementFieldsForm

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--student", required=True, help=STUDENT_HELP)

    def handle_recorded(self, *args, actor, student, **options):
        subject, found = student_named(student)
        fields = self.valid_form(options).cleaned_data
        try:
            statement = statement_file(actor=actor, student=found, **fields)
        except ValidationError as error:
            raise refused(error) from None
        self.stdout.write(f"{statement} filed with the record of {subject.label}.")
