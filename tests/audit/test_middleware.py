"""The middleware writes exactly one AccessEvent for each request that touched student data, and none otherwise."""

import hashlib
import uuid

import pytest
from django.test import Client

from audit.models import AccessEvent
from students.models import School
from tests.audit.conftest import give_second_factor

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit.urls")]


@pytest.fixture
def teacher(make_educator):
    return make_educator("teacher@district.example", full_name="Terry Teacher")


@pytest.fixture
def signed_in(client, teacher):
    client.force_login(teacher)
    return client


def test_a_page_that_reports_students_writes_exactly_one_event_naming_them(signed_in, teacher):
    response = signed_in.get("/t/students/42/", HTTP_USER_AGENT="Browser/1.0", HTTP_X_REQUEST_ID="req-abc-123")
    event = AccessEvent.objects.get()
    assert response.status_code == 200
    assert event.student_ids == [42]
    assert event.action == "test_profile"
    assert (event.method, event.status, event.outcome, event.path) == ("GET", 200, "ok", "/t/students/42/")
    assert (event.actor_id, event.actor_email, event.actor_name) == (teacher.id, teacher.email, "Terry Teacher")
    assert event.actor_roles == []
    assert event.user_agent == "Browser/1.0"
    assert event.request_id == "req-abc-123"
    assert event.session_hash == hashlib.sha256(signed_in.session.session_key.encode()).hexdigest()


def test_a_page_touching_no_student_data_writes_no_event(signed_in):
    assert signed_in.get("/t/plain/").status_code == 200
    assert not AccessEvent.objects.exists()


def test_a_policy_denial_is_recorded_as_denied_with_its_404(signed_in):
    assert signed_in.get("/t/denied/").status_code == 404
    event = AccessEvent.objects.get()
    assert (event.outcome, event.status, event.student_ids, event.action) == ("denied", 404, [], "test_denied")


def test_an_unknown_url_is_not_recorded(signed_in):
    assert signed_in.get("/t/no-such-page/").status_code == 404
    assert not AccessEvent.objects.exists()


def test_a_view_that_raises_is_still_recorded_as_an_error(teacher):
    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    assert client.get("/t/broken/").status_code == 500
    event = AccessEvent.objects.get()
    assert (event.outcome, event.status, event.student_ids) == ("error", 500, [9])


def test_students_are_listed_once_in_the_order_reported_with_other_objects(signed_in):
    signed_in.get("/t/roster/")
    event = AccessEvent.objects.get()
    assert event.student_ids == [3, 1, 2]
    assert event.object_ids == {"note": [7]}
    assert event.changed_student_ids == event.exported_student_ids == []


def test_changed_and_exported_students_are_kept_apart(signed_in):
    signed_in.post("/t/students/11/note/")
    signed_in.get("/t/export/")
    changed, exported = AccessEvent.objects.order_by("id")
    assert (changed.student_ids, changed.changed_student_ids, changed.method) == ([11], [11], "POST")
    assert (exported.student_ids, exported.exported_student_ids) == ([4, 5], [4, 5])


def test_a_view_can_name_its_action(signed_in):
    signed_in.get("/t/print/")
    assert AccessEvent.objects.get().action == "students:profile_print"


def test_an_anonymous_request_that_touches_students_is_recorded_without_an_actor(client):
    client.get("/t/students/5/")
    event = AccessEvent.objects.get()
    assert (event.actor_id, event.actor_email, event.actor_roles, event.session_hash) == (None, "", [], "")


def test_a_request_without_a_usable_request_id_gets_a_fresh_one(signed_in):
    signed_in.get("/t/students/1/", HTTP_X_REQUEST_ID="not valid; has spaces")
    assert uuid.UUID(AccessEvent.objects.get().request_id)


