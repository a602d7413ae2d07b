"""Families' requests to inspect a record: logged with a due date, listed while open, closed with a record."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AccessEvent
from audit.readers import audit_readers
from privacy.models import AccessRequest, AccessRequestStatus, due_date
from privacy.operators import privacy_operators
from privacy.services import access_request_close, access_request_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_request(demo, officer):
    def make(student_key: str = "mateo", received_on: datetime.date | None = None) -> AccessRequest:
        return access_request_open(
            actor=officer,
            student=demo.student(student_key),
            requester_name="Rosa Alvarez",
            relationship="parent",
            received_on=received_on or timezone.localdate(),
        )

    return make


def test_a_request_is_due_45_days_after_it_was_received_under_ferpa(open_request):
    request = open_request(received_on=datetime.date(2026, 11, 2))
    assert request.due_on == datetime.date(2026, 12, 17)


def test_a_shorter_state_deadline_applies(settings, open_request):
    settings.PRIVACY_REQUEST_DUE_DAYS = 10
    assert open_request(received_on=datetime.date(2026, 11, 2)).due_on == datetime.date(2026, 11, 12)
    assert due_date(datetime.date(2026, 1, 1)) == datetime.date(2026, 1, 11)


def test_open_for_answers_whether_a_student_has_an_open_request(demo, officer, open_request):
    mateo, lily = demo.student("mateo"), demo.student("lily")
    request = open_request("mateo")
    assert list(AccessRequest.objects.open_for(mateo)) == [request]
    assert not AccessRequest.objects.open_for(lily).exists()
    access_request_close(actor=officer, request=request, status=AccessRequestStatus.FULFILLED)
    assert not AccessRequest.objects.open_for(mateo).exists()


def test_overdue_requests_are_the_open_ones_past_their_due_date(open_request, officer):
    late = open_request("mateo", received_on=timezone.localdate() - datetime.timedelta(days=50))
    open_request("lily")
    assert list(AccessRequest.objects.overdue()) == [late]
    assert late.is_overdue
    access_request_close(actor=officer, request=late, status=AccessRequestStatus.WITHDRAWN)
    assert not AccessRequest.objects.overdue().exists()


def test_only_privacy_operators_log_or_close_requests(demo, open_request):
    with pytest.raises(PermissionDenied):
        access_request_open(
            actor=demo.educator("admin"),
            student=demo.student("mateo"),
            requester_name="Someone",
            relationship="parent",
            received_on=timezone.localdate(),
        )
    request = open_request()
    with pytest.raises(PermissionDenied):
        access_request_close(actor=demo.educator("admin"), request=request, status=AccessRequestStatus.FULFILLED)


def test_a_request_cannot_be_closed_twice_or_reopened(open_request, officer):
    request = open_request()
    with pytest.raises(ValueError, match="fulfilled or withdrawn"):
        access_request_close(actor=officer, request=request, status=AccessRequestStatus.OPEN)
    access_request_close(actor=officer, request=request, status=AccessRequestStatus.FULFILLED, notes="Mailed.")
    with pytest.raises(ValueError, match="already closed"):
        access_request_close(actor=officer, request=request, status=AccessRequestStatus.WITHDRAWN)
    request.refresh_from_db()
    assert (request.status, request.closed_by, request.notes) == ("fulfilled", officer, "Mailed.")


def test_a_request_received_in_the_future_is_refused(open_request):
    with pytest.raises(ValueError, match="future"):
        open_request(received_on=timezone.localdate() + datetime.timedelta(days=1))


def test_the_admin_logs_a_request_by_sis_local_id_and_records_it(client_for, demo):
    mateo = demo.student("mateo")
    response = client_for("privacy").post(
        "/admin/privacy/accessrequest/add/",
        {
            "student_local_id": mateo.local_id,
            "requester_name": "Rosa Alvarez",
            "relationship": "parent",
            "received_on": timezone.localdate().isoformat(),
            "notes": "By letter.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request = AccessRequest.objects.get()
    assert (request.student, request.recorded_by, request.status) == (mateo, demo.educator("privacy"), "open")
    event = AccessEvent.objects.latest("id")
    assert event.changed_student_ids == [mateo.pk]
    assert event.object_ids == {"access_request": [request.pk]}


def test_the_admin_refuses_an_unknown_sis_id_and_saves_nothing(client_for):
    response = client_for("privacy").post(
        "/admin/privacy/accessrequest/add/",
        {"student_local_id": "999999", "requester_name": "X", "relationship": "parent", "received_on": "2026-11-01"},
    )
    assert response.status_code == 200
    assert "No student has that SIS local id." in response.content.decode()
    assert not AccessRequest.objects.exists()


def test_the_admin_refuses_a_future_received_day(client_for, demo):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for("privacy").post(
        "/admin/privacy/accessrequest/add/",
        {
            "student_local_id": demo.student("mateo").local_id,
            "requester_name": "X",
            "relationship": "parent",
            "received_on": tomorrow.isoformat(),
        },
    )
    assert "cannot be received in the future" in response.content.decode()


def test_the_list_shows_open_requests_first_with_overdue_ones_marked(client_for, open_request, officer):
    late = open_request("mateo", received_on=timezone.localdate() - datetime.timedelta(days=50))
    closed = open_request("lily")
    access_request_close(actor=officer, request=closed, status=AccessRequestStatus.FULFILLED)
    client = client_for("privacy")
    page = client.get("/admin/privacy/accessrequest/").content.decode()
    assert str(late) in page and "(overdue)" in page
    assert str(closed) not in page
    assert str(closed) in client.get("/admin/privacy/accessrequest/?status=closed").content.decode()
    assert str(closed) not in client.get("/admin/privacy/accessrequest/?status=overdue").content.decode()
    assert str(closed) in client.get("/admin/privacy/accessrequest/?status=all").content.decode()
    event = AccessEvent.objects.latest("id")
    assert event.student_ids  # the list names students: it is recorded


def test_the_admin_actions_close_requests(client_for, open_request):
    request = open_request()
    response = client_for("privacy").post(
        "/admin/privacy/accessrequest/",
        {"action": "mark_withdrawn", "_selected_action": [request.pk]},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "withdrawn"
    assert AccessEvent.objects.latest("id").changed_student_ids == [request.student_id]


@pytest.mark.parametrize("login", ["admin", "district", "teacher.5"])
def test_privacy_operations_are_closed_to_everyone_else(client_for, login):
    client = client_for(login)
    assert client.get("/admin/privacy/accessrequest/").status_code in (302, 403)
    assert client.get("/admin/privacy/downloadlink/").status_code in (302, 403)


def test_the_demo_privacy_officer_holds_privacy_operations_and_the_audit_permission(demo):
    officer = demo.educator("privacy").email
    assert list(privacy_operators().values_list("email", flat=True)) == [officer]
    assert list(audit_readers().values_list("email", flat=True)) == [officer]
