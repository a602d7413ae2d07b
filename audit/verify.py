"""Checking the audit tables' hash chains: every row intact, none missing, starting where they should.

A table's chain starts at GENESIS, or after a purge at the row the purge said it kept. Walking
the rows in id order, each must hash to its row_hash (else it was altered) and its prev_hash must
be the previous row's row_hash (else a row between them was deleted, or the chain was rewritten).
Deleting the newest rows leaves a consistent shorter chain; compare the printed head hashes with
ones kept elsewhere (the log drain keeps each run's output) to catch that.
"""

from dataclasses import dataclass

from audit.chain import GENESIS, row_hash
from audit.models import CHAINED_MODELS, ChainedEvent
from audit.retention import chain_starts


@dataclass(frozen=True)
class ChainCheck:
    table: str
    rows: int
    head: str
    problem: str | None = None


def verify_table(model: type[ChainedEvent], start_id: int | None) -> ChainCheck:
    """Walk one table's chain; stop at the first row that does not match."""
    table = model._meta.db_table
    columns = (*model.CHAINED_FIELDS, "prev_hash", "row_hash")
    previous = None
    rows = 0
    for values in model.objects.order_by("id").values(*columns).iterator(chunk_size=5000):
        row_id = values["id"]
        if previous is None and start_id is not None and row_id != start_id:
            problem = f"row {row_id}: the chain should start at row {start_id} (rows before it are missing)"
            return ChainCheck(table, rows, "", problem)
        if previous is None and start_id is None and values["prev_hash"] != GENESIS:
            return ChainCheck(table, rows, "", f"row {row_id}: rows before it are missing (deleted)")
        if previous is not None and values["prev_hash"] != previous["row_hash"]:
            problem = f"row {row_id}: the row(s) after row {previous['id']} are missing (deleted) or were rewritten"
            return ChainCheck(table, rows, "", problem)
        if row_hash(model, values) != values["row_hash"]:
            return ChainCheck(table, rows, "", f"row {row_id} was altered: its contents do not match its hash")
        previous = values
        rows += 1
    return ChainCheck(table, rows, previous["row_hash"] if previous else GENESIS)


def verify() -> list[ChainCheck]:
    """Check every audit table; the list has one entry per table."""
    starts = chain_starts()
    return [verify_table(model, starts.get(model._meta.db_table)) for model in CHAINED_MODELS]
