"""Check the audit tables' hash chains against every checkpoint: prints OK per table, or the first problem."""

import sys

from django.core.management.base import BaseCommand, CommandError

from audit.checkpoints import pasted_marks, stored_marks
from audit.verify import verify
from insights.database import job_timeouts


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chains and that they still reach every checkpoint (those in the database and "
        "any pasted from mail or logs); exits non-zero at the first row altered or deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="LINE",
            help="An audit-checkpoint line from a checkpoint mail or the log drain (repeatable).",
        )
        parser.add_argument(
            "--checkpoints-file",
            metavar="PATH",
            help="A file holding audit-checkpoint lines, e.g. saved mails or a log export; '-' reads standard input.",
        )

    def _pasted_text(self, options) -> str:
        texts = list(options["checkpoint"])
        path = options["checkpoints_file"]
        if path == "-":
            texts.append(sys.stdin.read())
        elif path:
            try:
                with open(path, encoding="utf-8", errors="replace") as file:
                    texts.append(file.read())
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        return "\n".join(texts)

    @job_timeouts()
    def handle(self, *args, **options):
        text = self._pasted_text(options)
        try:
            pasted = pasted_marks(text)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if text.strip() and not pasted:
            raise CommandError("No audit-checkpoint line was found in what was given.")
        checks = verify([*stored_marks(), *pasted])
        for check in checks:
            if check.problem is not None:
                raise CommandError(f"{check.table}: {check.problem}")
        for check in checks:
            self.stdout.write(
                f"OK {check.table}: {check.rows} rows, head {check.head}, reaches {check.checkpoints} checkpoint(s)"
            )
