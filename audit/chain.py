"""The hash chain that makes the audit tables tamper-evident.

Each row stores ``prev_hash`` (the previous row's ``row_hash``, or GENESIS for a table's first
row) and ``row_hash = sha256(prev_hash + canonical serialization of the row)``. Appends to one
table are serialized with a transaction-scoped advisory lock, so concurrent writers never fork the
chain, and ids are drawn under the same lock, so id order is chain order. Anyone who edits a row
behind the triggers' back must recompute every later hash, and a deleted row leaves the next one
pointing at a hash that no longer exists; ``audit/verify.py`` finds both.
"""

import datetime
import hashlib
import ipaddress
import json
from typing import TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

from audit.models import CHAINED_MODELS, ChainedEvent

GENESIS = "0" * 64
# First key of pg_advisory_xact_lock(int, int); the second is the table's position in CHAINED_MODELS.
LOCK_NAMESPACE = 0x617564  # "aud"

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
    canonical = json.dumps(
        {"table": model._meta.db_table, "fields": fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256((values["prev_hash"] + canonical).encode()).hexdigest()


def append(event: Event) -> Event:
    """Insert ``event`` as the new head of its table's chain, stamping its time, id and hashes."""
    model = type(event)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, CHAINED_MODELS.index(model)])
        # A separate statement from the lock: its snapshot must include the previous holder's row.
        table = model._meta.db_table
        cursor.execute(
            f"SELECT (SELECT row_hash FROM {table} ORDER BY id DESC LIMIT 1), "  # noqa: S608 (the model's table)
            "nextval(pg_get_serial_sequence(%s, 'id'))",
            [table],
        )
        head, event.pk = cursor.fetchone()
        event.occurred_at = timezone.now()  # taken under the lock, so time order follows chain order
        event.prev_hash = head or GENESIS
        event.row_hash = row_hash(model, {name: getattr(event, name) for name in (*model.CHAINED_FIELDS, "prev_hash")})
        event.save(force_insert=True)
    return event
