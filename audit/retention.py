"""The retention purge: the only way audit rows ever leave the database.

The audit tables are partitioned by month (audit/partitions.py), so the purge drops whole months:
every month that ended before the retention cutoff's month began goes (a row is kept up to a
month past AUDIT_RETENTION_DAYS, never less), in one transaction. Per table the purge removes a
prefix of the chain, keeps the newest row even when it is older (so the chain always has a head to
link to), and records what it kept as the chain's new start in its own AccessEvent, written in the
same transaction: audit_verify checks the chain starts exactly there, so deleting old rows any
other way is still detected. Expired rows outside a droppable month (in the default partition, or
beside the kept head) are deleted: the append-only trigger (audit/migrations/0003) lets any
connection delete only rows older than a year by the database's clock, and the purge refuses a
retention shorter than that floor before it drops anything, so a typo cannot take younger rows.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from audit.models import CHAINED_MODELS, AccessEvent, Outcome
from audit.partitions import drop_partitions, month_of
from audit.recorder import command_recording, record_details

PURGE_ACTION = "audit_purge"
# A typo in AUDIT_RETENTION_DAYS must not be able to wipe the log: nothing younger than a year goes.
# The append-only trigger enforces the same floor in the database (audit/migrations/0003).
MINIMUM_RETENTION_DAYS = 365


def purge(*, now: datetime.datetime | None = None) -> dict[str, dict]:
    """Drop the audit months that ended before the retention cutoff's month; returns per table
    {"deleted": rows removed, "first_kept_id", "dropped_partitions": [names]}."""
    if settings.AUDIT_RETENTION_DAYS < MINIMUM_RETENTION_DAYS:
        raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS must be at least {MINIMUM_RETENTION_DAYS}.")
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    kept_from = datetime.datetime.combine(month_of(cutoff), datetime.time.min, tzinfo=datetime.UTC)
    purged = {}
    with command_recording(actor=None, action=PURGE_ACTION):
        with connection.cursor() as cursor:
            for model in CHAINED_MODELS:
                ids = model._default_manager.order_by("pk").values_list("pk", flat=True)
                first_kept = ids.filter(occurred_at__gte=kept_from).first() or ids.last()
                if first_kept is None:
                    continue
                table = model._meta.db_table
                dropped = drop_partitions(table, before=kept_from, below_id=first_kept)
                cursor.execute(f"DELETE FROM {table} WHERE id < %s", [first_kept])  # noqa: S608 (the model's table)
                purged[table] = {
                    "deleted": sum(dropped.values()) + cursor.rowcount,
                    "first_kept_id": first_kept,
                    "dropped_partitions": list(dropped),
                }
        record_details(
            cutoff=cutoff.isoformat(),
            kept_from=kept_from.isoformat(),
            retention_days=settings.AUDIT_RETENTION_DAYS,
            purged=purged,
        )
    return purged


def chain_starts() -> dict[str, int]:
    """Where each table's chain must start, per the latest purge: {table: first kept id}."""
    last_purge = (
        AccessEvent.objects.filter(action=PURGE_ACTION, method="", outcome=Outcome.OK)
        .order_by("-id")
        .values_list("details", flat=True)
        .first()
    )
    if last_purge is None:
        return {}
    return {table: kept["first_kept_id"] for table, kept in last_purge["purged"].items()}
