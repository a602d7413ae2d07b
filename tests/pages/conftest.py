"""The demo district as the shared fixture for the page tests (see tests/demo_district.py)."""

import pytest

from students.models import EventNote
from tests.demo_district import Cast, seeded_demo_district


@pytest.fixture(scope="package")
def demo_district(django_db_setup, django_db_blocker):
    with seeded_demo_district(django_db_blocker, students=40):
        yield


@pytest.fixture
def demo(demo_district, db) -> Cast:
    return Cast()


@pytest.fixture
def client_for(client, demo):
    """A test client signed in as a cast educator: ``client_for("teacher.5")``."""

    def sign_in(key: str):
        client.force_login(demo.educator(key))
        return client

    return sign_in


@pytest.fixture
def teachers_note_about_mateo(demo):
    """A plain note teacher.5 wrote about Mateo: ``teachers_note_about_mateo("Called home.")``."""

    def write(text: str) -> EventNote:
        return EventNote.objects.create(
            student=demo.student("mateo"),
            author=demo.educator("teacher.5"),
            note_type="parent",
            text=text,
            recorded_at="2026-10-01T12:00:00Z",
        )

    return write
