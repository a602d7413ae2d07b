"""Print the weekly usage report (active educators per ISO week and school) as CSV."""

from audit.commands import ReportCommand
from audit.forms import WeeklyUsageForm


class Command(ReportCommand):
    help = "Distinct active educators per ISO week and school, as CSV (aggregate only)."
    form_class = WeeklyUsageForm

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--since", required=True, metavar="YYYY-MM-DD", help="First day.")
        parser.add_argument("--until", required=True, metavar="YYYY-MM-DD", help="Last day, included.")
