"""The retention purge: the one way audit rows leave, recorded, and still verifiable afterwards."""

import datetime
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from audit.events import record_sign_in
from audit.models import AccessEvent, SignInEvent
from audit.recorder import command_recording, record_students
from audit.retention import PURGE_ACTION, purge
from audit.verify import verify

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LONG_AGO = datetime.datetime(2016, 3, 1, tzinfo=UTC)
RECENTLY = datetime.datetime(2024, 9, 1, tzinfo=UTC)
TODAY = datetime.datetime(2025, 6, 1, tzinfo=UTC)  # with 2555 days' retention the cutoff is 2018-06-03


def access_event_at(clock, moment, student_id) -> AccessEvent:
    clock(moment)
    with command_recording(actor=None, action="test"):
        record_students([student_id])
    return AccessEvent.objects.get(action="test", student_ids=[student_id])


def sign_in_at(clock, rf, moment) -> SignInEvent:
    clock(moment)
    return record_sign_in(request=rf.get("/"), identity="a@district.example", educator=None, succeeded=False, reason="")


def test_purge_deletes_only_rows_older_than_the_retention_period(clock, rf):
    old = [access_event_at(clock, LONG_AGO, 1), access_event_at(clock, LONG_AGO, 2)]
    young = access_event_at(clock, RECENTLY, 3)
    old_sign_in = sign_in_at(clock, rf, LONG_AGO)
    young_sign_in = sign_in_at(clock, rf, RECENTLY)
    clock(TODAY)

    purged = purge()

    assert not AccessEvent.objects.filter(id__in=[event.id for event in old]).exists()
    assert AccessEvent.objects.filter(id=young.id).exists()
    assert list(SignInEvent.objects.values_list("id", flat=True)) == [young_sign_in.id]
    assert purged == {
        "audit_accessevent": {"deleted": 2, "first_kept_id": young.id, "dropped_partitions": []},
        "audit_signinevent": {"deleted": 1, "first_kept_id": young_sign_in.id, "dropped_partitions": []},
    }
    assert old_sign_in.id < young_sign_in.id


def test_purge_records_itself_with_its_cutoff_and_what_it_kept(clock):
    access_event_at(clock, LONG_AGO, 1)
    kept = access_event_at(clock, RECENTLY, 2)
    clock(TODAY)
    purge()
    event = AccessEvent.objects.get(action=PURGE_ACTION)
    assert event.actor_id is None
    assert event.outcome == "ok"
    assert event.details == {
        "cutoff": "2018-06-03T00:00:00+00:00",
        "kept_from": "2018-06-01T00:00:00+00:00",
        "retention_days": 2555,
        "purged": {"audit_accessevent": {"deleted": 1, "first_kept_id": kept.id, "dropped_partitions": []}},
    }


def test_the_log_still_verifies_after_a_purge(clock, rf):
    access_event_at(clock, LONG_AGO, 1)
    access_event_at(clock, RECENTLY, 2)
    sign_in_at(clock, rf, LONG_AGO)
    sign_in_at(clock, rf, RECENTLY)
    clock(TODAY)
    purge()
    assert [check.problem for check in verify()] == [None, None, None]


def test_purge_keeps_the_newest_row_of_a_table_as_the_chains_head_even_when_it_is_old(clock, rf):
    sign_in_at(clock, rf, LONG_AGO)
    newest = sign_in_at(clock, rf, LONG_AGO + datetime.timedelta(days=1))
    clock(TODAY)
    assert purge()["audit_signinevent"] == {"deleted": 1, "first_kept_id": newest.id, "dropped_partitions": []}
    assert list(SignInEvent.objects.values_list("id", flat=True)) == [newest.id]


def test_deleting_the_oldest_kept_rows_after_a_purge_is_still_detected(clock):
    access_event_at(clock, LONG_AGO, 1)
    first_kept = access_event_at(clock, RECENTLY, 2)
    clock(TODAY)
    purge()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER ALL")
        cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [first_kept.id])
        cursor.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER ALL")
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify")
    assert f"the chain should start at row {first_kept.id}" in str(failure.value)


def test_the_purge_command_says_how_many_rows_it_deleted(clock):
    access_event_at(clock, LONG_AGO, 1)
    access_event_at(clock, RECENTLY, 2)
    clock(TODAY)
    output = io.StringIO()
    call_command("audit_purge", stdout=output)
    assert output.getvalue() == "Deleted 1 audit rows older than 2555 days.\n"


def test_purging_an_empty_log_deletes_nothing_and_is_recorded():
    assert purge() == {}
    assert AccessEvent.objects.get().action == PURGE_ACTION


def test_a_retention_shorter_than_a_year_is_refused_before_anything_is_deleted(clock, settings):
    access_event_at(clock, LONG_AGO, 1)
    access_event_at(clock, RECENTLY, 2)
    settings.AUDIT_RETENTION_DAYS = 30
    with pytest.raises(ImproperlyConfigured, match="at least 365"):
        purge()
    assert AccessEvent.objects.count() == 2
