"""Selectors tell the audit recorder which students they returned and hand what they show to the
error-report scrubber, so an error raised while rendering a page cannot carry it out of the process."""

import pytest
from django.http import Http404
from django.utils import timezone

from audit.recorder import recording
from insights.scrubbing import collection, scrub_text
from students import selectors
from students.models import EventNote

pytestmark = pytest.mark.django_db


def test_a_profile_remembers_the_students_name_and_the_note_text_it_shows(demo):
    mateo = demo.student("mateo")
    EventNote.objects.create(
        student=mateo,
        author=demo.educator("teacher.5"),
        note_type="parent",
        text="Grandmother picks up on Fridays",
        recorded_at=timezone.now(),
    )
    with collection(), recording() as opened:
        selectors.student_profile(educator=demo.educator("teacher.5"), student_id=mateo.pk)
        report = scrub_text("Failed rendering Mateo Alvarez (Alvarez): Grandmother picks up on Fridays")
    assert "Alvarez" not in report
    assert "Mateo" not in report
    assert "Grandmother picks up on Fridays" not in report
    assert opened.student_ids() == [mateo.pk]


def test_a_roster_reports_every_student_it_lists(demo):
    baker = demo.school("BAK")
    with collection(), recording() as opened:
        grades, homerooms = selectors.roster_choices(school=baker)
        roster = selectors.roster(
            educator=demo.educator("principal.baker"),
            school=baker,
            filters=selectors.RosterFilters(),
            grades=grades,
            homerooms=homerooms,
        )
        last_names = [student.last_name for student in roster.students]
        report = scrub_text(" ".join(last_names))
    assert sorted(opened.student_ids()) == sorted(student.pk for student in roster.students)
    assert not any(name in report for name in last_names)


def test_an_export_is_recorded_as_exported_and_a_refusal_as_denied(demo):
    baker = demo.school("BAK")
    with recording() as opened:
        exported = selectors.roster_export(
            educator=demo.educator("principal.baker"), school=baker, filters=selectors.RosterFilters(grade="5")
        )
    assert sorted(opened.student_ids("exported")) == sorted(student.pk for student in exported.students)
    with recording() as opened, pytest.raises(Http404):
        selectors.roster_school_or_404(educator=demo.educator("teacher.5"), school_id=baker.pk)
    assert opened.denied
