"""The hash chain that makes the audit tables tamper-evident.

Each row stores ``prev_hash`` (the previous row's ``row_hash``, or GENESIS for a table's first
row) and ``row_hash = sha256(prev_hash + canonical serialization of the row)``. Appends to one
table are serialized with a transaction-scoped advisory lock, so concurrent writers never fork the
chain, and ids are drawn under the same lock, so id order is chain order. Anyone who edits a row
behind the triggers' back must recompute every later hash, and a deleted row leaves the next one
pointing at a hash that no longer exists; ``audit/verify.py`` finds both.

A bulk import's event names every student it changed: hundreds of thousands of ids. Its arrays are
built by the database from a query, run once, and hashed from the same values read in batches
(``append_listed``), so the worker's memory does not grow with the district, and the row verifies
as any other.

A row's time is never earlier than its predecessor's (a clock that stepped back repeats the head's
time), so the head is the newest row: it is looked for among the last day's rows first, which the
planner prunes to the partitions of that day (audit/partitions.py) instead of reading every month.
"""

import datetime
import functools
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

from audit.models import CHAINED_MODELS, ChainedEvent
from insights.prepared_statements import prepared

GENESIS = "0" * 64
# First key of pg_advisory_xact_lock(int, int); the second is the table's position in CHAINED_MODELS.
LOCK_NAMESPACE = 0x617564  # "aud"
# The head is looked for among rows this recent first (and then among all): wide enough for any clock skew.
RECENT = datetime.timedelta(days=1)
# The canonical form's JSON: keys sorted, no spaces, text as it is.
_dumps = functools.partial(json.dumps, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# Ids of a listed column read per FETCH while its row is hashed (append_listed).
LISTED_BATCH = 10_000

Event = TypeVar("Event", bound=ChainedEvent)


def _normalized(field, value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(field, models.GenericIPAddressField):
        return ipaddress.ip_address(value).compressed
    return value


def row_hash(model: type[ChainedEvent], values: dict) -> str:
    """The hash a row with these column values must carry; ``values`` includes ``prev_hash``."""
    fields = {name: _normalized(model._meta.get_field(name), values[name]) for name in model.CHAINED_FIELDS}
    canonical = _dumps({"table": model._meta.db_table, "fields": fields})
    return hashlib.sha256((values["prev_hash"] + canonical).encode()).hexdigest()


def streamed_row_hash(model: type[ChainedEvent], values: dict, listed: Mapping[str, Iterable[list[int]]]) -> str:
    """``row_hash`` of a row whose ``listed`` integer-array columns come in batches, never held whole.

    The same canonical text, hashed piece by piece: json.dumps writes an object as its "key":value
    pairs in key order, joined by commas, and a list of integers as their digits joined by commas.
    """
    digest = hashlib.sha256(values["prev_hash"].encode())
    digest.update(b'{"fields":{')
    for position, name in enumerate(sorted(model.CHAINED_FIELDS)):
        digest.update(f"{',' if position else ''}{_dumps(name)}:".encode())
        if name in listed:
            digest.update(b"[")
            for number, batch in enumerate(listed[name]):
                digest.update(f"{',' if number else ''}{','.join(map(str, batch))}".encode())
            digest.update(b"]")
        else:
            digest.update(_dumps(_normalized(model._meta.get_field(name), values[name])).encode())
    digest.update(f'}},"table":{_dumps(model._meta.db_table)}}}'.encode())
    return digest.hexdigest()


def _head_and_ids(cursor, table: str, now: datetime.datetime, count: int) -> tuple[str, datetime.datetime | None, list]:
    """The chain head's hash (GENESIS for an empty table) and time, and ``count`` new ids in order: one
    statement, the head looked for among the last day's rows, and among all of them only if none is that
    recent."""
    cursor.execute(
        prepared(
            "SELECT row_hash, occurred_at, ids FROM"  # noqa: S608 (the model's table; values are parameters)
            " (SELECT ARRAY(SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)) AS ids) drawn"
            f" LEFT JOIN LATERAL (SELECT row_hash, occurred_at FROM {table} WHERE occurred_at >= %s"
            " ORDER BY id DESC LIMIT 1) recent ON TRUE"
        ),
        [table, count, now - RECENT],
    )
    prev_hash, head_time, ids = cursor.fetchone()
    if prev_hash is None:
        cursor.execute(f"SELECT row_hash, occurred_at FROM {table} ORDER BY id DESC LIMIT 1")  # noqa: S608 (as above)
        prev_hash, head_time = cursor.fetchone() or (GENESIS, None)
    return prev_hash, head_time, sorted(ids)


def append(event: Event) -> Event:
    """Insert ``event`` as the new head of its table's chain, stamping its time, id and hashes."""
    return append_many([event])[0]


@contextmanager
def _locked_head(model: type[ChainedEvent], count: int):
    """Hold the table's chain lock; give the cursor, the head's hash, the new rows' time and ``count`` ids."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, CHAINED_MODELS.index(model)])
        # Separate statements from the lock: their snapshot must include the previous holder's row.
        now = timezone.now()  # taken under the lock, so time order follows chain order
        prev_hash, head_time, ids = _head_and_ids(cursor, model._meta.db_table, now, count)
        yield cursor, prev_hash, now if head_time is None else max(now, head_time), ids


def append_many(events: list[Event]) -> list[Event]:
    """Insert ``events`` (all of one table), in order, as the chain's next rows: one lock, one head, one INSERT.

    For changes made in bulk (a sync's grant changes): the rows link up exactly as appended one by
    one would, and they share the time taken under the lock.
    """
    if not events:
        return []
    model = type(events[0])
    if any(type(event) is not model for event in events):
        raise ValueError("append_many appends to one table at a time.")
    with _locked_head(model, len(events)) as (cursor, prev_hash, occurred_at, ids):
        for event, pk in zip(events, ids, strict=True):
            event.prev_hash, event.occurred_at, event.pk = prev_hash, occurred_at, pk
            event.row_hash = row_hash(
                model, {name: getattr(event, name) for name in (*model.CHAINED_FIELDS, "prev_hash")}
            )
            prev_hash = event.row_hash
        _insert(cursor, model, events)
    return events


def append_listed(event: Event, listed: dict[str, str]) -> Event:
    """Append ``event`` with integer-array columns filled by queries, for lists too long to hold in memory.

    ``listed`` maps a chained array column to a SELECT of one bigint column, in the order the list
    is stored, without parameters, over tables the caller's transaction can read (a bulk import's
    changed students). Each distinct query runs once, into an array kept in a temporary table: the
    row's columns are that array and the hash reads its values back in batches, so row and hash are
    what ``append`` writes for the same lists. The listed columns are left unloaded on the returned
    event (read from the database if asked for).
    """
    model = type(event)
    if not set(listed) <= set(model.CHAINED_FIELDS):
        raise ValueError("append_listed fills chained columns only.")
    with _locked_head(model, 1) as (cursor, prev_hash, occurred_at, (pk,)):
        event.prev_hash, event.occurred_at, event.pk = prev_hash, occurred_at, pk
        values = {name: getattr(event, name) for name in (*model.CHAINED_FIELDS, "prev_hash") if name not in listed}
        arrays = _run_once(cursor, listed)
        # Each column reads its temporary table's array: in the array's order, in batches for the hash.
        reads = {name: f"SELECT unnest(ids) FROM {table}" for name, table in arrays.items()}  # noqa: S608
        batches = {name: _fetched_in_batches(cursor, read) for name, read in reads.items()}
        event.row_hash = streamed_row_hash(model, values, batches)
        _insert(cursor, model, [event], {name: f"SELECT ids FROM {table}" for name, table in arrays.items()})  # noqa: S608
        cursor.execute(f"DROP TABLE {', '.join(dict.fromkeys(arrays.values()))}")
    for name in listed:
        del event.__dict__[name]  # deferred (an array column's attname is its name): read on demand
    return event


def _run_once(cursor, listed: dict[str, str]) -> dict[str, str]:
    """Run each distinct query once, into the one array of a temporary table; which table each column reads.

    An import lists its changed students in two columns, and each is read twice (the INSERT, the hash):
    its DISTINCT over every changed row ran four times.
    """
    tables = {query: f"audit_listed_{number}" for number, query in enumerate(dict.fromkeys(listed.values()))}
    for query, table in tables.items():
        cursor.execute(f"CREATE TEMPORARY TABLE {table} AS SELECT ARRAY({query}) AS ids")
    return {name: tables[query] for name, query in listed.items()}


def _fetched_in_batches(cursor, query: str) -> Iterator[list[int]]:
    """The query's values, LISTED_BATCH at a time, through a cursor of the transaction's own."""
    cursor.execute(f"DECLARE audit_listed NO SCROLL CURSOR FOR {query}")
    while True:
        cursor.execute(f"FETCH FORWARD {LISTED_BATCH} FROM audit_listed")
        rows = cursor.fetchall()
        if not rows:
            break
        yield [value for (value,) in rows]
    cursor.execute("CLOSE audit_listed")


@functools.cache
def _insert_parts(model: type[ChainedEvent]) -> tuple[str, str]:
    """The start of an INSERT of every column of the model's table, and one row of parameters: kept per
    table, joined per call, so a bulk grant change of any size leaves nothing behind."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in model._meta.concrete_fields)  # every one has a column
    row = "(" + ", ".join(["%s"] * len(model._meta.concrete_fields)) + ")"
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ", row  # noqa: S608


def _insert(cursor, model: type[ChainedEvent], events: list, listed: dict[str, str] | None = None) -> None:
    """Write the events as the ORM's bulk_create would (each value prepared by its field), without composing
    the statement anew for every event: a page's one event cost more Python in the ORM's INSERT than in
    the rest of its recording. A ``listed`` column is the array its query selects (append_listed)."""
    fields = list(model._meta.concrete_fields)
    start, row = _insert_parts(model)
    if listed:
        row = ", ".join(f"({listed[field.name]})" if field.name in listed else "%s" for field in fields)
        row = f"({row})"
        fields = [field for field in fields if field.name not in listed]
    # A bulk change's rows go as many at a time as one statement's parameters allow (the backend's limit,
    # insights/postgresql); a page's one event is the same statement every time.
    per_statement = connection.ops.bulk_batch_size(fields, events)
    for first in range(0, len(events), per_statement):
        batch = events[first : first + per_statement]
        statement = start + ", ".join([row] * len(batch))
        cursor.execute(
            prepared(statement) if len(events) == 1 and not listed else statement,
            [field.get_db_prep_save(getattr(event, field.attname), connection) for event in batch for field in fields],
        )
    for event in events:
        event._state.adding, event._state.db = False, connection.alias
