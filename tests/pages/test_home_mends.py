"""Home page mends: the high-school box only for those who see high schools, empty lists that say why,
a notes feed that pages, a visible way into the admin for staff, and a site icon."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from students.models import EventNote
from tests.factories import EducatorFactory

pytestmark = pytest.mark.django_db


def home(client, query: str = "") -> str:
    response = client.get(reverse("students:home") + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("viewer", ["teacher.5", "principal.baker", "teacher.k"])
def test_k8_staff_get_no_failing_a_class_box(client_for, viewer):
    page = home(client_for(viewer))
    assert "Absences with no note since" in page
    assert "Failing a class" not in page


@pytest.mark.parametrize("viewer", ["counselor.riverside", "district"])
def test_staff_who_see_a_high_school_get_it(client_for, viewer):
    assert "Failing a class, no recent note" in home(client_for(viewer))


def test_a_new_hire_with_no_students_is_told_why_the_page_is_empty(client, demo):
    client.force_login(EducatorFactory())
    page = home(client)
    assert "No students to show yet" in page
    assert "until the next nightly update" in page
    assert "Students who may need attention" not in page
    assert "Administration" not in page


def test_the_privacy_officer_is_told_their_account_is_for_administration(client_for):
    page = home(client_for("privacy"))
    assert "No students to show yet" in page
    assert "It is not given students of its own" in page
    assert "until the next nightly update" not in page


def test_educators_who_see_students_get_no_such_explanation(client_for):
    assert "No students to show yet" not in home(client_for("teacher.5"))


def test_the_notes_feed_pages_back_through_older_notes(client_for, demo):
    mateo, teacher = demo.student("mateo"), demo.educator("teacher.5")
    newest = timezone.now() + datetime.timedelta(minutes=5)  # ahead of the demo's notes
    for number in range(20):
        EventNote.objects.create(
            student=mateo,
            author=teacher,
            note_type="parent",
            text=f"Feed note number {number:02d}.",
            recorded_at=newest + datetime.timedelta(minutes=number),
        )
    client = client_for("teacher.5")

    first = home(client)
    assert "Feed note number 19." in first and "Feed note number 05." in first
    assert "Feed note number 04." not in first
    assert "?notes=2#recent-notes" in first and "Newer notes" not in first

    second = home(client, "?notes=2")
    assert "Feed note number 04." in second and "Feed note number 00." in second
    assert "Feed note number 05." not in second
    assert "?notes=1#recent-notes" in second


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999"])
def test_a_bad_feed_page_shows_the_first(client_for, page):
    shown = home(client_for("teacher.5"), f"?notes={page}")
    assert "Newer notes" not in shown and "No older notes." not in shown


def test_staff_see_a_link_to_the_admin_and_others_do_not(client_for):
    admin = reverse("admin:index")
    assert f'href="{admin}">Administration</a>' in home(client_for("privacy"))
    assert f'href="{admin}"' not in home(client_for("teacher.5"))


def test_the_site_icon_answers_at_the_address_browsers_ask_for_without_sign_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].startswith("/static/img/favicon.") and response["Location"].endswith(".svg")
