"""Print the weekly usage report (active educators per ISO week and school) as CSV."""

from audit.commands import ReportCommand
from students.audit_reports import WeeklyUsageForm


class Command(ReportCommand):
    help = "Distinct active educators per ISO week and school, as CSV (aggregate only)."
    form_class = WeeklyUsageForm
