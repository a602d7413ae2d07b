"""The audit log in the admin: read-only, for auditors only, and every report viewing recorded."""

import pytest
from django.contrib.auth.models import Group, Permission

from audit.events import record_sign_in
from audit.models import AccessEvent
from audit.recorder import command_recording, record_students
from educators.models import Educator
from tests.audit.conftest import give_second_factor

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit.urls")]

REPORTS = "/admin/audit/accessevent/reports/"


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


@pytest.fixture
def staff_client(client, make_educator):
    """Staff with admin access but not the auditor permission."""
    staff = make_educator("staff@district.example", is_staff=True)
    give_second_factor(staff)
    client.force_login(staff)
    return client


@pytest.fixture
def viewed_student(make_student, make_educator):
    student = make_student()
    with command_recording(actor=make_educator("teacher@district.example"), action="students:profile"):
        record_students([student.id])
    return student


def report_events():
    return AccessEvent.objects.filter(action__startswith="admin:audit_report")


def test_the_student_access_report_page_shows_the_accesses_and_records_the_viewing(
    auditor_client, auditor, viewed_student
):
    response = auditor_client.get(REPORTS + "student-access/", {"student": viewed_student.local_id})
    assert response.status_code == 200
    assert b"teacher@district.example" in response.content
    event = report_events().get()
    assert (event.action, event.actor_id, event.student_ids) == (
        "admin:audit_report_student_access",
        auditor.id,
        [viewed_student.id],
    )
    assert event.details == {"report": "student_access", "parameters": {"student": viewed_student.id}, "rows": 1}


def test_a_report_downloaded_as_csv_is_recorded_as_an_export(auditor_client, viewed_student):
    response = auditor_client.get(REPORTS + "student-access/", {"student": viewed_student.local_id, "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="student_access.csv"'
    assert response.content.decode().startswith("time,name,email,roles,action,access,outcome,client ip\r\n")
    assert report_events().get().exported_student_ids == [viewed_student.id]


@pytest.mark.parametrize("slug", ["weekly-usage", "sign-ins"])
def test_aggregate_report_pages_are_recorded_with_their_parameters(auditor_client, rf, slug):
    record_sign_in(request=rf.get("/"), identity="a@district.example", educator=None, succeeded=False, reason="")
    response = auditor_client.get(REPORTS + slug + "/", {"since": "2020-01-01", "until": "2030-12-31"})
    assert response.status_code == 200
    event = report_events().get()
    assert event.student_ids == []
    assert event.details["parameters"] == {"since": "2020-01-01", "until": "2030-12-31"}


def test_the_breach_scope_page_explains_missing_criteria_and_records_nothing(auditor_client):
    response = auditor_client.get(REPORTS + "breach-scope/", {"since": "2025-03-01", "until": "2025-03-31"})
    assert response.status_code == 200
    assert b"Give an account, a network range, or both." in response.content
    assert not report_events().exists()


def test_an_empty_report_form_is_not_a_viewing(auditor_client):
    response = auditor_client.get(REPORTS + "breach-scope/")
    assert response.status_code == 200
    for name in (b"since", b"until", b"account", b"network"):
        assert b'name="' + name + b'"' in response.content
    assert b"The email of the account that was misused." in response.content
    assert not AccessEvent.objects.exists()


def test_report_pages_are_refused_without_the_auditor_permission_and_the_attempt_recorded(staff_client, viewed_student):
    response = staff_client.get(REPORTS + "student-access/", {"student": viewed_student.local_id})
    assert response.status_code == 403
    event = report_events().get()
    assert (event.outcome, event.status, event.student_ids) == ("denied", 403, [])


def test_the_audit_tables_are_hidden_from_staff_without_the_permission(staff_client):
    assert b"Audit log" not in staff_client.get("/admin/").content
    assert staff_client.get("/admin/audit/accessevent/").status_code == 403


def test_the_access_log_lists_events_links_the_reports_and_its_viewing_is_recorded(auditor_client, viewed_student):
    response = auditor_client.get("/admin/audit/accessevent/")
    assert response.status_code == 200
    assert REPORTS.encode() + b"breach-scope/" in response.content
    viewing = AccessEvent.objects.get(action="admin:audit_accessevent_changelist")
    assert viewing.object_ids == {"accessevent": [AccessEvent.objects.get(action="students:profile").id]}


def test_nobody_may_add_change_or_delete_audit_rows_in_the_admin(auditor_client, viewed_student):
    event = AccessEvent.objects.get()
    change_page = auditor_client.get(f"/admin/audit/accessevent/{event.id}/change/")
    assert change_page.status_code == 200
    assert b'name="_save"' not in change_page.content
    assert auditor_client.get("/admin/audit/accessevent/add/").status_code == 403
    assert auditor_client.get(f"/admin/audit/accessevent/{event.id}/delete/").status_code == 403
    assert auditor_client.post(f"/admin/audit/accessevent/{event.id}/change/", {"action": "x"}).status_code == 403


@pytest.fixture
def superuser_client(client, make_educator):
    """A superuser: every admin power, but not the audit permission."""
    root = make_educator("root@district.example", is_staff=True, is_superuser=True)
    give_second_factor(root)
    client.force_login(root)
    return client


@pytest.mark.parametrize("page", ["accessevent", "signinevent", "grantchangeevent", "checkpoint"])
def test_a_superuser_without_the_audit_permission_cannot_read_the_audit_tables(superuser_client, page):
    assert superuser_client.get(f"/admin/audit/{page}/").status_code == 403
    assert b"/admin/audit/" not in superuser_client.get("/admin/").content


def test_a_superuser_without_the_audit_permission_cannot_open_a_report(superuser_client, viewed_student):
    response = superuser_client.get(REPORTS + "student-access/", {"student": viewed_student.local_id})
    assert response.status_code == 403
    assert report_events().get().outcome == "denied"


def test_a_superuser_given_the_audit_permission_through_a_group_reads_the_log(superuser_client, viewed_student):
    group = Group.objects.create(name="Privacy office")
    group.permissions.add(Permission.objects.get(content_type__app_label="audit", codename="view_audit_reports"))
    Educator.objects.get(email="root@district.example").groups.add(group)
    assert superuser_client.get("/admin/audit/accessevent/").status_code == 200


@pytest.mark.parametrize("table", ["signinevent", "grantchangeevent", "checkpoint"])
def test_the_sign_in_and_grant_change_logs_are_readable_by_auditors(auditor_client, table):
    assert auditor_client.get(f"/admin/audit/{table}/").status_code == 200


def test_an_events_page_names_its_students_as_the_record_does_now(auditor_client, viewed_student):
    event = AccessEvent.objects.get(action="students:profile")
    page = auditor_client.get(f"/admin/audit/accessevent/{event.id}/change/").content.decode()
    assert f"#{viewed_student.id} {viewed_student.full_name} (SIS local id {viewed_student.local_id})" in page
