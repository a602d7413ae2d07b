"""Print the students an SIS local id, state id or name identifies, as CSV: the privacy officer's lookup."""

from audit.commands import ReportCommand
from audit.forms import StudentLookupForm


class Command(ReportCommand):
    help = "The students matching an SIS local id, state id or name, as CSV (recorded like any report)."
    form_class = StudentLookupForm
