"""`exit_export --actor EMAIL [--include-restricted] [--wait]`: queue the district's exit export (a zip)."""

import sys

from django.conf import settings

from destruction.commands import PrivacyCommand
from destruction.exits import request_exit_export, run_exit_export
from privacy.downloads import download_path

BAR_WIDTH = 30


class Command(PrivacyCommand):
    help = "Export all the district's data as a zip; the requester gets a one-time download link."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--include-restricted", action="store_true", help="Include restricted note text.")
        parser.add_argument("--wait", action="store_true", help="Run it here (with a progress bar), not on the queue.")

    def _progress(self, label: str, done: int, total: int) -> None:
        share = min(done / total, 1) if total else 0
        filled = int(BAR_WIDTH * share)
        self.stdout.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%} {label[:40]:<40}", ending="")
        self.stdout.flush()

    def run(self, *, actor, include_restricted, wait, **options):
        export = request_exit_export(actor=actor, include_restricted=include_restricted, queue=not wait)
        if not wait:
            self.stdout.write(f"Exit export #{export.pk} queued; its download link appears in the admin when done.")
            return
        link = run_exit_export(export, on_progress=self._progress if sys.stdout.isatty() else None)
        self.stdout.write("")
        self.stdout.write(
            f"Exit export #{export.pk} done. One-time download link (24 hours, for you only): "
            f"{settings.SITE_URL}{download_path(link)}"
        )
