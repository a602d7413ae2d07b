"""Print the breach-scope report (students exposed by an account and/or IP range in a window) as CSV."""

from audit.commands import ReportCommand
from audit.forms import BreachScopeForm


class Command(ReportCommand):
    help = "Every student an account and/or IP range was shown in a time window, with counts per educator, as CSV."
    form_class = BreachScopeForm
