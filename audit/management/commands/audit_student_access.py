"""Print the student access report (who saw one student's data, when, what) as CSV."""

from audit.commands import ReportCommand
from audit.forms import StudentAccessForm


class Command(ReportCommand):
    help = "Every recorded access to one student's data, as CSV (a family's request); --student: SIS local id or name."
    form_class = StudentAccessForm
