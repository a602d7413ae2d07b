"""Granting by name: the grant forms search educators and targets by what people call them, show the
grant's reach before saving, and speak of grants in words, never naming a student to an admin who may
not see them."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AccessEvent
from permissions import admin_search
from permissions.kinds import KIND_BY_KEY
from permissions.models import DistrictGrant, HomeroomGrant, SchoolGrant, StudentGrant
from permissions.policy import visible_students
from permissions.services import grant_access
from permissions.targets import reach
from students.models import SchoolGrade

pytestmark = pytest.mark.urls("tests.permissions.urls")


@pytest.fixture
def seeing_manager(demo):
    """The districtwide educator made a district admin too: a manager who may see students."""
    dana = demo.educator("district")
    dana.is_staff = True
    dana.save()
    dana.user_permissions.add(Permission.objects.get(codename="manage_grants"))
    return dana


def search(client, model: str, term: str, field: str = "content_object", page: int = 1):
    url = reverse(f"admin:permissions_{model}_search")
    response = client.get(url, {"term": term, "field_name": field, "app_label": "permissions", "page": page})
    assert response.status_code == 200
    return response.json()


def texts(answer) -> list[str]:
    return [result["text"] for result in answer["results"]]


# --- searching ---------------------------------------------------------------------------------------
def test_only_district_admins_may_search_or_preview(signed_in, demo):
    client = signed_in("privacy")  # staff, without manage_grants
    assert client.get(reverse("admin:permissions_schoolgrant_search"), {"term": "Baker"}).status_code == 403
    assert client.get(reverse("admin:permissions_schoolgrant_reach"), {"user": 1, "object": 1}).status_code == 403


def test_schools_homerooms_grades_and_sections_are_found_by_name(signed_in, demo):
    client = signed_in("admin")
    assert texts(search(client, "schoolgrant", "bak")) == ["Baker K-8 (BAK)"]
    assert texts(search(client, "homeroomgrant", "moreau")) == ["homeroom K-101 at Ashford Elementary"]
    assert texts(search(client, "schoolgradegrant", "baker 3")) == ["grade 3 at Baker K-8"]
    assert texts(search(client, "schoolgradegrant", "baker K")) == ["grade K at Baker K-8"]
    sections = texts(search(client, "sectiongrant", "biology riverside"))
    assert sections and all(text.startswith("section BIO-101-") for text in sections)
    assert texts(search(client, "districtgrant", "")) == ["the district"]
    assert search(client, "schoolgrant", "no such school")["results"] == []


def test_educators_are_found_by_name_or_email_and_inactive_ones_are_not(signed_in, demo):
    client = signed_in("admin")
    assert texts(search(client, "schoolgrant", "nora", field="user")) == ["Nora Quinn <newhire@demo.insights.example>"]
    assert texts(search(client, "schoolgrant", "newhire@", field="user")) == texts(
        search(client, "schoolgrant", "quinn", field="user")
    )
    assert search(client, "schoolgrant", "inactive@", field="user")["results"] == []


def test_results_come_in_pages(signed_in, demo, monkeypatch):
    monkeypatch.setattr(admin_search, "PAGE_SIZE", 2)
    client = signed_in("admin")
    first, second = search(client, "schoolgrant", ""), search(client, "schoolgrant", "", page=2)
    assert (len(first["results"]), first["pagination"]["more"]) == (2, True)
    assert (len(second["results"]), second["pagination"]["more"]) == (1, False)
    assert search(client, "schoolgrant", "", page="x")["results"] == first["results"]  # a bad page is the first


def test_an_admin_who_may_not_see_students_finds_them_by_local_id_only_and_the_lookup_is_recorded(signed_in, demo):
    client, aisha = signed_in("admin"), demo.student("aisha")
    assert search(client, "studentgrant", "Rahman")["results"] == []
    answer = search(client, "studentgrant", aisha.local_id)
    assert answer["results"] == [{"id": str(aisha.pk), "text": f"student {aisha.local_id}"}]
    events = list(AccessEvent.objects.filter(action="grant_student_search").order_by("id"))
    assert [event.student_ids for event in events] == [[], [aisha.pk]]  # every lookup, found or not
    assert {event.actor_email for event in events} == {"admin@demo.insights.example"}
    assert all(aisha.local_id not in str(event.details) and "Rahman" not in str(event.details) for event in events)
    assert search(client, "studentgrant", "  ")["results"] == []


def test_a_manager_who_may_see_students_finds_them_by_name(client, demo, seeing_manager):
    client.force_login(seeing_manager)
    aisha = demo.student("aisha")
    assert texts(search(client, "studentgrant", "aisha rahman")) == [f"Rahman, Aisha ({aisha.local_id})"]
    assert AccessEvent.objects.get(action="grant_student_search").student_ids == [aisha.pk]


# --- the reach before saving -------------------------------------------------------------------------
TARGETS = {
    "district": lambda demo: DistrictGrant._meta.get_field("content_object").related_model.objects.get(),
    "school": lambda demo: demo.school("ASH"),
    "grade": lambda demo: SchoolGrade.objects.get(school=demo.school("BAK"), grade="3"),
    "homeroom": lambda demo: demo.homeroom("5-201"),
    "section": lambda demo: demo.section("BIO-101-3"),
    "student": lambda demo: demo.student("eli"),
}


@pytest.mark.parametrize("narrowing", [{}, {"sped_only": True}, {"english_learners_only": True}])
@pytest.mark.parametrize("kind", list(TARGETS))
def test_the_reach_shown_before_saving_is_what_the_grant_then_shows(demo, kind, narrowing):
    newhire, admin = demo.educator("newhire"), demo.educator("admin")
    for flag, value in narrowing.items():
        setattr(newhire, flag, value)
    newhire.save()
    target = TARGETS[kind](demo)
    before = reach(KIND_BY_KEY[kind], target, newhire)
    assert before.students == before.new
    grant_access(actor=admin, educator=newhire, kind=kind, obj=target, reason="Covering")
    assert visible_students(newhire).count() == before.students
    after = reach(KIND_BY_KEY[kind], target, newhire)
    assert (after.students, after.new) == (before.students, 0)


def test_the_preview_endpoint_says_how_many_students_and_how_many_are_new(signed_in, demo):
    client, el_teacher = signed_in("admin"), demo.educator("el.baker")
    homeroom = demo.homeroom("5-201")
    response = client.get(
        reverse("admin:permissions_homeroomgrant_reach"), {"user": el_teacher.pk, "object": homeroom.pk}
    )
    answer = response.json()
    expected = reach(KIND_BY_KEY["homeroom"], homeroom, el_teacher)
    assert (answer["students"], answer["new"]) == (expected.students, 0) and expected.students > 0
    assert answer["text"] == expected.words()
    baker = reach(KIND_BY_KEY["school"], demo.school("BAK"), demo.educator("newhire"))
    assert (
        baker.words() == f"This grant will show {baker.students} students ({baker.students} not visible to them now)."
    )
    single = reach(KIND_BY_KEY["student"], demo.student("eli"), demo.educator("newhire"))
    assert single.words() == "This grant will show 1 student (1 not visible to them now)."


@pytest.mark.parametrize("query", [{}, {"user": "x", "object": "1"}, {"user": "1"}, {"user": "999999", "object": "1"}])
def test_the_preview_asks_for_both_choices(signed_in, demo, query):
    response = signed_in("admin").get(reverse("admin:permissions_schoolgrant_reach"), query)
    assert response.status_code == 400 and "Choose an educator" in response.json()["error"]


def test_the_add_form_searches_through_the_grant_page_and_shows_the_reach_box(signed_in, demo):
    page = signed_in("admin").get(reverse("admin:permissions_homeroomgrant_add")).content.decode()
    assert f'data-ajax--url="{reverse("admin:permissions_homeroomgrant_search")}"' in page
    assert f'data-url="{reverse("admin:permissions_homeroomgrant_reach")}"' in page
    assert "js/grant_reach." in page and 'id="grant-reach"' in page


def test_a_chosen_target_is_shown_by_name_when_the_form_comes_back(signed_in, demo):
    newhire = demo.educator("newhire")
    response = signed_in("admin").post(
        reverse("admin:permissions_homeroomgrant_add"),
        {"user": newhire.pk, "content_object": demo.homeroom("K-101").pk, "reason": ""},
    )
    page = response.content.decode()
    assert "This field is required" in page
    assert "homeroom K-101 at Ashford Elementary</option>" in page
    assert "Nora Quinn &lt;newhire@demo.insights.example&gt;</option>" in page


# --- in words ----------------------------------------------------------------------------------------
def test_grants_read_in_words_without_naming_students(demo):
    assert str(HomeroomGrant.objects.get(user=demo.educator("teacher.k"))) == (
        "Homeroom K-101 at Ashford Elementary grant for Kelly Moreau"
    )
    assert str(SchoolGrant.objects.get(user=demo.educator("counselor.baker"))) == (
        "Schoolwide grant at Baker K-8 for Cora Lindqvist"
    )
    assert str(DistrictGrant.objects.get(user=demo.educator("district"))) == "Districtwide grant for Dana Whitfield"
    single = StudentGrant.objects.filter(user=demo.educator("counselor.riverside")).first()
    assert str(single) == f"Single-student grant (Student #{single.content_object_id}) for Helen Vasquez"
    assert str(SchoolGrant()) == "New schoolwide grant"


def test_messages_say_what_changed_in_words(signed_in, demo):
    client, newhire = signed_in("admin"), demo.educator("newhire")
    response = client.post(
        reverse("admin:permissions_homeroomgrant_add"),
        {"user": newhire.pk, "content_object": demo.homeroom("K-101").pk, "reason": "Co-teacher"},
        follow=True,
    )
    shown = visible_students(newhire).count()
    students = "student" if shown == 1 else "students"
    assert (
        f"Homeroom K-101 at Ashford Elementary grant for Nora Quinn given: Co-teacher. It shows {shown} {students}."
        in response.content.decode()
    )
    grant = HomeroomGrant.objects.get(user=newhire)
    response = client.post(
        reverse("admin:permissions_homeroomgrant_change", args=[grant.pk]), {"reason": "Lead co-teacher"}, follow=True
    )
    assert "Homeroom K-101 at Ashford Elementary grant for Nora Quinn changed: Lead co-teacher." in (
        response.content.decode()
    )
    response = client.post(
        reverse("admin:permissions_homeroomgrant_delete", args=[grant.pk]),
        {"post": "yes", "reason": "left the school"},
        follow=True,
    )
    assert "Homeroom K-101 at Ashford Elementary grant for Nora Quinn revoked: left the school." in (
        response.content.decode()
    )
    listing = client.get(reverse("admin:permissions_homeroomgrant_changelist")).content.decode()
    assert "Homeroom K-101 at Ashford Elementary grant for Kelly Moreau" in listing and "HomeroomGrant #" not in listing


def test_a_single_student_grant_names_its_student_only_to_an_admin_who_may_see_them(client, demo, seeing_manager):
    ruby_grant = StudentGrant.objects.select_related("content_object").get(user=demo.educator("counselor.riverside"))
    student = ruby_grant.content_object
    url = reverse("admin:permissions_studentgrant_changelist")
    client.force_login(demo.educator("admin"))
    assert student.last_name not in client.get(url).content.decode()
    client.force_login(seeing_manager)
    listing = client.get(url).content.decode()
    assert f"Single-student grant ({student.last_name}, {student.first_name}, {student.local_id})" in listing
    assert student.pk in AccessEvent.objects.filter(path=url).latest("id").student_ids
