"""Admin changes that move students are recorded with the students, and ids from URLs are checked first."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent, GrantChangeEvent
from permissions.models import SchoolGrant
from permissions.services import grant_access
from students.models import Homeroom, Student

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo.educator("admin"))
    return client


def last_event() -> AccessEvent:
    return AccessEvent.objects.latest("id")


@pytest.fixture
def homeroom_with_students(demo):
    """A hand-made homeroom holding two Ashford students, with a hand-made grant to cover it."""
    school = demo.school("ASH")
    homeroom = Homeroom.objects.create(school=school, name="K-199", grade="KF")
    students = sorted(Student.objects.filter(school=school).values_list("pk", flat=True)[:2])
    Student.objects.filter(pk__in=students).update(homeroom=homeroom)
    grant_access(
        actor=demo.educator("admin"), educator=demo.educator("newhire"), kind="homeroom", obj=homeroom, reason="Cover"
    )
    return homeroom, students


def test_deleting_a_homeroom_records_the_students_it_held_and_the_grant_that_went_with_it(
    admin_client, demo, homeroom_with_students
):
    homeroom, students = homeroom_with_students
    response = admin_client.post(reverse("admin:students_homeroom_delete", args=[homeroom.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Student.objects.filter(pk__in=students, homeroom__isnull=False).exists()
    event = last_event()
    assert (event.action, sorted(event.changed_student_ids)) == ("admin:students_homeroom_delete", students)
    assert event.object_ids == {"homeroom": [homeroom.pk]}
    removed = GrantChangeEvent.objects.filter(grant_kind="homeroom").latest("id")
    assert (removed.educator_id, removed.after) == (demo.educator("newhire").pk, None)
    assert removed.reason == "Its homeroom was deleted in the admin."


def test_deleting_homerooms_in_bulk_records_their_students(admin_client, homeroom_with_students):
    homeroom, students = homeroom_with_students
    url = reverse("admin:students_homeroom_changelist")
    response = admin_client.post(url, {"action": "delete_selected", "_selected_action": [homeroom.pk], "post": "yes"})
    assert response.status_code == 302
    assert not Homeroom.objects.filter(pk=homeroom.pk).exists()
    assert sorted(last_event().changed_student_ids) == students


def test_changing_a_school_records_every_student_in_it(admin_client, demo):
    school = demo.school("ASH")
    url = reverse("admin:students_school_change", args=[school.pk])
    data = {"local_id": school.local_id, "name": "Ashford Community School", "school_type": school.school_type}
    assert admin_client.post(url, data).status_code == 302
    assert sorted(last_event().changed_student_ids) == sorted(
        Student.objects.filter(school=school).values_list("pk", flat=True)
    )


def test_changing_a_course_records_the_students_in_its_sections(admin_client, demo):
    section = demo.section("BIO-101-3")
    course = section.course
    url = reverse("admin:students_course_change", args=[course.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["description"] = "Biology I"
    assert admin_client.post(url, data).status_code == 302
    enrolled = Student.objects.filter(section_assignments__section__course=course).values_list("pk", flat=True)
    assert sorted(last_event().changed_student_ids) == sorted(set(enrolled))


def test_revoking_a_grant_in_the_admin_records_the_students_it_covered(admin_client, demo):
    grant = SchoolGrant.objects.get(content_object__local_id="BAK", user=demo.educator("principal.baker"))
    url = reverse("admin:permissions_schoolgrant_delete", args=[grant.pk])
    assert admin_client.post(url, {"post": "yes", "reason": "Left the school"}).status_code == 302
    assert not SchoolGrant.objects.filter(pk=grant.pk).exists()
    event = last_event()
    assert sorted(event.changed_student_ids) == sorted(
        Student.objects.filter(school__local_id="BAK").values_list("pk", flat=True)
    )


def test_a_student_id_out_of_range_answers_404_and_is_not_stored(admin_client):
    response = admin_client.get("/admin/students/student/99999999999999999999/change/")
    assert response.status_code == 404
    event = last_event()
    assert (event.action, event.status, event.student_ids) == ("admin:students_student_change", 404, [])


@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_an_id_of_no_row_is_never_stored_as_a_student(admin_client, page):
    missing = Student.objects.order_by("-pk").first().pk + 1000
    assert admin_client.get(f"/admin/students/student/{missing}/{page}/").status_code == 404
    assert last_event().student_ids == []


def test_selected_ids_of_no_row_are_dropped_from_a_bulk_action(admin_client, demo):
    note_url = reverse("admin:students_eventnote_changelist")
    admin_client.post(note_url, {"action": "nothing", "_selected_action": ["99999999999999999999", "12abc"]})
    assert last_event().student_ids == []
    assert last_event().object_ids == {"eventnote": []}


def test_granting_on_a_schools_object_permissions_page_records_the_schools_students(admin_client, demo):
    ashford, newhire = demo.school("ASH"), demo.educator("newhire")
    url = reverse("admin:students_school_permissions_manage_user", args=[ashford.pk, newhire.pk])
    response = admin_client.post(url, {"permissions": ["view_school_students"], "reason": "Covering"})
    assert response.status_code == 302
    event = last_event()
    assert sorted(event.changed_student_ids) == sorted(
        Student.objects.filter(school=ashford).values_list("pk", flat=True)
    )
    assert event.object_ids == {"school": [ashford.pk]}


def test_granting_on_a_students_object_permissions_page_records_that_student(admin_client, demo):
    mateo, newhire, admin = demo.student("mateo"), demo.educator("newhire"), demo.educator("admin")
    grant_access(actor=admin, educator=admin, kind="student", obj=mateo, reason="Handles this family's request")
    url = reverse("admin:students_student_permissions_manage_user", args=[mateo.pk, newhire.pk])
    data = {"permissions": ["view_student_record"], "reason": "Caseload", "expires_at_0": "2099-01-01"}
    response = admin_client.post(url, {**data, "expires_at_1": "12:00"})
    assert response.status_code == 302
    assert last_event().changed_student_ids == [mateo.pk]
