"""The one-line text form of a checkpoint, as written to the log stream and mailed to auditors.

``audit-checkpoint table=audit_accessevent rows=1204 first=1 last=1204 head=<sha256>
head_at=<ISO time> at=<ISO time>``: counts, ids, hashes and times only, never student data.
An operator pastes such lines (from mail or the log drain, prefixes and all) into audit_verify.
This module imports no models, so the logging configuration can load its filter at start-up.
"""

import datetime
import re
from dataclasses import dataclass

from insights.scrubbing import ScrubbingFilter

PREFIX = "audit-checkpoint"
_ID = r"\d+|-"
LINE = re.compile(
    PREFIX + rf" table=(?P<table>[a-z_]+) rows=(?P<rows>\d+) first=(?P<first>{_ID}) last=(?P<last>{_ID})"
    r" head=(?P<head>[0-9a-f]{64}) head_at=(?P<head_at>\d\S*|-) at=(?P<at>\d\S*)"
)


@dataclass(frozen=True)
class Mark:
    """What a checkpoint says about one table, wherever it was read from."""

    table: str
    row_count: int
    first_id: int | None
    last_id: int | None
    head_hash: str
    head_occurred_at: datetime.datetime | None
    taken_at: datetime.datetime


def _id_text(value: int | None) -> str:
    return "-" if value is None else str(value)


def _time_text(value: datetime.datetime | None) -> str:
    return "-" if value is None else value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def format_line(mark: Mark) -> str:
    return (
        f"{PREFIX} table={mark.table} rows={mark.row_count} first={_id_text(mark.first_id)}"
        f" last={_id_text(mark.last_id)} head={mark.head_hash} head_at={_time_text(mark.head_occurred_at)}"
        f" at={_time_text(mark.taken_at)}"
    )


def _time(text: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a checkpoint time must carry its offset")
    return moment


def parse_lines(text: str) -> list[Mark]:
    """Every checkpoint in pasted text; lines without ``audit-checkpoint`` are ignored, a garbled one is an error."""
    marks = []
    for number, line in enumerate(text.splitlines(), start=1):
        if PREFIX not in line:
            continue
        match = LINE.search(line)
        try:
            if match is None:
                raise ValueError("it does not have the checkpoint form")
            mark = Mark(
                table=match["table"],
                row_count=int(match["rows"]),
                first_id=None if match["first"] == "-" else int(match["first"]),
                last_id=None if match["last"] == "-" else int(match["last"]),
                head_hash=match["head"],
                head_occurred_at=None if match["head_at"] == "-" else _time(match["head_at"]),
                taken_at=_time(match["at"]),
            )
        except ValueError as error:
            raise ValueError(f"checkpoint line {number} cannot be read: {error}") from None
        marks.append(mark)
    return marks


class CheckpointLineFilter(ScrubbingFilter):
    """For the checkpoint logger's handler: a well-formed checkpoint line goes out exactly as it is.

    The scrubber would turn its long ids and hashes into "[number]"; the line's form admits only
    digits, hex, table names and times, so it cannot carry student data. Anything else logged
    there is scrubbed like every other log line.
    """

    def filter(self, record) -> bool:
        if not record.args and isinstance(record.msg, str) and LINE.fullmatch(record.msg):
            return True
        return super().filter(record)
