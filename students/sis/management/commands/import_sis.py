"""`python manage.py import_sis PATH --actor EMAIL [--dry-run]`: import an Insights or OneRoster CSV package now.

PATH is a folder of CSV files or a zip. The run is recorded like an upload from the admin (its
history, row errors and audit event). On a terminal a progress bar is redrawn in place; into a
file or a pipe (a log, cron's mail) each stage is one plain line instead. The system checks are
left to the release phase.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from educators.models import Educator
from insights.database import job_timeouts
from students.sis.models import ImportRun
from students.sis.receive import receive_path
from students.sis.runs import check_importer, run_import

BAR_WIDTH = 30


def importer_from_option(email: str) -> Educator:
    """The educator ``--actor EMAIL`` names, refused with a clear message unless they may run imports."""
    educator = Educator.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if educator is None:
        raise CommandError("--actor must be the email of an active educator.")
    try:
        check_importer(educator)
    except PermissionDenied as refused:
        raise CommandError(str(refused)) from None
    return educator


class Command(BaseCommand):
    help = "Import an Insights or OneRoster bulk CSV package (a folder or a zip) from the district's SIS."
    # The system checks are the release phase's (migrate runs them all) and `check --deploy`'s: run before
    # each nightly import they cost more than a second, most of it loading WeasyPrint, which an import never
    # uses. What the import needs is refused by the import itself: a bad key when it encrypts, a OneRoster
    # setting it cannot read when the package is read.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="A folder of CSV files, or a zip of them.")
        parser.add_argument("--actor", required=True, metavar="EMAIL", help="The educator running the import.")
        parser.add_argument("--dry-run", action="store_true", help="Check and show what would change; change nothing.")

    def _draw_bar(self, label: str, done: int, total: int) -> None:
        share = min(done / total, 1) if total else 0
        filled = int(BAR_WIDTH * share)
        line = f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%} {label[:40]:<40}"
        self.stdout.write(line, ending="")
        self.stdout.flush()

    def _stage_line(self, label: str, done: int, total: int) -> None:
        if label != self._last_stage:
            self._last_stage = label
            self.stdout.write(f"{label} ({min(done / total, 1) if total else 0:.0%} read)")

    def _import(self, run: ImportRun, educator: Educator) -> ImportRun:
        on_terminal = self.stdout.isatty()
        self._last_stage = None
        run = run_import(run, actor=educator, on_progress=self._draw_bar if on_terminal else self._stage_line)
        if on_terminal:
            self._draw_bar("finished", 1, 1)
            self.stdout.write("")
        return run

    @job_timeouts()
    def handle(self, *args, path, actor, dry_run, **options):
        educator = importer_from_option(actor)
        run = receive_path(path, triggered_by=educator, dry_run=dry_run, source="command")
        if run.status == ImportRun.Status.RECEIVED:
            run = self._import(run, educator)
        self.report(run)
        if run.status == ImportRun.Status.FAILED:
            raise CommandError(f"Import run #{run.pk} failed: {run.error}")

    def report(self, run: ImportRun) -> None:
        self.stdout.write(f"Import run #{run.pk}: {run.get_status_display()}")
        for warning in run.warnings:
            self.stdout.write(f"  warning: {warning}")
        for label, counts in run.counts.items():
            figures = ", ".join(f"{name} {value:,}" for name, value in counts.items())
            self.stdout.write(f"  {label:<30} {figures}")
        for guard in run.guard_results:
            if guard["tripped"]:
                self.stdout.write(f"  held: {guard['message']}")
        for vocabulary, codes in run.unmapped_codes.get("codes", {}).items():
            found = ", ".join(f"{code} ({rows:,} rows)" for code, rows in codes.items())
            self.stdout.write(f"  unmapped {vocabulary}: {found}")
        if run.row_error_count:
            self.stdout.write(f"  {run.row_error_count:,} row errors (see the import history in the admin)")
        if run.stage_timings:
            self.stdout.write("  timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in run.stage_timings.items()))
