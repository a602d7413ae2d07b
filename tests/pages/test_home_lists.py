"""The home's feed, "failing a class" and birthdays, read in one statement: order, limits, policy, escaping."""

import datetime
import itertools

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from students.models import Absence, EarlyWarningThresholds, EventNote, Section, Student, StudentSectionAssignment
from students.models.absence_summary import rebuild_absence_summary
from students.models.grades import school_year_of
from tests.pages.test_home import home, section

pytestmark = pytest.mark.django_db

_numbers = itertools.count(700000)
BORN_YEARS_AGO = 8  # a leap year less 8 is a leap year, so a 29 February birthday exists


def pupil(school, *, last_name: str, grade: str, first_name: str = "Pupil", **fields) -> Student:
    return Student.objects.create(
        local_id=str(next(_numbers)),
        first_name=first_name,
        last_name=last_name,
        grade=grade,
        school=school,
        date_of_birth=fields.pop("date_of_birth", datetime.date(2000, 1, 1)),
        **fields,
    )


def born_on(day: datetime.date) -> datetime.date:
    return day.replace(year=day.year - BORN_YEARS_AGO)


@pytest.fixture
def riverside(demo):
    """Riverside High with no failing grades of its own, so each test's are the only ones."""
    StudentSectionAssignment.objects.filter(section__course__school=demo.school("RHS")).update(grade_numeric=90)
    return demo.school("RHS")


def failing(student: Student, section: Section, *grades: int) -> Student:
    for number, grade in enumerate(grades):
        target = (
            section
            if number == 0
            else Section.objects.create(
                course=section.course,
                section_number=f"X{student.pk}-{number}",
                term_local_id="FY",
                school_year=section.school_year,
            )
        )
        StudentSectionAssignment.objects.create(student=student, section=target, grade_numeric=grade)
    return student


def test_the_lowest_grades_come_first_and_the_list_says_when_there_are_more(client_for, demo, riverside):
    biology = demo.section("BIO-101-1")
    students = [
        failing(pupil(riverside, last_name=f"Low{grade:02d}", grade="10"), biology, grade) for grade in range(10, 37)
    ]
    twice = failing(pupil(riverside, last_name="Twice", grade="10"), biology, 5, 60)
    page = section(home(client_for("counselor.riverside")), "attention-failing")
    names = [f"Pupil {student.last_name}" for student in [twice, *students[:24]]]
    assert [page.index(name) for name in names] == sorted(page.index(name) for name in names)
    assert "Pupil Low34" not in page  # the 26th and 27th lowest
    assert "More students match; the lowest grades are listed." in page
    assert "failing 2 sections, lowest 5" in page
    assert "grade 10, Riverside High" in page


def test_failing_a_class_means_below_the_districts_failing_grade(client_for, demo, riverside):
    failing(pupil(riverside, last_name="Sixty", grade="9"), demo.section("BIO-101-1"), 60)
    counselor = client_for("counselor.riverside")
    EarlyWarningThresholds.objects.all().delete()  # none saved yet: the model's default of 65
    assert "below 65 in a section" in home(counselor) and "Pupil Sixty" in section(home(counselor), "attention-failing")

    thresholds = EarlyWarningThresholds.objects.current()
    thresholds.failing_grade = 60
    thresholds.save()
    page = home(counselor)
    assert "below 60 in a section" in page and "Pupil Sixty" not in section(page, "attention-failing")

    thresholds.failing_grade = 61
    thresholds.save()
    page = home(counselor)
    assert "below 61 in a section" in page and "Pupil Sixty" in section(page, "attention-failing")


def test_only_this_years_failing_grades_of_enrolled_students_without_a_recent_note_count(client_for, demo, riverside):
    biology = demo.section("BIO-101-1")
    last_year = Section.objects.create(
        course=biology.course, section_number="OLD", term_local_id="FY", school_year=biology.school_year - 1
    )
    listed = failing(pupil(riverside, last_name="Listed", grade="9"), biology, 40)
    failing(pupil(riverside, last_name="Passing", grade="9"), biology, 65)
    failing(pupil(riverside, last_name="LastYear", grade="9"), last_year, 20)
    failing(pupil(riverside, last_name="Left", grade="9", enrollment_status="Withdrawn"), biology, 20)
    noted = failing(pupil(riverside, last_name="Noted", grade="9"), biology, 20)
    EventNote.objects.create(
        student=noted,
        author=demo.educator("teacher.biology"),
        note_type="student",
        text="Met.",
        recorded_at=timezone.now(),
    )
    assert biology.school_year == school_year_of(timezone.localdate())
    page = section(home(client_for("counselor.riverside")), "attention-failing")
    assert "failing 1 section, lowest 40" in page
    assert f"Pupil {listed.last_name}" in page
    for absent in ("Passing", "LastYear", "Left", "Noted"):
        assert f"Pupil {absent}" not in page
    assert "More students match" not in page


