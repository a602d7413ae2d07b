"""The demo district reads like a real one: each property checked on every row of a seeded demo."""

import itertools

import pytest
from django.utils import timezone

from permissions.policy import can_view_restricted_notes, visible_students
from students.demo.history import INCIDENT_DESCRIPTIONS, STAR_STEP
from students.models import DisciplineIncident, EventNote, StarResult
from students.models.grades import GRADE_ORDER, school_year_of
from tests.demo_district import seeded_demo_district

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo_district(django_db_setup, django_db_blocker):
    with seeded_demo_district(django_db_blocker, students=150):
        yield


def grade_when(student, day) -> int:
    """The grade position the student was in on a day, counting back from this year's grade."""
    return GRADE_ORDER[student.grade] - (school_year_of(timezone.localdate()) - school_year_of(day))


def test_ninth_grade_experience_notes_are_about_ninth_graders():
    ninth = GRADE_ORDER["9"]
    notes = EventNote.objects.filter(note_type="ninth_grade").select_related("student")
    assert notes.exists()  # the demo has some, so the check below checks something
    for note in notes:
        assert grade_when(note.student, note.recorded_at.date()) == ninth, note.pk
    younger = EventNote.objects.filter(student__grade__in=["PK", "KF", "1", "2", "3", "4", "5"])
    assert younger.exists() and not younger.filter(note_type="ninth_grade").exists()


def test_incident_descriptions_describe_an_incident_of_their_code():
    incidents = DisciplineIncident.objects.all()
    assert incidents.count() > 20
    for incident in incidents:
        assert incident.incident_description in INCIDENT_DESCRIPTIONS[incident.incident_code], incident.pk


def test_star_percentiles_move_a_little_from_one_test_to_the_next():
    results = StarResult.objects.order_by("student_id", "subject", "taken_at").values_list(
        "student_id", "subject", "percentile_rank"
    )
    steps = 0
    for _key, series in itertools.groupby(results, key=lambda row: row[:2]):
        ranks = [rank for _student, _subject, rank in series]
        for earlier, later in itertools.pairwise(ranks):
            assert abs(later - earlier) <= STAR_STEP
            steps += 1
        assert all(1 <= rank <= 99 for rank in ranks)
    assert steps > 100
    spread = {rank for _student, _subject, rank in results}
    assert min(spread) < 30 and max(spread) > 70  # students differ, even if each moves slowly


def test_restricted_notes_are_written_by_educators_who_may_read_them_about_students_they_see():
    notes = EventNote.objects.filter(is_restricted=True).select_related("author")
    assert notes.count() > 5
    for _author, group in itertools.groupby(notes.order_by("author_id"), key=lambda note: note.author_id):
        group = list(group)
        author = group[0].author
        assert can_view_restricted_notes(author), author.email
        seen = set(visible_students(author).values_list("pk", flat=True))
        assert {note.student_id for note in group} <= seen, author.email