@pytest.mark.parametrize(
    ("trusted_proxies", "forwarded_for", "expected"),
    [
        (1, "203.0.113.9, 198.51.100.7", "198.51.100.7"),  # Heroku's router appended the real address
        (2, "203.0.113.9, 198.51.100.7", "203.0.113.9"),  # a CDN in front of the router
        (3, "198.51.100.7", "198.51.100.7"),  # fewer hops than configured: the leftmost address
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy: the socket's address
        (1, "", "127.0.0.1"),
        (1, "not-an-address", None),
        (1, "2001:DB8:0:0::1", "2001:db8::1"),
    ],
)
def test_the_client_ip_is_the_one_the_trusted_proxies_saw(client, settings, trusted_proxies, forwarded_for, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = trusted_proxies
    client.get("/t/students/1/", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert AccessEvent.objects.get().client_ip == expected


def test_a_long_user_agent_is_truncated_and_nul_characters_dropped(client):
    client.get("/t/students/1/", HTTP_USER_AGENT="A\x00" + "x" * 400)
    assert AccessEvent.objects.get().user_agent == "A" + "x" * 299


@pytest.fixture
def admin_user(make_educator):
    educator = make_educator("admin@district.example", is_staff=True, is_superuser=True)
    give_second_factor(educator)
    return educator


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_an_admin_change_list_of_students_records_the_students_on_the_page(admin_client, make_student):
    students = [make_student(), make_student()]
    assert admin_client.get("/test-admin/students/student/").status_code == 200
    event = AccessEvent.objects.get()
    assert sorted(event.student_ids) == sorted(student.id for student in students)
    assert event.action == "test_admin:students_student_changelist"
    assert event.actor_roles == ["staff", "superuser"]


def test_an_admin_change_page_of_a_student_records_that_student(admin_client, make_student):
    student = make_student()
    assert admin_client.get(f"/test-admin/students/student/{student.id}/change/").status_code == 200
    assert AccessEvent.objects.get().student_ids == [student.id]


def test_saving_an_admin_change_page_records_the_student_as_changed(admin_client, make_student):
    student = make_student()
    admin_client.post(f"/test-admin/students/student/{student.id}/change/", {})
    event = AccessEvent.objects.get()
    assert (event.changed_student_ids, event.method) == ([student.id], "POST")


def test_an_admin_bulk_action_records_the_selected_students_as_changed(admin_client, make_student):
    student = make_student()
    admin_client.post(
        "/test-admin/students/student/", {"action": "delete_selected", "_selected_action": [str(student.id)]}
    )
    assert AccessEvent.objects.get().changed_student_ids == [student.id]


def test_an_admin_page_of_a_note_records_the_note_and_its_student(admin_client, make_student, admin_user):
    from django.utils import timezone

    from students.models import EventNote

    student = make_student()
    note = EventNote.objects.create(
        student=student, author=admin_user, note_type="sst", text="Fictional note", recorded_at=timezone.now()
    )
    admin_client.get(f"/test-admin/students/eventnote/{note.id}/history/")
    event = AccessEvent.objects.get()
    assert (event.student_ids, event.object_ids) == ([student.id], {"eventnote": [note.id]})


def test_deleting_a_note_in_the_admin_records_the_student_it_belonged_to(admin_client, make_student, admin_user):
    from django.utils import timezone

    from students.models import EventNote

    student = make_student()
    note = EventNote.objects.create(
        student=student, author=admin_user, note_type="sst", text="Fictional note", recorded_at=timezone.now()
    )
    assert admin_client.post(f"/test-admin/students/eventnote/{note.id}/delete/", {"post": "yes"}).status_code == 302
    assert not EventNote.objects.filter(id=note.id).exists()
    event = AccessEvent.objects.get()
    assert (event.changed_student_ids, event.object_ids) == ([student.id], {"eventnote": [note.id]})


def test_a_post_to_the_admin_autocomplete_is_refused_and_recorded_without_ids(admin_client):
    query = "app_label=students&model_name=eventnote&field_name=student&term=Zeph"
    assert admin_client.post(f"/test-admin/autocomplete/?{query}").status_code == 405
    event = AccessEvent.objects.get()
    assert (event.action, event.student_ids, event.status) == ("test_admin:autocomplete", [], 405)


def test_an_admin_page_with_a_malformed_id_is_recorded_without_ids(admin_client):
    admin_client.get("/test-admin/students/student/not-a-number/change/")
    event = AccessEvent.objects.get()
    assert (event.student_ids, event.action) == ([], "test_admin:students_student_change")


def test_admin_pages_of_models_without_student_data_are_not_recorded(admin_client):
    assert admin_client.get("/test-admin/students/school/").status_code == 200
    assert admin_client.get("/test-admin/").status_code == 200
    assert admin_client.get("/fake-admin/x/").status_code == 200
    assert not AccessEvent.objects.exists()


def test_an_anonymous_visit_to_an_admin_student_page_is_not_recorded(client):
    assert client.get("/test-admin/students/student/").status_code == 302
    assert not AccessEvent.objects.exists()


def test_a_refused_admin_student_page_is_recorded_as_denied(client, make_educator):
    staff = make_educator("staff@district.example", is_staff=True)
    give_second_factor(staff)
    client.force_login(staff)
    assert client.get("/test-admin/students/student/").status_code == 403
    event = AccessEvent.objects.get()
    assert (event.outcome, event.status) == ("denied", 403)


def test_an_admin_autocomplete_search_for_students_records_the_students_it_returned(admin_client, make_student):
    found, _other = make_student(last_name="Zephyr"), make_student(last_name="Quill")
    query = {"app_label": "students", "model_name": "eventnote", "field_name": "student", "term": "Zeph"}
    assert admin_client.get("/test-admin/autocomplete/", query).status_code == 200
    event = AccessEvent.objects.get()
    assert (event.action, event.student_ids) == ("test_admin:autocomplete", [found.id])


def test_admin_autocomplete_searches_of_other_models_are_not_recorded(admin_client):
    query = {"app_label": "students", "model_name": "eventnote", "field_name": "author", "term": "x"}
    assert admin_client.get("/test-admin/autocomplete/", query).status_code == 403
    assert not AccessEvent.objects.exists()
    query.update(model_name="school", field_name="student")
    assert admin_client.get("/test-admin/autocomplete/", query).status_code == 403
    assert not AccessEvent.objects.exists()


def test_a_refused_admin_autocomplete_search_for_students_is_recorded_as_denied(client, make_educator, make_student):
    make_student(last_name="Zephyr")
    staff = make_educator("staff@district.example", is_staff=True)
    give_second_factor(staff)
    client.force_login(staff)
    query = {"app_label": "students", "model_name": "eventnote", "field_name": "student", "term": "Zeph"}
    assert client.get("/test-admin/autocomplete/", query).status_code == 403
    event = AccessEvent.objects.get()
    assert (event.outcome, event.student_ids) == ("denied", [])


def test_a_write_and_its_event_commit_together(signed_in):
    assert signed_in.post("/t/schools/open/").status_code == 200
    assert School.objects.filter(local_id="NEW").exists()
    assert AccessEvent.objects.get().object_ids == {"school": ["NEW"]}


def test_a_write_whose_event_cannot_be_written_is_rolled_back_with_a_clear_page(signed_in, audit_inserts_fail):
    response = signed_in.post("/t/schools/open/")
    assert response.status_code == 503
    assert "Nothing was saved" in response.content.decode()
    assert not School.objects.filter(local_id="NEW").exists()


def test_a_write_that_fails_is_rolled_back_and_recorded_as_an_error(teacher):
    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    assert client.post("/t/schools/open-and-fail/").status_code == 500
    assert not School.objects.filter(local_id="NEW").exists()
    event = AccessEvent.objects.get()
    assert (event.outcome, event.status, event.method) == ("error", 500, "POST")


def test_a_read_whose_event_cannot_be_written_shows_no_student_data(teacher, audit_inserts_fail):
    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    response = client.get("/t/students/42/")
    assert response.status_code == 500
    assert b"profile" not in response.content


def test_a_failed_write_whose_error_event_cannot_be_written_still_gets_its_error_page(teacher, audit_inserts_fail):
    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    assert client.post("/t/schools/open-and-fail/").status_code == 500
    assert not School.objects.filter(local_id="NEW").exists()