def test_each_list_holds_only_the_students_the_educator_may_see_and_records_them(client_for, demo, riverside):
    today = timezone.localdate()
    biology = demo.section("BIO-101-1")
    shown, hidden = (
        failing(pupil(riverside, last_name=last_name, grade=grade, date_of_birth=born_on(today)), biology, 30)
        for last_name, grade in (("Ninth", "9"), ("Eleventh", "11"))
    )
    for grade in ("9", "11"):
        EventNote.objects.create(
            student=pupil(riverside, last_name=f"Writer{grade}", grade=grade),
            author=demo.educator("counselor.riverside"),
            note_type="counselor",
            text=f"About grade {grade}.",
            recorded_at=timezone.now(),
        )
    page = home(client_for("housemaster.riverside"))  # grades 9 and 10 only
    assert "Pupil Ninth" in section(page, "attention-failing")
    assert "Pupil Ninth" in section(page, "birthdays")
    assert "About grade 9." in section(page, "recent-notes")
    assert "Eleventh" not in page
    assert "grade 11" not in page
    recorded = AccessEvent.objects.filter(action="students:home").latest("id").student_ids
    assert shown.pk in recorded
    assert hidden.pk not in recorded


def test_birthdays_come_soonest_first_then_by_name_and_the_list_says_when_there_are_more(client_for, demo):
    today = timezone.localdate()
    baker = demo.school("BAK")
    Student.objects.filter(school=baker).update(date_of_birth=born_on(today + datetime.timedelta(days=100)))
    in_six_days = pupil(baker, last_name="Sixth", grade="5", date_of_birth=born_on(today + datetime.timedelta(days=6)))
    pupil(baker, last_name="Seventh", grade="5", date_of_birth=born_on(today + datetime.timedelta(days=7)))
    pupil(baker, last_name="Gone", grade="5", date_of_birth=born_on(today), enrollment_status="Withdrawn")
    today_b = pupil(baker, last_name="Bravo", grade="5", date_of_birth=born_on(today))
    today_a = pupil(baker, last_name="Alpha", grade="5", date_of_birth=born_on(today))
    tomorrow = pupil(baker, last_name="Aaron", grade="5", date_of_birth=born_on(today + datetime.timedelta(days=1)))
    page = section(home(client_for("principal.baker")), "birthdays")
    names = [f"Pupil {student.last_name}" for student in (today_a, today_b, tomorrow, in_six_days)]
    assert [page.index(name) for name in names] == sorted(page.index(name) for name in names)
    assert f"today, turning {BORN_YEARS_AGO}" in page
    later = today + datetime.timedelta(days=6)
    assert f"{later:%A}, {later:%b} {later.day}, turning {BORN_YEARS_AGO}" in page
    assert "Seventh" not in page
    assert "Gone" not in page
    assert "And more." not in page
    for number in range(17):
        pupil(baker, last_name=f"Zed{number:02d}", grade="5", date_of_birth=born_on(today))
    page = section(home(client_for("principal.baker")), "birthdays")
    assert "Pupil Sixth" not in page  # 20 students come before them, and 20 are listed
    assert "And more." in page


@pytest.mark.parametrize("viewer", ["counselor.riverside", "district"])
@pytest.mark.parametrize("from_summary", [True, False], ids=["by-the-summary", "counted-live"])
def test_names_and_note_text_are_escaped_in_every_list(client_for, demo, riverside, viewer, from_summary):
    today = timezone.localdate()
    marked = pupil(
        riverside, first_name="<b>Bold</b>", last_name="O'Neil & Co", grade="9", date_of_birth=born_on(today)
    )
    failing(marked, demo.section("BIO-101-1"), 30)
    for offset in range(30):  # the most absent in the demo district
        Absence.objects.create(student=marked, occurred_on=today - datetime.timedelta(days=2 + offset))
    writer = pupil(riverside, first_name="<i>Ital</i>", last_name="Writer", grade="9")
    EventNote.objects.create(
        student=writer,
        author=demo.educator("counselor.riverside"),
        note_type="parent",
        text="<script>alert(1)</script> called",
        recorded_at=timezone.now(),
    )
    if from_summary:
        rebuild_absence_summary(today)  # else stale: the absences above were written after its build
    page = home(client_for(viewer))
    for heading in ("attention-absences", "attention-failing", "birthdays"):
        assert "&lt;b&gt;Bold&lt;/b&gt; O&#x27;Neil &amp; Co" in section(page, heading)
    feed = section(page, "recent-notes")
    assert "&lt;i&gt;Ital&lt;/i&gt; Writer" in feed
    assert "&lt;script&gt;alert(1)&lt;/script&gt; called" in feed
    assert "<b>Bold" not in page
    assert "<script>alert" not in page
    assert "<i>Ital" not in page
