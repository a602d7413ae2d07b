"""Every page for an educator who may see it and one who must not: forbidden looks exactly like missing (404)."""

import re

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from students.models import EventNote, Service

pytestmark = pytest.mark.django_db


def without_csrf_tokens(response) -> str:
    """The page with its per-response CSRF tokens blanked, so two responses can be compared."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def restricted_note_of(student):
    return EventNote.objects.filter(student=student, is_restricted=True).first() or EventNote.objects.create(
        student=student,
        author=EventNote.objects.filter(student=student).first().author,
        note_type="counselor",
        restricted_text="Counselor follow-up.",
        is_restricted=True,
        recorded_at="2026-09-20T10:00:00Z",
    )


def active_service_of(student, educator):
    return Service.objects.create(
        student=student, service_type="reading_intervention", date_started="2026-09-15", recorded_by=educator
    )


def page_urls(demo) -> dict[str, str]:
    mateo = demo.student("mateo")
    note = restricted_note_of(mateo)
    service = active_service_of(mateo, demo.educator("teacher.5"))
    return {
        "profile": reverse("students:profile", args=[mateo.pk]),
        "profile with history": reverse("students:profile", args=[mateo.pk]) + "?history=all",
        "new note": reverse("students:note_create", args=[mateo.pk]),
        "new service": reverse("students:service_create", args=[mateo.pk]),
        "discontinue service": reverse("students:service_discontinue", args=[mateo.pk, service.pk]),
        "restricted note": reverse("students:restricted_note", args=[mateo.pk, note.pk]),
        "homeroom": reverse("students:homeroom", args=[demo.homeroom("5-201").pk]),
        "school roster": reverse("students:school_roster", args=[demo.school("BAK").pk]),
        "roster csv": reverse("students:school_roster_csv", args=[demo.school("BAK").pk]),
    }


@pytest.mark.parametrize(
    ("page", "allowed", "refused"),
    [
        ("profile", "teacher.5", "teacher.k"),
        ("profile with history", "counselor.baker", "counselor.riverside"),
        ("new note", "teacher.5", "teacher.biology"),
        ("new service", "el.baker", "sped.ashford"),
        ("discontinue service", "teacher.5", "teacher.k"),
        ("restricted note", "counselor.baker", "teacher.5"),
        ("restricted note", "principal.baker", "counselor.riverside"),
        ("homeroom", "teacher.5", "teacher.k"),
        ("homeroom", "principal.baker", "gradelead.baker"),
        ("school roster", "principal.baker", "teacher.5"),
        ("school roster", "gradelead.baker", "counselor.riverside"),
        ("roster csv", "principal.baker", "teacher.k"),
    ],
)
def test_a_page_opens_for_an_educator_with_access_and_is_missing_for_one_without(
    client_for, demo, page, allowed, refused
):
    urls = page_urls(demo)
    assert client_for(allowed).get(urls[page]).status_code == 200
    assert client_for(refused).get(urls[page]).status_code == 404


def test_a_section_page_opens_for_its_teacher_and_is_missing_for_another_teacher(client_for, demo):
    url = reverse("students:section", args=[demo.section("BIO-101-3").pk])
    assert client_for("teacher.biology").get(url).status_code == 200
    assert client_for("teacher.algebra").get(url).status_code == 404
    assert client_for("counselor.riverside").get(url).status_code == 200


@pytest.mark.parametrize("url_name", ["students:profile", "students:note_create", "students:service_create"])
def test_a_student_who_does_not_exist_looks_the_same_as_a_forbidden_one(client_for, demo, url_name):
    forbidden = client_for("teacher.k").get(reverse(url_name, args=[demo.student("mateo").pk]))
    missing = client_for("teacher.k").get(reverse(url_name, args=[987654321]))
    assert forbidden.status_code == missing.status_code == 404
    assert without_csrf_tokens(forbidden) == without_csrf_tokens(missing)


def test_a_refused_profile_is_recorded_as_a_denied_access(client_for, demo):
    client_for("teacher.k").get(reverse("students:profile", args=[demo.student("mateo").pk]))
    event = AccessEvent.objects.latest("id")
    assert event.outcome == AccessEvent.Outcome.DENIED
    assert event.student_ids == []


def test_a_profile_view_is_recorded_with_the_student_it_showed(client_for, demo):
    mateo = demo.student("mateo")
    client_for("teacher.5").get(reverse("students:profile", args=[mateo.pk]))
    event = AccessEvent.objects.latest("id")
    assert (event.outcome, event.action, event.student_ids) == (AccessEvent.Outcome.OK, "students:profile", [mateo.pk])


def test_editing_a_note_is_only_for_its_author(client_for, demo, teachers_note_about_mateo):
    mateo = demo.student("mateo")
    note = teachers_note_about_mateo("Called home.")
    url = reverse("students:note_edit", args=[mateo.pk, note.pk])
    assert client_for("teacher.5").get(url).status_code == 200
    assert client_for("principal.baker").get(url).status_code == 404


def test_a_note_is_not_reachable_through_another_students_address(client_for, demo):
    note = restricted_note_of(demo.student("mateo"))
    other = demo.student("jordan")
    url = reverse("students:restricted_note", args=[other.pk, note.pk])
    assert client_for("counselor.baker").get(url).status_code == 404


def test_a_withdrawn_student_drops_out_of_the_homeroom_teachers_reach_but_not_the_principals(client_for, demo):
    samira = demo.student("samira")
    url = reverse("students:profile", args=[samira.pk])
    assert client_for("gradelead.baker").get(url).status_code == 404
    page = client_for("principal.baker").get(url)
    assert page.status_code == 200
    assert "Not enrolled: withdrawn." in page.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/", "/students/", "/notes/mine/", "/schools/", "/search/", "/students/1/", "/homerooms/1/", "/sections/1/"],
)
def test_every_page_asks_an_anonymous_visitor_to_sign_in(client, demo, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_lists_only_hold_students_the_educator_may_see(client_for, demo):
    teacher_k = client_for("teacher.k")
    my_students = teacher_k.get(reverse("students:my_students")).content.decode()
    home = teacher_k.get(reverse("students:home")).content.decode()
    assert "Rahman, Aisha" in my_students
    for name in ("Alvarez", "Fitzgerald", "Okafor"):
        assert name not in my_students
        assert name not in home


def test_search_finds_only_students_the_educator_may_see(client_for, demo):
    url = reverse("students:search")
    assert "Mateo Alvarez" in client_for("teacher.5").post(url, {"q": "Alvarez"}).content.decode()
    assert "Mateo Alvarez" not in client_for("teacher.k").post(url, {"q": "Alvarez"}).content.decode()
    suggestions = client_for("teacher.k").post(reverse("students:search_suggestions"), {"q": "Alv"}).json()
    assert suggestions == {"results": []}
