"""Millions of synthetic AccessEvents, quickly, for `make bench` to time the reports against.

Generated in SQL (generate_series), spread evenly over a period ending now (or ``ending`` ago) in
time (= id) order, like real traffic: each event is by one of ``educators`` actors from one of 256
networks, and names one of ``students`` students from ``first_student`` on, or a page of 25 for
every 20th event (a roster). The months the period covers get their partitions first. The rows are NOT hash-chained
(prev_hash and row_hash are empty), so audit_verify rejects them: this is for throwaway benchmark
and demo databases only, and refuses to run unless DEMO_MODE is on. Index upkeep dominates: expect
about a minute per million rows.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from audit.models import AccessEvent, Outcome
from audit.partitions import create_partitions

BATCH = 500_000
# What autosummarize and autovacuum do in the background for real traffic, per partition's piece of
# each index: summarize the new ranges of the time index, and move the student index's pending
# entries into its tree (a GIN search reads the whole pending list, up to 4 MB, otherwise).
UPKEEP = {"access_event_time_brin": "brin_summarize_new_values", "access_event_students_gin": "gin_clean_pending_list"}
INDEX_PIECES = "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass"

INSERT = f"""
    INSERT INTO {AccessEvent._meta.db_table} (
        occurred_at, prev_hash, row_hash, actor_id, actor_email, actor_name, actor_roles, action, path, method,
        status, outcome, student_ids, changed_student_ids, exported_student_ids, object_ids, details, client_ip,
        user_agent, request_id, session_hash)
    SELECT %(end)s - %(span)s::interval * (1 - g::float8 / %(total)s), '', '',
           a.actor, 'educator' || a.actor || '@synthetic.invalid', 'Synthetic Educator ' || a.actor,
           ARRAY['schoolwide'], 'students:profile', '/students/', 'GET',
           200, %(ok)s,
           ARRAY(SELECT %(first_student)s + ((g * 7919 + k * 104729) %% %(students)s)::bigint
                 FROM generate_series(1, CASE WHEN g %% 20 = 0 THEN 25 ELSE 1 END) AS k),
           '{{}}', '{{}}', '{{}}', '{{}}',
           ('10.' || (a.actor %% 256) || '.' || (g %% 256) || '.1')::inet,
           'synthetic', md5(g::text), ''
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
    CROSS JOIN LATERAL (SELECT 1 + (g * 31 %% %(educators)s) AS actor) AS a
"""  # noqa: S608 (table name from the model)


def generate_access_events(
    count: int,
    *,
    educators: int = 5_000,
    students: int = 50_000,
    first_student: int = 1,
    days: int = 2555,
    ending: datetime.timedelta = datetime.timedelta(0),
) -> None:
    """Insert ``count`` unchained AccessEvents over ``days`` days up to ``ending`` ago, then summarize and ANALYZE."""
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("Synthetic audit events may only be generated with DEMO_MODE on.")
    end = timezone.now() - ending
    create_partitions(since=end - datetime.timedelta(days=days))
    with connection.cursor() as cursor:
        for first in range(1, count + 1, BATCH):
            params: dict[str, str | int | datetime.datetime] = {
                "end": end,
                "span": f"{days} days",
                "total": count,
                "first": first,
                "last": min(first + BATCH - 1, count),
                "educators": educators,
                "students": students,
                "first_student": first_student,
                "ok": Outcome.OK,
            }
            cursor.execute(INSERT, params)
        for index, upkeep in UPKEEP.items():
            cursor.execute(INDEX_PIECES, [index])
            for (piece,) in cursor.fetchall():
                cursor.execute(f"SELECT {upkeep}(%s::regclass)", [piece])
        cursor.execute(f"ANALYZE {AccessEvent._meta.db_table}")
