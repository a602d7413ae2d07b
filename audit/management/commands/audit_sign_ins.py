"""Print the sign-in activity report (successes and failures per identity and day) as CSV."""

from audit.commands import ReportCommand
from audit.forms import SignInActivityForm


class Command(ReportCommand):
    help = "Successful and failed sign-ins per identity and day, as CSV."
    form_class = SignInActivityForm
