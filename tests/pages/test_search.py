"""Finding a student: by name or id, among visible students only, with the typed text kept out of URLs and logs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessEvent
from students.models import Student
from tests.pages.plans import plan_of_query_containing

pytestmark = pytest.mark.django_db


def test_a_student_is_found_by_first_name_last_name_or_local_id(client_for, demo):
    mateo = demo.student("mateo")
    client = client_for("teacher.5")
    for text in ("Mateo", "alvarez", "mat alv", mateo.local_id):
        page = client.post(reverse("students:search"), {"q": text}).content.decode()
        assert f'href="{reverse("students:profile", args=[mateo.pk])}"' in page, text


def test_the_type_ahead_answers_with_names_and_profile_links(client_for, demo):
    mateo = demo.student("mateo")
    answer = client_for("teacher.5").post(reverse("students:search_suggestions"), {"q": "Alvar"}).json()
    assert answer == {
        "results": [
            {
                "name": "Mateo Alvarez",
                "detail": "Grade 5 · Baker K-8",
                "url": reverse("students:profile", args=[mateo.pk]),
            }
        ]
    }


def test_the_type_ahead_waits_for_two_characters(client_for, demo):
    assert client_for("district").post(reverse("students:search_suggestions"), {"q": "a"}).json() == {"results": []}


def test_search_text_is_only_accepted_by_post(client_for, demo):
    client = client_for("teacher.5")
    assert client.get(reverse("students:search_suggestions") + "?q=Mateo").status_code == 405
    page = client.get(reverse("students:search") + "?q=Mateo").content.decode()
    assert "Alvarez" not in page


def test_an_empty_or_overlong_search_says_what_to_do(client_for, demo):
    client = client_for("teacher.5")
    assert (
        "Type part of a name or a student id." in client.post(reverse("students:search"), {"q": "  "}).content.decode()
    )
    assert "at most 100 characters" in client.post(reverse("students:search"), {"q": "x" * 101}).content.decode()


def test_the_search_is_recorded_with_the_students_shown_but_not_the_text_typed(client_for, demo):
    client_for("teacher.5").post(reverse("students:search"), {"q": "Alvarez"})
    event = AccessEvent.objects.latest("id")
    assert event.student_ids == [demo.student("mateo").pk]
    assert "Alvarez" not in str([event.path, event.details, event.object_ids, event.action])


def test_the_keep_alive_answers_how_long_the_session_has_left(client_for, demo, settings):
    client = client_for("teacher.5")
    answer = client.post(reverse("session_keep_alive")).json()
    assert answer["signed_in"] is True
    assert 0 < answer["seconds_remaining"] <= settings.SESSION_IDLE_TIMEOUT_SECONDS


def test_the_keep_alive_says_when_nobody_is_signed_in(client):
    assert client.post(reverse("session_keep_alive")).status_code == 401


def test_names_match_without_regard_to_accents_either_way(client_for, demo):
    mateo = demo.student("mateo")
    jose = Student.objects.create(
        local_id="990001", first_name="José", last_name="Muñoz", grade="5", school=mateo.school, homeroom=mateo.homeroom
    )
    client = client_for("teacher.5")
    for text in ("Jose", "josé", "MUNOZ", "muñ", "jose mun"):
        page = client.post(reverse("students:search"), {"q": text}).content.decode()
        assert f'href="{reverse("students:profile", args=[jose.pk])}"' in page, text
    assert client.post(reverse("students:search"), {"q": "Alvarez"}).content.decode().count("Muñoz") == 0


def test_the_name_search_reads_the_folded_name_indexes(client_for, demo):
    client = client_for("district")
    with CaptureQueriesContext(connection) as queries:
        client.post(reverse("students:search"), {"q": "jose"})
    plan = plan_of_query_containing(
        queries,
        "insights_unaccent",
        tables=("students_student",),
        keeping=("student_first_name_folded_idx", "student_last_name_folded_idx"),
    )
    assert "student_first_name_folded_idx" in plan, plan
    assert "student_last_name_folded_idx" in plan, plan
