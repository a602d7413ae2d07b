"""Millions of synthetic AccessEvents, quickly, for `make bench` to time the reports against.

Generated in SQL (generate_series), spread evenly over a period ending now (or ``ending`` ago) in
time (= id) order, like real traffic: each event is by one of ``educators`` actors from one of 256
networks, and names one of ``students`` students from ``first_student`` on, or a page of 25 for
every 20th event (a roster). The rows are NOT hash-chained (prev_hash and row_hash are empty), so
audit_verify rejects them: this is for throwaway benchmark and demo databases only, and refuses to
run unless DEMO_MODE is on.

Keeping five indexes up to date row by row cost about a minute per million rows, so each month's
partition is detached, stripped of its indexes, filled (after the rows it already holds), and
attached again, which builds its pieces of the table's indexes in one pass each (sorted B-trees,
a GIN tree without a pending list, every BRIN range summarized): the same rows, many times faster.
"""

import datetime
import math

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AccessEvent, Outcome
from audit.partitions import Partition, create_partitions, monthly_partitions
from insights.database import job_timeouts

BATCH = 500_000
TABLE = AccessEvent._meta.db_table

BOUND = "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = %s::regclass"
# The indexes of a detached partition; those backing a constraint (the primary key) go with it.
INDEXES = """
    SELECT index.relname, constraint_.conname
    FROM pg_index JOIN pg_class index ON index.oid = pg_index.indexrelid
    LEFT JOIN pg_constraint constraint_ ON constraint_.conindid = pg_index.indexrelid
    WHERE pg_index.indrelid = %s::regclass
"""

# Row g of ``total`` happens at end - span * (1 - g / total); a partition takes the rows of its month.
INSERT = """
    INSERT INTO {partition} (
        id, occurred_at, prev_hash, row_hash, actor_id, actor_email, actor_name, actor_roles, action, path,
        method, status, outcome, student_ids, changed_student_ids, exported_student_ids, object_ids, details,
        client_ip, user_agent, request_id, session_hash)
    SELECT nextval(%(ids)s::regclass), t.at, '', '',
           a.actor, 'educator' || a.actor || '@synthetic.invalid', 'Synthetic Educator ' || a.actor,
           ARRAY['schoolwide'], 'students:profile', '/students/', 'GET',
           200, %(ok)s,
           CASE WHEN g %% 20 = 0
                THEN ARRAY(SELECT %(first_student)s + ((g * 7919 + k * 104729) %% %(students)s)::bigint
                           FROM generate_series(1, 25) AS k)
                ELSE ARRAY[%(first_student)s + ((g * 7919 + 104729) %% %(students)s)::bigint] END,
           '{{}}', '{{}}', '{{}}', '{{}}',
           '10.0.0.1'::inet + ((a.actor %% 256) * 65536 + (g %% 256) * 256),
           'synthetic', md5(g::text), ''
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
    CROSS JOIN LATERAL (SELECT 1 + (g * 31 %% %(educators)s) AS actor) AS a
    CROSS JOIN LATERAL (SELECT %(end)s - %(span)s::interval * (1 - g::float8 / %(total)s) AS at) AS t
    WHERE t.at >= %(since)s AND t.at < %(until)s
"""  # noqa: S608 (table names from the model and the catalog)


@job_timeouts()  # a month's index builds and the final ANALYZE take longer than a web request may
def generate_access_events(
    count: int,
    *,
    educators: int = 5_000,
    students: int = 50_000,
    first_student: int = 1,
    days: int = 2555,
    ending: datetime.timedelta = datetime.timedelta(0),
) -> None:
    """Insert ``count`` unchained AccessEvents over ``days`` days up to ``ending`` ago, then ANALYZE."""
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("Synthetic audit events may only be generated with DEMO_MODE on.")
    end = timezone.now() - ending
    span = datetime.timedelta(days=days)
    create_partitions(since=end - span)
    shape = {"educators": educators, "students": students, "first_student": first_student, "ok": Outcome.OK}
    shape |= {"end": end, "span": f"{days} days", "total": count, "ids": _id_sequence()}
    for partition in monthly_partitions(TABLE):
        if partition.ends > end - span and partition.starts <= end:
            _fill(partition, *_rows_in(partition, count, end, span), shape)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")


def _id_sequence() -> str:
    """The table's id sequence, named once: looking it up in each row's nextval() cost more than the row."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        return cursor.fetchone()[0]


def _rows_in(partition: Partition, count: int, end: datetime.datetime, span: datetime.timedelta) -> tuple[int, int]:
    """The first and last row numbers that may fall in the partition's month, one either side to spare
    (the INSERT's own test of each row's time decides)."""

    def row_at(moment: datetime.datetime) -> float:
        return count * (1 - (end - moment) / span)

    return max(1, math.floor(row_at(partition.starts)) - 1), min(count, math.ceil(row_at(partition.ends)) + 1)


def _fill(partition: Partition, first: int, last: int, shape: dict) -> None:
    """Add the partition's rows with its indexes dropped, and build them again by attaching it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # for the index builds, in memory
        cursor.execute(BOUND, [partition.name])
        (bound,) = cursor.fetchone()
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {partition.name}")
        cursor.execute(INDEXES, [partition.name])
        for index, constraint in cursor.fetchall():
            if constraint:
                cursor.execute(f"ALTER TABLE {partition.name} DROP CONSTRAINT {constraint}")
            else:
                cursor.execute(f"DROP INDEX {index}")
        months = {"since": partition.starts, "until": partition.ends}
        for batch_first in range(first, last + 1, BATCH):
            rows = {"first": batch_first, "last": min(batch_first + BATCH - 1, last)}
            cursor.execute(INSERT.format(partition=partition.name), shape | months | rows)
        cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {partition.name} {bound}")
