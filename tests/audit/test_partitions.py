"""The audit tables' monthly partitions: made ahead, rows in their month, still append-only, dropped by retention."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import reports
from audit.events import record_sign_in
from audit.models import AccessEvent
from audit.partitions import MONTHS_AHEAD, TABLES, add_months, create_partitions, month_of, monthly_partitions
from audit.recorder import command_recording, record_students
from audit.retention import purge
from audit.tasks import create_partitions_ahead_job
from audit.verify import verify
from insights.jobs import app

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LONG_AGO = datetime.datetime(2016, 3, 10, tzinfo=UTC)
RECENTLY = datetime.datetime(2024, 9, 1, tzinfo=UTC)
TODAY = datetime.datetime(2025, 6, 1, tzinfo=UTC)  # with 2555 days' retention the months before 2018-06 go


def event_at(clock, moment, student_id) -> AccessEvent:
    clock(moment)
    with command_recording(actor=None, action="test"):
        record_students([student_id])
    return AccessEvent.objects.get(action="test", student_ids=[student_id])


def partition_of(event: AccessEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_accessevent WHERE id = %s", [event.id])
        return cursor.fetchone()[0]


def plan(query: tuple[str, dict]) -> str:
    sql, params = query
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(line for (line,) in cursor.fetchall())


def test_every_audit_table_is_partitioned_with_this_month_and_the_next_ones_ready():
    this_month = month_of(timezone.now())
    wanted = {add_months(this_month, ahead) for ahead in range(MONTHS_AHEAD + 1)}
    for table in TABLES:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [table])
            assert cursor.fetchone()[0] == "p"
        assert wanted <= {partition.month for partition in monthly_partitions(table)}


def test_the_daily_job_creates_the_months_ahead_once(clock):
    periodic = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["audit.create_partitions_ahead"] == "41 2 * * *"
    clock(timezone.now() + datetime.timedelta(days=400))
    created = create_partitions_ahead_job(timestamp=0)
    next_year = add_months(month_of(timezone.now()), MONTHS_AHEAD)
    assert f"audit_accessevent_p{next_year:%Y_%m}" in created
    assert f"audit_grantchangeevent_p{next_year:%Y_%m}" in created
    assert create_partitions_ahead_job(timestamp=0) == []


def test_an_event_lands_in_its_months_partition(clock):
    create_partitions(since=RECENTLY)
    assert partition_of(event_at(clock, RECENTLY, 1)) == "audit_accessevent_p2024_09"
    assert partition_of(event_at(clock, timezone.now(), 2)) == f"audit_accessevent_p{timezone.now():%Y_%m}"


def test_an_event_of_a_month_without_a_partition_lands_in_the_default_one_and_that_month_stays_there(clock):
    assert partition_of(event_at(clock, LONG_AGO, 1)) == "audit_accessevent_default"
    created = create_partitions(since=LONG_AGO)
    assert "audit_accessevent_p2016_03" not in created
    assert "audit_signinevent_p2016_03" in created and "audit_accessevent_p2016_04" in created
    assert partition_of(AccessEvent.objects.get()) == "audit_accessevent_default"


def run_refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(refused.value)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accessevent SET action = 'x'",
        "UPDATE {partition} SET action = 'x'",
        "DELETE FROM {partition}",
        "TRUNCATE {partition}",
        "TRUNCATE audit_accessevent",
    ],
)
def test_the_partitions_are_as_append_only_as_the_table(statement):
    with command_recording(actor=None, action="test"):
        record_students([1])
    partition = partition_of(AccessEvent.objects.get())
    with connection.cursor() as cursor:
        # The test database disables the TRUNCATE triggers so Django can reset it (tests/conftest.py).
        for table in ("audit_accessevent", partition):
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_truncate")
    assert "append-only" in run_refused(statement.format(partition=partition))
    assert AccessEvent.objects.get().action == "test"


def test_a_partition_made_later_refuses_truncate_too():
    created = create_partitions(since=RECENTLY)
    assert created[0] == "audit_accessevent_p2024_09"
    assert "TRUNCATE" in run_refused(f"TRUNCATE {created[0]}")


def test_retention_drops_the_expired_months_and_the_chain_still_verifies(clock, rf):
    create_partitions(since=LONG_AGO)
    old = [event_at(clock, LONG_AGO, 1), event_at(clock, LONG_AGO + datetime.timedelta(days=40), 2)]
    kept = event_at(clock, RECENTLY, 3)
    record_sign_in(request=rf.get("/"), identity="a@district.example", educator=None, succeeded=False, reason="")
    clock(TODAY)

    purged = purge()

    expired = [f"audit_accessevent_p{add_months(datetime.date(2016, 3, 1), n):%Y_%m}" for n in range(27)]
    assert expired[-1] == "audit_accessevent_p2018_05"
    assert purged["audit_accessevent"] == {"deleted": 2, "first_kept_id": kept.id, "dropped_partitions": expired}
    assert [partition.month.isoformat() for partition in monthly_partitions("audit_accessevent")][0] == "2018-06-01"
    assert not AccessEvent.objects.filter(id__in=[event.id for event in old]).exists()
    assert [check.problem for check in verify()] == [None, None, None]


def test_retention_keeps_the_month_holding_the_chains_head_and_deletes_the_rest_of_it(clock):
    create_partitions(since=LONG_AGO)
    first = event_at(clock, LONG_AGO, 1)
    head = event_at(clock, LONG_AGO + datetime.timedelta(days=1), 2)
    clock(TODAY)
    purged = purge()["audit_accessevent"]
    assert (purged["deleted"], purged["first_kept_id"]) == (1, head.id)
    assert "audit_accessevent_p2016_03" not in purged["dropped_partitions"]
    assert "audit_accessevent_p2016_04" in purged["dropped_partitions"]
    assert partition_of(AccessEvent.objects.get(id=head.id)) == "audit_accessevent_p2016_03"
    assert not AccessEvent.objects.filter(id=first.id).exists()
    assert [check.problem for check in verify()] == [None, None, None]


def test_a_breach_scope_reads_only_the_months_of_its_window():
    create_partitions(since=RECENTLY)
    since, until = reports.window(datetime.date(2024, 9, 3), datetime.date(2024, 9, 20))
    for query in (
        reports.breach_scope_query(actor_ids=[7], network=None, since=since, until=until),
        reports.breach_scope_query(actor_ids=None, network="10.1.0.0/16", since=since, until=until),
    ):
        scanned = set(plan(query).split()) & set(_all_partitions("audit_accessevent"))
        assert scanned == {"audit_accessevent_p2024_09"}


def test_the_student_access_report_looks_each_partition_up_by_its_student_index():
    create_partitions(since=RECENTLY)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # empty tables: show which index the query can use
    lines = plan(reports.student_access_query(student_id=4242)).splitlines()
    index_scans = {line.split(" on ")[-1].split()[0] for line in lines if "Bitmap Index Scan" in line}
    partitions = _all_partitions("audit_accessevent")
    assert index_scans == {f"{name}_student_ids_idx" for name in partitions}
    assert not any("Seq Scan" in line for line in lines)


def _all_partitions(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", [table])
        return [name for (name,) in cursor.fetchall()]
