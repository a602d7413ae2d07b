"""The home's notes feed: the same notes whether it walks the district's newest notes or reads each
visible student's own, only plain notes about visible students, newest first, a page at a time."""

import datetime

import pytest
from django.utils import timezone

from permissions.policy import visible_students
from students import selectors
from students.models import EventNote
from students.selectors import home_lists
from tests.pages.test_home import home, section

pytestmark = pytest.mark.django_db

VIEWERS = ["principal.baker", "teacher.5", "housemaster.riverside", "district"]


@pytest.fixture(params=[0, 5, 1_000_000], ids=["each-students-own", "short-walk-then-own", "walk"])
def walked_notes(request, monkeypatch):
    """How far the feed walks the district's newest notes: not at all and too short to fill the page (each
    visible student's own notes are read), or far enough to find every page's notes on the walk."""
    monkeypatch.setattr(home_lists, "FEED_WALK_NOTES", request.param)
    return request.param


@pytest.fixture
def newest_notes(demo):
    """The district's newest notes: about Baker and Riverside students, plain and restricted, some at one moment."""
    now = timezone.now()
    author = demo.educator("counselor.baker")
    notes = []
    for minutes, key in enumerate(["mateo", "jordan", "mateo", "jordan"]):
        for restricted in (False, True):
            notes.append(
                EventNote.objects.create(
                    student=demo.student(key),
                    author=author,
                    note_type="parent",
                    text="" if restricted else f"Plain note {minutes} about {key}.",
                    restricted_text="Hidden text." if restricted else "",
                    is_restricted=restricted,
                    recorded_at=now - datetime.timedelta(minutes=minutes // 2),
                )
            )
    riverside = demo.school("RHS").students.order_by("pk").first()
    notes.append(
        EventNote.objects.create(
            student=riverside, author=author, note_type="parent", text="Riverside's newest.", recorded_at=now
        )
    )
    return notes


def expected_feed(educator, page: int) -> list[int]:
    """The page's notes as the policy and the feed's rules define them, read plainly with the ORM."""
    notes = EventNote.objects.filter(student__in=visible_students(educator), is_restricted=False)
    first = (page - 1) * selectors.home.RECENT_NOTES
    return list(notes.order_by("-recorded_at", "-id").values_list("pk", flat=True)[first : first + 16])


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_feed_is_the_visible_students_newest_plain_notes_however_it_is_read(
    demo, newest_notes, walked_notes, viewer
):
    educator = demo.educator(viewer)
    for page in (1, 2, 3):
        expected = expected_feed(educator, page)
        shown = selectors.home_page(educator=educator, notes_page=page)
        assert [note.pk for note in shown.recent_notes] == expected[:15]
        assert shown.more_notes == (len(expected) > 15)
    first_page = selectors.home_page(educator=educator).recent_notes
    assert first_page, "every viewer sees notes, so the feed's reading is exercised"
    assert not any(note.is_restricted for note in first_page)


def test_a_principal_sees_their_schools_notes_only_and_never_restricted_ones(demo, newest_notes, walked_notes):
    feed = [note.pk for note in selectors.home_page(educator=demo.educator("principal.baker")).recent_notes]
    plain, restricted = newest_notes[0:8:2], newest_notes[1:8:2]
    assert feed[:4] == [note.pk for note in sorted(plain, key=lambda n: (n.recorded_at, n.pk), reverse=True)]
    assert not {note.pk for note in restricted} & set(feed)
    assert newest_notes[-1].pk not in feed  # Riverside's, the district's newest


def test_the_feed_escapes_names_and_text_however_it_is_read(client_for, demo, walked_notes):
    jordan = demo.student("jordan")
    jordan.first_name = "<i>Ital</i>"
    jordan.save(update_fields=["first_name"])
    EventNote.objects.create(
        student=jordan,
        author=demo.educator("counselor.baker"),
        note_type="parent",
        text="<script>alert(1)</script> called",
        recorded_at=timezone.now(),
    )
    feed = section(home(client_for("principal.baker")), "recent-notes")
    assert "&lt;i&gt;Ital&lt;/i&gt;" in feed
    assert "&lt;script&gt;alert(1)&lt;/script&gt; called" in feed
    assert "<script>alert" not in feed
    assert "<i>Ital" not in feed
