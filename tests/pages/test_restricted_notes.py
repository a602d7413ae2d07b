"""Restricted note text appears on its own page only, for educators holding the permission, and each showing
is its own audit event. It is never loaded for lists or the profile."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from students.models import EventNote

pytestmark = pytest.mark.django_db

SECRET = "Zebra-umbrella disclosure in counseling"


@pytest.fixture
def restricted(demo):
    return EventNote.objects.create(
        student=demo.student("mateo"),
        author=demo.educator("counselor.baker"),
        note_type="counselor",
        restricted_text=SECRET,
        is_restricted=True,
        recorded_at=timezone.now(),
    )


def every_page_but_its_own(demo, note) -> list[tuple[str, str, dict | None]]:
    mateo = demo.student("mateo")
    baker = demo.school("BAK")
    return [
        ("get", reverse("students:home"), None),
        ("get", reverse("students:profile", args=[mateo.pk]), None),
        ("get", reverse("students:profile", args=[mateo.pk]) + "?history=all", None),
        ("get", reverse("students:restricted_note", args=[mateo.pk, note.pk]), None),
        ("get", reverse("students:note_create", args=[mateo.pk]), None),
        ("get", reverse("students:my_notes"), None),
        ("get", reverse("students:my_students"), None),
        ("get", reverse("students:homeroom", args=[demo.homeroom("5-201").pk]), None),
        ("get", reverse("students:school_roster", args=[baker.pk]), None),
        ("get", reverse("students:school_roster_csv", args=[baker.pk]), None),
        ("post", reverse("students:search"), {"q": "Mateo"}),
        ("post", reverse("students:search_suggestions"), {"q": "Mateo"}),
    ]


@pytest.mark.parametrize("viewer", ["counselor.baker", "principal.baker"])
def test_restricted_text_is_absent_from_every_page_but_its_own(client_for, demo, restricted, viewer):
    client = client_for(viewer)
    for method, url, data in every_page_but_its_own(demo, restricted):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url


def test_the_profile_marks_a_restricted_note_and_offers_to_show_it(client_for, demo, restricted):
    mateo = demo.student("mateo")
    page = client_for("counselor.baker").get(reverse("students:profile", args=[mateo.pk])).content.decode()
    assert "Restricted" in page
    assert f'action="{reverse("students:restricted_note", args=[mateo.pk, restricted.pk])}"' in page
    teacher_page = client_for("teacher.5").get(reverse("students:profile", args=[mateo.pk])).content.decode()
    assert "This note is restricted." in teacher_page
    assert "Show restricted note" not in teacher_page


def test_profile_queries_never_read_the_restricted_column(client_for, demo, restricted):
    client = client_for("counselor.baker")
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("students:profile", args=[demo.student("mateo").pk]) + "?history=all")
    assert not [query["sql"] for query in queries if "restricted_text" in query["sql"]]


def test_asking_to_show_the_note_shows_its_text_and_records_the_showing(client_for, demo, restricted):
    mateo = demo.student("mateo")
    response = client_for("principal.baker").post(reverse("students:restricted_note", args=[mateo.pk, restricted.pk]))
    assert SECRET in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.student_ids, event.object_ids) == (
        "students:restricted_note",
        [mateo.pk],
        {"restricted_note": [restricted.pk]},
    )


def test_an_educator_without_the_permission_cannot_show_the_text(client_for, demo, restricted):
    response = client_for("teacher.5").post(
        reverse("students:restricted_note", args=[demo.student("mateo").pk, restricted.pk])
    )
    assert response.status_code == 404
    assert SECRET not in response.content.decode()
    assert AccessEvent.objects.latest("id").outcome == AccessEvent.Outcome.DENIED


def test_a_plain_note_is_not_reachable_through_the_restricted_address(client_for, demo):
    mateo = demo.student("mateo")
    plain = EventNote.objects.filter(student=mateo, is_restricted=False).first()
    url = reverse("students:restricted_note", args=[mateo.pk, plain.pk])
    assert client_for("counselor.baker").post(url).status_code == 404


def test_the_author_edits_a_restricted_note_and_that_showing_is_recorded(client_for, demo, restricted):
    mateo = demo.student("mateo")
    client = client_for("counselor.baker")
    url = reverse("students:note_edit", args=[mateo.pk, restricted.pk])
    assert SECRET in client.get(url).content.decode()
    assert AccessEvent.objects.latest("id").object_ids == {"restricted_note": [restricted.pk]}
    client.post(url, {"note_type": "counselor", "text": "Rewritten.", "is_restricted": "on"})
    restricted.refresh_from_db()
    assert (restricted.is_restricted, restricted.text, restricted.restricted_text) == (True, "", "Rewritten.")
    revision = restricted.revisions.get()
    assert (revision.is_restricted, revision.text, revision.restricted_text) == (True, "", SECRET)
