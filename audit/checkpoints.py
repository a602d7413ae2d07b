"""Checkpoints: each chained table's row count, first and last row and head hash, sent out of the database.

Whoever holds the app's database credentials owns the audit tables: they can drop the triggers,
delete the newest rows, or delete any rows and recompute every hash after them, and nothing
inside the database can stop that. What they cannot reach are copies kept elsewhere. On a
schedule, ``audit_checkpoint`` verifies the chains, appends one Checkpoint row per table, writes
the same facts as one log line per table to the log stream (logger ``audit.checkpoints``) and
mails them to every holder of the audit permission. ``audit_verify`` fails when a chain no longer
reaches a checkpoint, whether read from the table or pasted from the mail or the log drain.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from audit.checkpoint_lines import Mark, format_line, parse_lines
from audit.models import CHAINED_MODELS, Checkpoint
from audit.readers import audit_readers
from audit.verify import verify

logger = logging.getLogger("audit.checkpoints")

KNOWN_TABLES = frozenset(model._meta.db_table for model in CHAINED_MODELS)


class ChainBroken(Exception):
    """The chains do not verify: a checkpoint now would vouch for a tampered log."""


def _mark(checkpoint: Checkpoint) -> Mark:
    return Mark(
        table=checkpoint.table,
        row_count=checkpoint.row_count,
        first_id=checkpoint.first_id,
        last_id=checkpoint.last_id,
        head_hash=checkpoint.head_hash,
        head_occurred_at=checkpoint.head_occurred_at,
        taken_at=checkpoint.occurred_at,
    )


def stored_marks() -> list[Mark]:
    """Every checkpoint kept in the database."""
    return [_mark(checkpoint) for checkpoint in Checkpoint.objects.order_by("id")]


def pasted_marks(text: str) -> list[Mark]:
    """The checkpoints in text pasted from mail or the log drain; ValueError names a line that cannot be used."""
    marks = parse_lines(text)
    for mark in marks:
        if mark.table not in KNOWN_TABLES:
            raise ValueError(f"a checkpoint names {mark.table}, which is not an audit table")
    return marks


def take_checkpoints() -> list[Mark]:
    """Verify every chain against the kept checkpoints, then append and log a new checkpoint per table."""
    checks = verify(stored_marks())
    for check in checks:
        if check.problem is not None:
            raise ChainBroken(f"{check.table}: {check.problem}")
    now = timezone.now()
    with transaction.atomic():
        checkpoints = Checkpoint.objects.bulk_create(
            Checkpoint(
                occurred_at=now,
                table=check.table,
                row_count=check.rows,
                first_id=check.first_id,
                last_id=check.last_id,
                head_hash=check.head,
                head_occurred_at=check.head_occurred_at,
            )
            for check in checks
        )
    marks = [_mark(checkpoint) for checkpoint in checkpoints]
    for mark in marks:
        logger.info(format_line(mark))
    return marks


def mail_checkpoints(marks: list[Mark]) -> int:
    """Mail the checkpoint lines to every holder of the audit permission; returns how many were mailed."""
    recipients = sorted(audit_readers().values_list("email", flat=True))
    if recipients:
        lines = "\n".join(format_line(mark) for mark in marks)
        body = (
            f"The audit log of {settings.DISTRICT_NAME} verified intact, up to these checkpoints:\n\n{lines}\n\n"
            "Keep this message. If the log is ever in doubt, paste these lines into\n"
            "`manage.py audit_verify --checkpoints-file -`: it fails if rows up to them were deleted or rewritten.\n"
        )
        send_mail("[Insights] Audit log checkpoint", body, None, recipients)
    return len(recipients)
