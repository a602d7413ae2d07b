"""An event naming more students than a worker should hold: its arrays built in SQL, its hash from batches.

The row and its hash must be byte for byte what the ordinary append writes for the same lists,
so the verifier and every report read it like any other, and the worker's memory stays flat in
the number of students.
"""

import datetime
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import chain
from audit.chain import append, append_listed, row_hash, streamed_row_hash
from audit.models import AccessEvent
from audit.recorder import command_recording, record_details, record_students, record_students_from_query
from audit.verify import verify

LISTED = "SELECT DISTINCT student_id FROM listed_students ORDER BY student_id"
STORED_COLUMNS = [field.attname for field in AccessEvent._meta.concrete_fields]


def listed_students(ids) -> None:
    """A temporary table of student ids, as a bulk import leaves its changed students (duplicates included)."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS listed_students")
        cursor.execute("CREATE TEMP TABLE listed_students (student_id bigint)")
        cursor.execute("INSERT INTO listed_students SELECT unnest(%s::bigint[])", [list(ids)])


def stored(event_id: int) -> dict:
    return AccessEvent.objects.values(*STORED_COLUMNS).get(pk=event_id)


def import_event(**fields) -> AccessEvent:
    values = {"actor_email": "importer@district.example", "actor_name": "Zoë Ímporter", "action": "sis_import"}
    return AccessEvent(outcome=AccessEvent.Outcome.OK, details={"run": 7, "ünïcode": ["a", 1.5]}, **values | fields)


@pytest.mark.django_db
def test_a_listed_event_stores_what_append_stores_for_the_same_lists_and_verifies():
    ids = [5, 3, 3, 900_000_000_001, 17]
    listed_students(ids)
    old = append(import_event(student_ids=sorted(set(ids)), changed_student_ids=sorted(set(ids))))
    new = append_listed(import_event(), {"student_ids": LISTED, "changed_student_ids": LISTED})

    old_row, new_row = stored(old.pk), stored(new.pk)
    assert new_row["student_ids"] == new_row["changed_student_ids"] == [3, 5, 17, 900_000_000_001]
    differing = {"id", "occurred_at", "prev_hash", "row_hash"}
    assert {k: v for k, v in new_row.items() if k not in differing} == {
        k: v for k, v in old_row.items() if k not in differing
    }
    assert new_row["prev_hash"] == old.row_hash
    assert row_hash(AccessEvent, new_row) == new_row["row_hash"] == new.row_hash
    assert [check.problem for check in verify()] == [None, None, None]


@pytest.mark.django_db
def test_the_listed_hash_is_the_old_ways_hash_of_the_same_row():
    listed_students(range(1, 25_001))  # more than one batch
    new = append_listed(import_event(), {"student_ids": LISTED, "changed_student_ids": LISTED})
    kept = [name for name in (*AccessEvent.CHAINED_FIELDS, "prev_hash") if "student_ids" not in name]
    as_the_old_way_writes_it = {
        **{name: getattr(new, name) for name in kept},
        "student_ids": list(range(1, 25_001)),
        "changed_student_ids": list(range(1, 25_001)),
        "exported_student_ids": [],
    }
    assert row_hash(AccessEvent, as_the_old_way_writes_it) == new.row_hash


@pytest.mark.django_db
def test_a_listed_column_is_left_unloaded_and_read_from_the_database_when_asked_for():
    listed_students([8, 2])
    event = append_listed(import_event(), {"exported_student_ids": LISTED})
    assert "exported_student_ids" not in event.__dict__
    assert event.exported_student_ids == [2, 8]
    assert event.student_ids == []


@pytest.mark.django_db
def test_an_empty_query_lists_no_students_as_an_empty_list_does():
    listed_students([])
    event = append_listed(import_event(), {"student_ids": LISTED})
    row = stored(event.pk)
    assert row["student_ids"] == []
    assert row_hash(AccessEvent, row) == event.row_hash


@pytest.mark.django_db
def test_only_chained_columns_can_be_listed():
    listed_students([1])
    with pytest.raises(ValueError, match="chained columns only"):
        append_listed(import_event(), {"not_a_column": LISTED})
    assert not AccessEvent.objects.exists()


identifiers = st.lists(st.integers(min_value=1, max_value=2**63 - 1), max_size=40)
texts = st.text(max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    ids=identifiers,
    changed=identifiers,
    batch=st.integers(min_value=1, max_value=7),
    name=texts,
    details=st.dictionaries(texts, st.one_of(st.integers(), texts, st.lists(texts, max_size=3)), max_size=4),
)
def test_the_streamed_hash_equals_row_hash_for_any_lists_batches_and_text(ids, changed, batch, name, details):
    values = {
        "id": 41,
        "occurred_at": datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC),
        "prev_hash": "ab" * 32,
        "actor_id": None,
        "actor_email": "e@x.example",
        "actor_name": name,
        "actor_roles": ["district admin"],
        "action": "sis_import",
        "path": "",
        "method": "",
        "status": None,
        "outcome": "ok",
        "student_ids": ids,
        "changed_student_ids": changed,
        "exported_student_ids": [],
        "object_ids": {},
        "details": details,
        "client_ip": None,
        "user_agent": "",
        "request_id": "",
        "session_hash": "",
    }
    assert set(values) == {*AccessEvent.CHAINED_FIELDS, "prev_hash"}

    def batches(items):
        return [items[start : start + batch] for start in range(0, len(items), batch)]

    listed = {"student_ids": batches(ids), "changed_student_ids": batches(changed)}
    others = {key: value for key, value in values.items() if key not in listed}
    assert streamed_row_hash(AccessEvent, others, listed) == row_hash(AccessEvent, values)


# --- the recorder ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recording_names_its_changed_students_by_a_query():
    listed_students([30, 10, 20, 10])
    with command_recording(actor=None, action="sis_import"):
        record_students_from_query(LISTED)
        record_details(run=1)
    row = AccessEvent.objects.values("student_ids", "changed_student_ids", "exported_student_ids", "details").get()
    assert row == {
        "student_ids": [10, 20, 30],
        "changed_student_ids": [10, 20, 30],
        "exported_student_ids": [],
        "details": {"run": 1},
    }
    assert [check.problem for check in verify()] == [None, None, None]


@pytest.mark.django_db
def test_students_named_by_a_query_alone_make_the_event_and_its_kind_picks_the_columns():
    listed_students([4])
    with command_recording(actor=None, action="viewing"):
        record_students_from_query(LISTED, kind="viewed")
    with command_recording(actor=None, action="exporting"):
        record_students_from_query(LISTED, kind="exported")
    rows = AccessEvent.objects.order_by("id").values_list("student_ids", "changed_student_ids", "exported_student_ids")
    assert list(rows) == [([4], [], []), ([4], [], [4])]


def test_outside_a_recording_a_query_is_ignored_and_a_wrong_kind_refused():
    record_students_from_query(LISTED)
    with pytest.raises(ValueError, match="kind must be one of"):
        record_students_from_query(LISTED, kind="deleted")


@pytest.mark.django_db
@pytest.mark.parametrize("query_first", [False, True], ids=["ids, then a query", "a query, then ids"])
def test_a_recording_cannot_name_students_both_by_ids_and_by_a_query(query_first):
    listed_students([1])
    ways = [lambda: record_students([2], kind="viewed"), lambda: record_students_from_query(LISTED)]
    first, second = reversed(ways) if query_first else ways
    with pytest.raises(ValueError, match="not both"), command_recording(actor=None, action="mixed"):
        first()
        record_students([])  # naming no one is no second way
        with pytest.raises(ValueError, match="not both"):
            second()
        second()  # refused where it is used, not when the event is written
    event = AccessEvent.objects.get()
    assert (event.outcome, event.student_ids) == (AccessEvent.Outcome.ERROR, [1] if query_first else [2])
    assert [check.problem for check in verify()] == [None, None, None]


@pytest.mark.django_db
def test_one_query_listing_several_columns_runs_once():
    listed_students([6, 4])
    with CaptureQueriesContext(connection) as queries:
        event = append_listed(import_event(), {"student_ids": LISTED, "changed_student_ids": LISTED})
    assert sum(LISTED in query["sql"] for query in queries.captured_queries) == 1
    assert stored(event.pk)["student_ids"] == stored(event.pk)["changed_student_ids"] == [4, 6]
    assert row_hash(AccessEvent, stored(event.pk)) == event.row_hash


# --- memory ---------------------------------------------------------------------------------------


def _peak_while_recording(count: int, *, listed: bool) -> int:
    """The Python memory a command's event costs when it names ``count`` changed students."""
    listed_students(range(1, count + 1))
    tracemalloc.start()
    try:
        with command_recording(actor=None, action="sis_import"):
            if listed:
                record_students_from_query(LISTED)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(LISTED)
                    record_students([student_id for (student_id,) in cursor.fetchall()], kind="changed")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
def test_the_listed_events_memory_does_not_grow_with_the_number_of_students(monkeypatch):
    monkeypatch.setattr(chain, "LISTED_BATCH", 1_000)  # the same shape, ten times smaller and faster
    small = _peak_while_recording(2 * chain.LISTED_BATCH, listed=True)
    large = _peak_while_recording(20 * chain.LISTED_BATCH, listed=True)
    held = _peak_while_recording(20 * chain.LISTED_BATCH, listed=False)
    assert large < small * 1.25 + 256 * 1024
    assert held > 10 * large  # the ids held in Python: what the import's event cost before
