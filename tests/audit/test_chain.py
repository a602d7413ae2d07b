"""The hash chain: appends link up, and audit_verify finds altered and deleted rows."""

import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.chain import GENESIS, append, append_many, row_hash
from audit.events import record_sign_in
from audit.models import AccessEvent, SignInEvent
from audit.partitions import create_partitions
from audit.recorder import command_recording, record_students
from audit.verify import verify
from insights.postgresql.base import MAX_PARAMETERS


def write_access_events(count: int) -> list[AccessEvent]:
    for number in range(count):
        with command_recording(actor=None, action=f"test_{number}"):
            record_students([number + 1])
    return list(AccessEvent.objects.order_by("id"))


def verify_output() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify")
    return str(failure.value)


def run_behind_the_triggers(sql: str, params=()) -> None:
    """What an attacker with the table owner's rights could do: edit rows with the triggers off."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER ALL")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER ALL")


@pytest.mark.django_db
def test_each_row_links_to_the_previous_one_and_the_first_to_genesis():
    first, second, third = write_access_events(3)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.row_hash
    assert third.prev_hash == second.row_hash
    assert len({first.row_hash, second.row_hash, third.row_hash}) == 3


@pytest.mark.django_db
def test_the_stored_hash_matches_the_row_as_read_back_from_the_database():
    write_access_events(1)
    stored = AccessEvent.objects.values(*AccessEvent.CHAINED_FIELDS, "prev_hash", "row_hash").get()
    assert row_hash(AccessEvent, stored) == stored["row_hash"]


@pytest.mark.django_db
def test_verify_prints_ok_with_row_counts_and_heads_for_an_intact_log():
    events = write_access_events(3)
    output = io.StringIO()
    call_command("audit_verify", stdout=output)
    text = output.getvalue()
    assert f"OK audit_accessevent: 3 rows, head {events[-1].row_hash}" in text
    assert f"OK audit_signinevent: 0 rows, head {GENESIS}" in text


@pytest.mark.django_db
def test_verify_names_a_row_altered_with_the_triggers_disabled():
    events = write_access_events(3)
    run_behind_the_triggers("UPDATE audit_accessevent SET student_ids = '{99}' WHERE id = %s", [events[1].id])
    assert verify_output() == f"audit_accessevent: row {events[1].id} was altered: its contents do not match its hash"


@pytest.mark.django_db
def test_verify_names_the_row_after_a_deleted_one():
    events = write_access_events(3)
    run_behind_the_triggers("DELETE FROM audit_accessevent WHERE id = %s", [events[1].id])
    assert verify_output() == (
        f"audit_accessevent: row {events[2].id}: the row(s) after row {events[0].id} are missing (deleted) "
        "or were rewritten"
    )


@pytest.mark.django_db
def test_verify_notices_the_first_rows_were_deleted():
    events = write_access_events(2)
    run_behind_the_triggers("DELETE FROM audit_accessevent WHERE id = %s", [events[0].id])
    assert verify_output() == f"audit_accessevent: row {events[1].id}: rows before it are missing (deleted)"


@pytest.mark.django_db
def test_verify_notices_a_rewritten_hash_that_breaks_the_next_link():
    events = write_access_events(2)
    altered = AccessEvent.objects.values(*AccessEvent.CHAINED_FIELDS, "prev_hash").get(id=events[0].id)
    altered["student_ids"] = [99]
    run_behind_the_triggers(
        "UPDATE audit_accessevent SET student_ids = '{99}', row_hash = %s WHERE id = %s",
        [row_hash(AccessEvent, altered), events[0].id],
    )
    assert f"row {events[1].id}: the row(s) after row {events[0].id} are missing" in verify_output()


@pytest.mark.django_db
def test_verify_reports_each_table_separately(rf):
    record_sign_in(request=rf.get("/"), identity="someone@district.example", educator=None, succeeded=False, reason="")
    checks = {check.table: check for check in verify()}
    assert checks["audit_signinevent"].rows == 1
    assert checks["audit_signinevent"].head == SignInEvent.objects.get().row_hash
    assert checks["audit_accessevent"].rows == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    def writer(number: int) -> None:
        try:
            for _ in range(10):
                append(AccessEvent(action=f"writer_{number}", outcome=AccessEvent.Outcome.OK))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [check, *_others] = verify()
    assert check.problem is None
    assert check.rows == 40


@pytest.mark.django_db
def test_a_clock_that_stepped_back_repeats_the_heads_time_so_time_order_stays_chain_order(clock):
    later = datetime.datetime(2026, 5, 3, 12, tzinfo=datetime.UTC)
    clock(later)
    head = append(AccessEvent(action="first", outcome=AccessEvent.Outcome.OK))
    clock(later - datetime.timedelta(hours=3))
    after = append(AccessEvent(action="second", outcome=AccessEvent.Outcome.OK))
    assert (after.prev_hash, after.occurred_at) == (head.row_hash, later)
    assert verify()[0].problem is None


@pytest.mark.django_db
def test_the_first_event_after_a_quiet_week_still_links_to_the_head(clock):
    quiet_since = datetime.datetime(2026, 5, 3, 12, tzinfo=datetime.UTC)
    clock(quiet_since)
    head = append(AccessEvent(action="first", outcome=AccessEvent.Outcome.OK))
    clock(quiet_since + datetime.timedelta(days=7))
    assert append(AccessEvent(action="second", outcome=AccessEvent.Outcome.OK)).prev_hash == head.row_hash


@pytest.mark.django_db
def test_finding_the_head_reads_only_the_last_days_partitions():
    create_partitions(since=timezone.now() - datetime.timedelta(days=400))
    append(AccessEvent(action="first", outcome=AccessEvent.Outcome.OK))
    with CaptureQueriesContext(connection) as queries:
        append(AccessEvent(action="second", outcome=AccessEvent.Outcome.OK))
    (lookup,) = [query["sql"] for query in queries if "SELECT row_hash" in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + lookup)
        plan = " ".join(line for (line,) in cursor.fetchall())
    yesterday, year_ago = timezone.now() - datetime.timedelta(days=1), timezone.now() - datetime.timedelta(days=365)
    assert f"audit_accessevent_p{yesterday:%Y_%m}" in plan
    assert f"audit_accessevent_p{year_ago:%Y_%m}" not in plan


@pytest.mark.django_db
def test_a_batch_links_up_after_the_head_as_one_by_one_appends_would_and_verifies():
    (single,) = write_access_events(1)
    batch = append_many([AccessEvent(action=f"batch_{n}", outcome="ok") for n in range(3)])
    assert [event.prev_hash for event in batch] == [single.row_hash, batch[0].row_hash, batch[1].row_hash]
    assert [event.pk for event in batch] == sorted(event.pk for event in batch) and batch[0].pk > single.pk
    for stored in AccessEvent.objects.values(*AccessEvent.CHAINED_FIELDS, "prev_hash", "row_hash"):
        assert row_hash(AccessEvent, stored) == stored["row_hash"]
    output = io.StringIO()
    call_command("audit_verify", stdout=output)
    assert f"OK audit_accessevent: 4 rows, head {batch[-1].row_hash}" in output.getvalue()


@pytest.mark.django_db
def test_a_batch_is_one_insert_up_to_the_protocols_parameter_limit():
    def queries(count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            append_many([AccessEvent(action="batch", outcome="ok") for _ in range(count)])
        return len(captured)

    write_access_events(1)  # a head among the last day's rows: found by the first lookup
    assert queries(2) == queries(40)
    assert append_many([]) == []


@pytest.mark.django_db
def test_a_batch_past_the_protocols_parameter_limit_takes_several_inserts_and_verifies():
    """A large district's first import records tens of thousands of grant changes in one batch."""
    count = MAX_PARAMETERS // len(AccessEvent._meta.concrete_fields) + 1
    with CaptureQueriesContext(connection) as captured:
        batch = append_many([AccessEvent(action=f"batch_{n}", outcome="ok") for n in range(count)])
    assert len([query for query in captured if query["sql"].startswith("INSERT")]) == 2
    output = io.StringIO()
    call_command("audit_verify", stdout=output)
    assert f"OK audit_accessevent: {count} rows, head {batch[-1].row_hash}" in output.getvalue()


@pytest.mark.django_db
def test_a_batch_mixing_tables_is_refused_and_writes_nothing():
    with pytest.raises(ValueError, match="one table"):
        append_many([AccessEvent(action="a", outcome="ok"), SignInEvent(kind="sign_in", identity="x")])
    assert not AccessEvent.objects.exists()
