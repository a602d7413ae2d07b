"""The demo district as privacy operations' fixture: the `privacy` login runs them (tests/privacy_fixtures.py)."""

import pytest

from students.models import EventNote
from tests import privacy_fixtures

demo_district, demo, officer = privacy_fixtures.demo_district, privacy_fixtures.demo, privacy_fixtures.officer


@pytest.fixture
def client_for(client, demo):
    """A test client signed in as a cast educator: ``client_for("privacy")``."""

    def sign_in(key: str):
        client.force_login(demo.educator(key))
        return client

    return sign_in


@pytest.fixture
def note(demo):
    """A parent-contact note about Mateo, for a family to dispute."""
    return EventNote.objects.create(
        student=demo.student("mateo"),
        author=demo.educator("teacher.5"),
        note_type="parent",
        text="Mateo was absent all week.",
        recorded_at="2026-10-01T12:00:00Z",
    )
