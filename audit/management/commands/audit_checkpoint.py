"""Verify the audit log, then checkpoint it: kept in the database, logged, and mailed to the auditors. Run daily."""

from django.core.management.base import BaseCommand, CommandError

from audit.checkpoint_lines import format_line
from audit.checkpoints import ChainBroken, mail_checkpoints, take_checkpoints


class Command(BaseCommand):
    help = (
        "Verify the audit hash chains; if intact, record each table's row count, last id and head hash in the "
        "checkpoint table, the log stream and a mail to every holder of the audit permission."
    )

    def handle(self, *args, **options):
        try:
            marks = take_checkpoints()
        except ChainBroken as broken:
            raise CommandError(f"No checkpoint taken: the audit log does not verify. {broken}") from None
        for mark in marks:
            self.stdout.write(format_line(mark))
        try:
            mailed = mail_checkpoints(marks)
        except OSError as error:
            raise CommandError(f"Checkpoints kept and logged, but they could not be mailed: {error}") from None
        if not mailed:
            raise CommandError("Checkpoints kept and logged, but nobody holds the audit permission to mail them to.")
        self.stdout.write(f"Mailed to {mailed} holder(s) of the audit permission.")
