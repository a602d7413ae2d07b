"""Print the student access report (who saw one student's data, when, what) as CSV."""

from audit.commands import ReportCommand
from audit.forms import StudentAccessForm


class Command(ReportCommand):
    help = "Every recorded access to one student's data, as CSV (a family's request)."
    form_class = StudentAccessForm

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--student", required=True, help="The student's id in Insights.")
