"""The audit tables' monthly partitions: created months ahead, listed, and dropped whole by retention.

Each chained table is partitioned by month of occurred_at (UTC bounds; audit/migrations/0004),
named ``<table>_pYYYY_MM``, plus ``<table>_default`` for rows outside every month. A row must
find its partition or the insert fails, and a request whose audit row cannot be written fails
too, so months are created MONTHS_AHEAD months ahead: by the migration, and every day by the
``audit.create_partitions_ahead`` job (audit/tasks.py). If the job stopped for months, rows would
land in the default partition rather than be refused; such a month then stays there (the
database function explains why), and a purge deletes its expired rows instead of dropping them.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from audit.models import CHAINED_MODELS

MONTHS_AHEAD = 3
TABLES = tuple(model._meta.db_table for model in CHAINED_MODELS)

MONTHLY = """
    SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
    WHERE pg_inherits.inhparent = %s::regclass AND child.relname ~ '_p[0-9]{4}_[0-9]{2}$'
    ORDER BY child.relname
"""


@dataclass(frozen=True)
class Partition:
    name: str
    month: datetime.date  # its first day

    @property
    def starts(self) -> datetime.datetime:
        """The first moment (UTC) of this partition's month."""
        return datetime.datetime.combine(self.month, datetime.time.min, tzinfo=datetime.UTC)

    @property
    def ends(self) -> datetime.datetime:
        """The first moment (UTC) after this partition's month."""
        return datetime.datetime.combine(add_months(self.month, 1), datetime.time.min, tzinfo=datetime.UTC)


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of ``moment``'s month, in UTC (the partitions' bounds)."""
    return moment.astimezone(datetime.UTC).date().replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def create_partitions(*, since: datetime.datetime | None = None, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Make sure every audit table has a partition for each month from ``since``'s (default: this one)
    through ``months_ahead`` months ahead; returns the partitions created."""
    now = timezone.now()
    month, last = month_of(since or now), add_months(month_of(now), months_ahead)
    created = []
    with connection.cursor() as cursor:
        while month <= last:
            for table in TABLES:
                cursor.execute("SELECT audit_create_month_partition(%s, %s)", [table, month])
                name = cursor.fetchone()[0]
                if name is not None:
                    created.append(name)
            month = add_months(month, 1)
    return created


def monthly_partitions(table: str) -> list[Partition]:
    """``table``'s monthly partitions, oldest first (the default partition is not one)."""
    with connection.cursor() as cursor:
        cursor.execute(MONTHLY, [table])
        names = [name for (name,) in cursor.fetchall()]
    return [Partition(name, datetime.date(int(name[-7:-3]), int(name[-2:]), 1)) for name in names]


def drop_partitions(table: str, *, before: datetime.datetime, below_id: int) -> dict[str, int]:
    """Drop ``table``'s monthly partitions that end by ``before`` and hold only ids below ``below_id``.

    Returns {partition: rows it held}. Only rows of the chain's removed prefix go: a partition
    also holding a kept row (say, the chain's head) stays. Dropping takes the table's exclusive
    lock until the transaction ends, so every partition is counted first.
    """
    dropped = {}
    with connection.cursor() as cursor:
        for partition in monthly_partitions(table):
            if partition.ends > before:
                break
            cursor.execute(f"SELECT count(*), max(id) FROM {partition.name}")  # noqa: S608 (a catalog name)
            rows, highest = cursor.fetchone()
            if highest is None or highest < below_id:
                dropped[partition.name] = rows
        for name in dropped:
            cursor.execute(f"DROP TABLE {name}")
    return dropped
