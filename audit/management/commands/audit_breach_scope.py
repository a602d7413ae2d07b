"""Print the breach-scope report (students exposed by an account and/or IP range in a window) as CSV."""

from audit.commands import ReportCommand
from audit.forms import BreachScopeForm


class Command(ReportCommand):
    help = "Every student an account and/or IP range was shown in a time window, with counts per educator, as CSV."
    form_class = BreachScopeForm

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--account", metavar="EMAIL", help="The email of the account that was misused.")
        parser.add_argument("--network", metavar="CIDR", help="An IP address or range, e.g. 203.0.113.0/24.")
        parser.add_argument("--since", required=True, metavar="YYYY-MM-DD", help="First day of the window.")
        parser.add_argument("--until", required=True, metavar="YYYY-MM-DD", help="Last day of the window, included.")
