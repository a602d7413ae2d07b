"""Sign-in, sign-out and grant-change records, and the recorder outside of requests."""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError

from audit.events import record_grant_change, record_sign_in, record_sign_out
from audit.models import AccessEvent, Checkpoint, GrantChangeEvent, SignInEvent
from audit.recorder import (
    Recording,
    command_recording,
    current,
    record_denied,
    record_details,
    record_objects,
    record_students,
    set_action,
)
from students.models import School

pytestmark = pytest.mark.django_db


@pytest.fixture
def educator(make_educator):
    return make_educator("teacher@district.example", full_name="Terry Teacher")


def test_a_failed_sign_in_is_recorded_with_the_identity_typed_and_the_reason(rf):
    request = rf.get("/accounts/login/", HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_USER_AGENT="Browser")
    record_sign_in(request=request, identity="  Nobody@District.Example ", educator=None, succeeded=False, reason="bad")
    event = SignInEvent.objects.get()
    assert (event.kind, event.identity, event.educator_id) == ("sign_in", "nobody@district.example", None)
    assert (event.succeeded, event.reason, event.client_ip, event.user_agent) == (
        False,
        "bad",
        "198.51.100.7",
        "Browser",
    )


def test_a_successful_sign_in_and_a_sign_out_name_the_educator(rf, educator):
    record_sign_in(request=rf.post("/"), identity=educator.email, educator=educator, succeeded=True, reason="password")
    record_sign_out(request=rf.post("/"), educator=educator, reason="idle timeout")
    sign_in, sign_out = SignInEvent.objects.order_by("id")
    assert (sign_in.educator_id, sign_in.succeeded) == (educator.id, True)
    assert (sign_out.kind, sign_out.identity, sign_out.educator_id, sign_out.reason) == (
        "sign_out",
        educator.email,
        educator.id,
        "idle timeout",
    )


def test_a_grant_change_keeps_who_whom_what_why_and_before_and_after(educator, make_educator):
    admin = make_educator("admin@district.example")
    expires = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.UTC)
    record_grant_change(
        actor=admin,
        educator=educator,
        grant_kind="school",
        object_label="Baker Elementary",
        before={"expires_at": None},
        after={"expires_at": expires},
        reason="covering for a colleague",
    )
    change = GrantChangeEvent.objects.get()
    assert (change.actor_id, change.actor_email, change.educator_id, change.educator_email) == (
        admin.id,
        admin.email,
        educator.id,
        educator.email,
    )
    assert (change.grant_kind, change.object_label, change.reason) == (
        "school",
        "Baker Elementary",
        "covering for a colleague",
    )
    assert change.before == {"expires_at": None}
    assert change.after == {"expires_at": "2026-01-31T12:00:00Z"}


def test_a_grant_change_by_the_sis_sync_has_no_actor(educator):
    record_grant_change(
        actor=None,
        educator=educator,
        grant_kind="homeroom",
        object_label="Homeroom 5A",
        before={},
        after=None,
        reason="",
    )
    change = GrantChangeEvent.objects.get()
    assert (change.actor_id, change.actor_email, change.after) == (None, "", None)


def test_a_command_run_is_one_event_under_its_actor(educator):
    with command_recording(actor=educator, action="import_students") as recording:
        record_students([2, 1], kind="changed")
        record_objects("service", [5, 5])
        record_details(rows=2)
        assert current() is recording
    event = AccessEvent.objects.get()
    assert (event.action, event.actor_id, event.actor_name, event.method, event.status) == (
        "import_students",
        educator.id,
        "Terry Teacher",
        "",
        None,
    )
    assert (event.changed_student_ids, event.object_ids, event.details) == ([2, 1], {"service": [5]}, {"rows": 2})
    assert (event.client_ip, event.request_id, event.outcome) == (None, "", "ok")
    assert current() is None


def test_a_command_that_fails_is_still_recorded_as_an_error(educator):
    with pytest.raises(IntegrityError), command_recording(actor=educator, action="import_students"):
        record_students([3])
        raise IntegrityError("the import failed")
    event = AccessEvent.objects.get()
    assert (event.outcome, event.student_ids) == ("error", [3])


def test_a_command_that_is_denied_is_recorded_as_denied(educator):
    with command_recording(actor=educator, action="export_roster"):
        set_action("export_roster_denied")
        record_denied()
    assert AccessEvent.objects.get().outcome == "denied"
    assert AccessEvent.objects.get().action == "export_roster_denied"


def test_a_command_run_with_nothing_touched_is_recorded_too():
    with command_recording(actor=None, action="nightly_job"):
        pass
    assert AccessEvent.objects.get().action == "nightly_job"


def test_outside_a_recording_reports_are_ignored():
    record_students([1])
    record_objects("note", [1])
    record_denied()
    record_details(report="x")
    set_action("nothing")
    assert current() is None
    assert not AccessEvent.objects.exists()


def test_an_unknown_kind_of_access_is_refused():
    with pytest.raises(ValueError, match="viewed, changed, exported"):
        record_students([1], kind="printed")


def test_a_recording_with_nothing_in_it_needs_no_event():
    assert not Recording().touched_anything
    assert Recording(denied=True).touched_anything


def test_audit_rows_describe_themselves_by_id_only(rf, educator):
    with command_recording(actor=educator, action="x"):
        record_students([1])
    sign_in = record_sign_in(request=rf.get("/"), identity=educator.email, educator=educator, succeeded=True, reason="")
    change = record_grant_change(
        actor=None, educator=educator, grant_kind="school", object_label="Baker", before=None, after={}, reason=""
    )
    access = AccessEvent.objects.get()
    checkpoint = Checkpoint.objects.create(occurred_at=access.occurred_at, table="t", row_count=0, head_hash="")
    assert [str(access), str(sign_in), str(change), str(checkpoint)] == [
        f"Access event #{access.pk}",
        f"Sign-in event #{sign_in.pk}",
        f"Grant change #{change.pk}",
        f"Checkpoint #{checkpoint.pk}",
    ]


def test_a_command_that_fails_has_its_changes_rolled_back_before_it_is_recorded(educator):
    with pytest.raises(RuntimeError), command_recording(actor=educator, action="import_students"):
        School.objects.create(local_id="NEW", name="New School", school_type="ES")
        raise RuntimeError("the import failed")
    assert not School.objects.filter(local_id="NEW").exists()
    assert AccessEvent.objects.get().outcome == "error"


def test_a_command_whose_event_cannot_be_written_changes_nothing(educator, audit_inserts_fail):
    with pytest.raises(DatabaseError), command_recording(actor=educator, action="import_students"):
        School.objects.create(local_id="NEW", name="New School", school_type="ES")
    assert not School.objects.filter(local_id="NEW").exists()
