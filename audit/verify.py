"""Checking the audit tables' hash chains: every row intact, none missing, reaching every checkpoint.

A table's chain starts at GENESIS, or after a purge at the row the purge said it kept. Walking
the rows in id order, each must hash to its row_hash (else it was altered) and its prev_hash must
be the previous row's row_hash (else a row between them was deleted, or the chain was rewritten).

A consistent chain can still be a shorter or a rewritten one: whoever owns the tables can delete
the newest rows, or delete any rows and recompute every hash after them. Checkpoints
(audit/checkpoints.py) catch both: the row a checkpoint names as its head must still be in the
chain with the same hash, and the chain must still hold as many rows up to it. Only a checkpoint
whose head row is older than the retention floor may have lost it to the purge.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from audit.chain import GENESIS, row_hash
from audit.checkpoint_lines import Mark
from audit.models import CHAINED_MODELS, ChainedEvent
from audit.retention import MINIMUM_RETENTION_DAYS, chain_starts


@dataclass(frozen=True)
class ChainCheck:
    table: str
    rows: int
    head: str
    first_id: int | None = None
    last_id: int | None = None
    head_occurred_at: datetime.datetime | None = None
    checkpoints: int = 0
    problem: str | None = None


def _walk(model: type[ChainedEvent], start_id: int | None, wanted: set[int]):
    """Walk one table's chain; returns (problem or None, rows, first and last row, {wanted id: (position, hash)})."""
    columns = (*model.CHAINED_FIELDS, "prev_hash", "row_hash")
    first = previous = None
    rows = 0
    positions: dict[int, tuple[int, str]] = {}
    for values in model._default_manager.order_by("id").values(*columns).iterator(chunk_size=5000):
        row_id = values["id"]
        if previous is None and start_id is not None and row_id != start_id:
            problem = f"row {row_id}: the chain should start at row {start_id} (rows before it are missing)"
            return problem, rows, first, previous, positions
        if previous is None and start_id is None and values["prev_hash"] != GENESIS:
            return f"row {row_id}: rows before it are missing (deleted)", rows, first, previous, positions
        if previous is not None and values["prev_hash"] != previous["row_hash"]:
            problem = f"row {row_id}: the row(s) after row {previous['id']} are missing (deleted) or were rewritten"
            return problem, rows, first, previous, positions
        if row_hash(model, values) != values["row_hash"]:
            return f"row {row_id} was altered: its contents do not match its hash", rows, first, previous, positions
        if row_id in wanted:
            positions[row_id] = (rows, values["row_hash"])
        first = first or values
        previous = values
        rows += 1
    return None, rows, first, previous, positions


def _checkpoint_problem(mark: Mark, positions: dict, first_id: int | None, now: datetime.datetime) -> str | None:
    """Why the walked chain does not reach this checkpoint, or None if it does (or the purge took its head)."""
    taken = f"the checkpoint of {mark.taken_at.isoformat(timespec='seconds')}"
    if mark.last_id is None:
        return None  # the table was empty then: nothing to reach
    if mark.last_id not in positions:
        floor = now - datetime.timedelta(days=MINIMUM_RETENTION_DAYS)
        purged = first_id is not None and mark.last_id < first_id
        if purged and mark.head_occurred_at is not None and mark.head_occurred_at < floor:
            return None
        return f"row {mark.last_id}, the head of {taken}, is missing: rows were deleted"
    position, stored_hash = positions[mark.last_id]
    if stored_hash != mark.head_hash:
        return f"row {mark.last_id} no longer carries the head hash of {taken}: the chain was rewritten"
    if mark.first_id in positions and position - positions[mark.first_id][0] + 1 != mark.row_count:
        return f"the chain no longer holds the {mark.row_count} rows of {taken}: rows were deleted"
    return None


def verify_table(model: type[ChainedEvent], start_id: int | None, marks: Iterable[Mark] = ()) -> ChainCheck:
    """Walk one table's chain and hold it against the table's checkpoints; stop at the first problem."""
    table = model._meta.db_table
    marks = [mark for mark in marks if mark.table == table]
    wanted = {id_ for mark in marks for id_ in (mark.first_id, mark.last_id) if id_ is not None}
    problem, rows, first, last, positions = _walk(model, start_id, wanted)
    if problem is not None:
        return ChainCheck(table, rows, "", problem=problem)
    now = timezone.now()
    first_id = first["id"] if first else None
    for mark in sorted(marks, key=lambda mark: mark.taken_at, reverse=True):
        problem = _checkpoint_problem(mark, positions, first_id, now)
        if problem is not None:
            return ChainCheck(table, rows, "", problem=problem)
    if last is None:
        return ChainCheck(table, 0, GENESIS, checkpoints=len(marks))
    return ChainCheck(
        table,
        rows,
        last["row_hash"],
        first_id=first_id,
        last_id=last["id"],
        head_occurred_at=last["occurred_at"],
        checkpoints=len(marks),
    )


def verify(checkpoints: Iterable[Mark] = ()) -> list[ChainCheck]:
    """Check every audit table against the given checkpoints; the list has one entry per table."""
    starts = chain_starts()
    checkpoints = list(checkpoints)
    return [verify_table(model, starts.get(model._meta.db_table), checkpoints) for model in CHAINED_MODELS]
