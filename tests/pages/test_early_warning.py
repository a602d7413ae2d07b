"""Early-warning tiers: computed in SQL from recent attendance, discipline and course failures with the
admin's thresholds, shown with their reasons on the roster (sortable), homeroom, section and profile pages."""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from students.models import (
    Absence,
    DisciplineIncident,
    EarlyWarningThresholds,
    Section,
    Student,
    StudentSectionAssignment,
)
from students.models.grades import school_year_of
from students.selectors._shared import current_school_year_start
from students.selectors.early_warning import current_window
from students.selectors.roster_rows import RosterQuestion, roster_rows

pytestmark = pytest.mark.django_db


def weekdays_back(count: int) -> list[datetime.date]:
    days, day = [], timezone.localdate()
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= datetime.timedelta(days=1)
    return days


@pytest.fixture
def pupil(demo):
    """A new 5th grader in 5-201 with no history at all."""
    mateo = demo.student("mateo")
    return Student.objects.create(
        local_id="880001",
        first_name="Quinn",
        last_name="Aardvark",
        grade="5",
        school=mateo.school,
        homeroom=mateo.homeroom,
    )


def signals(student):
    """The student's tier and reasons as the lists' statement computes them."""
    question = RosterQuestion(since=current_school_year_start(timezone.localdate()), window=current_window())
    (row,), _counts = roster_rows(Student.objects.filter(pk=student.pk), question)
    return row.early_warning.tier, row.early_warning.reasons


def absent(student, days: int) -> None:
    Absence.objects.bulk_create(Absence(student=student, occurred_on=day) for day in weekdays_back(days))


def incidents(student, count: int) -> None:
    for day in weekdays_back(count):
        DisciplineIncident.objects.create(
            student=student,
            incident_code="Disruption",
            occurred_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
        )


def failing(student, demo, count: int) -> None:
    sections = Section.objects.filter(school_year=school_year_of(timezone.localdate()))[:count]
    for section in sections:
        StudentSectionAssignment.objects.create(student=student, section=section, grade_numeric=50, grade_letter="F")


def test_a_student_with_nothing_recent_is_tier_zero(pupil):
    assert signals(pupil) == (0, [])


def test_attendance_below_the_warning_then_the_serious_rate_adds_one_then_two_points(pupil):
    window = current_window()
    warning_absences = window.school_days * 15 // 100  # 85% attendance: below 90, not below 80
    absent(pupil, warning_absences)
    tier, why = signals(pupil)
    rate = round(100 * (window.school_days - warning_absences) / window.school_days)
    assert tier == 1
    assert why == [f"attendance {rate}% in the last 45 days"]
    Absence.objects.filter(student=pupil).delete()
    absent(pupil, window.school_days // 2)
    assert signals(pupil)[0] == 2


def test_attendance_exactly_at_the_warning_rate_adds_nothing_and_one_absence_more_adds_a_point(pupil):
    window = current_window()
    at_the_rate = window.school_days * (100 - window.thresholds.attendance_warning) // 100
    absent(pupil, at_the_rate)
    assert signals(pupil)[0] == 0
    Absence.objects.filter(student=pupil).delete()
    absent(pupil, at_the_rate + 1)
    assert signals(pupil)[0] == 1


def test_discipline_and_failures_add_points_and_the_tier_stops_at_four(pupil, demo):
    incidents(pupil, 2)
    assert signals(pupil) == (1, ["2 incidents in the last 45 days"])
    incidents(pupil, 2)
    failing(pupil, demo, 2)
    absent(pupil, 20)
    tier, why = signals(pupil)
    assert tier == 4
    assert why[1:] == ["4 incidents in the last 45 days", "failing 2 classes this year"]


def test_old_events_fall_outside_the_window(pupil):
    long_ago = timezone.localdate() - datetime.timedelta(days=60)
    DisciplineIncident.objects.create(
        student=pupil,
        incident_code="Old",
        occurred_at=timezone.make_aware(datetime.datetime.combine(long_ago, datetime.time(9))),
    )
    DisciplineIncident.objects.create(
        student=pupil,
        incident_code="Old",
        occurred_at=timezone.make_aware(datetime.datetime.combine(long_ago, datetime.time(10))),
    )
    assert signals(pupil) == (0, [])


def test_the_thresholds_in_the_admin_change_the_tiers(pupil):
    incidents(pupil, 1)
    assert signals(pupil)[0] == 0
    thresholds = EarlyWarningThresholds.objects.current()
    thresholds.incidents_warning = 1
    thresholds.save()
    assert signals(pupil) == (1, ["1 incident in the last 45 days"])


def test_the_admin_edits_the_one_row_and_refuses_thresholds_out_of_order(client_for, demo):
    thresholds = EarlyWarningThresholds.objects.current()
    client = client_for("admin")
    url = reverse("admin:students_earlywarningthresholds_change", args=[thresholds.pk])
    assert client.get(url).status_code == 200
    values = {
        "window_days": 30,
        "attendance_warning": 80,
        "attendance_serious": 90,
        "incidents_warning": 2,
        "incidents_serious": 4,
        "failing_grade": 65,
        "failures_warning": 1,
        "failures_serious": 2,
    }
    page = client.post(url, values).content.decode()
    assert "The serious attendance rate must be at or below the warning rate." in page
    assert client.post(url, {**values, "attendance_serious": 70}).status_code == 302
    assert EarlyWarningThresholds.objects.get().window_days == 30
    assert client.get(reverse("admin:students_earlywarningthresholds_add")).status_code == 403


def test_the_roster_shows_and_sorts_by_tier_with_the_reason(client_for, demo, pupil):
    incidents(pupil, 4)
    client = client_for("principal.baker")
    url = reverse("students:school_roster", args=[demo.school("BAK").pk])
    response = client.get(url + "?sort=tier")
    students = response.context["roster"].students
    assert students[0].pk == pupil.pk or students[0].early_warning.tier >= 2
    tiers = [student.early_warning.tier for student in students]
    assert tiers == sorted(tiers, reverse=True)
    assert (
        '<span class="tier tier-2">Tier 2</span> <span class="tier-reason">4 incidents in the last 45 days</span>'
        in (response.content.decode())
    )
    csv_text = client.get(reverse("students:school_roster_csv", args=[demo.school("BAK").pk])).content.decode()
    assert "Early-warning tier" in csv_text.splitlines()[0]
    assert "4 incidents in the last 45 days" in csv_text


def test_homeroom_section_and_profile_pages_show_the_tier(client_for, demo, pupil):
    incidents(pupil, 2)
    homeroom = client_for("teacher.5").get(reverse("students:homeroom", args=[pupil.homeroom_id])).content.decode()
    assert (
        '<span class="tier tier-1">Tier 1</span> <span class="tier-reason">2 incidents in the last 45 days</span>'
        in homeroom
    )
    profile = client_for("teacher.5").get(reverse("students:profile", args=[pupil.pk])).content.decode()
    assert 'Early warning: <span class="tier tier-1">Tier 1</span>' in profile
    noah = demo.student("noah")
    section = client_for("teacher.biology").get(reverse("students:section", args=[demo.section("BIO-101-3").pk]))
    row = next(student for student in section.context["class_list"].students if student.pk == noah.pk)
    assert row.early_warning.tier == signals(noah)[0]
    assert '<span class="tier tier-' in section.content.decode()


def profile_signals(client_for, student):
    profile = client_for("teacher.5").get(reverse("students:profile", args=[student.pk])).context["profile"]
    return profile.early_warning.tier, profile.early_warning.reasons


@pytest.mark.parametrize(
    ("absences", "incident_count", "failures"),
    [(0, 0, 0), (1, 1, 0), (2, 2, 1), (5, 3, 2), (7, 4, 3), (10, 5, 0), (12, 0, 1), (20, 6, 2)],
)
def test_the_profile_counts_the_signals_with_its_record_and_gives_the_lists_tier_and_reasons(
    client_for, demo, pupil, absences, incident_count, failures
):
    absent(pupil, absences)
    incidents(pupil, incident_count)
    failing(pupil, demo, failures)
    assert profile_signals(client_for, pupil) == signals(pupil)


def test_the_profile_applies_the_admins_window_and_failing_grade(client_for, demo, pupil):
    incidents(pupil, 2)
    DisciplineIncident.objects.filter(student=pupil).update(occurred_at=F("occurred_at") - datetime.timedelta(days=35))
    failing(pupil, demo, 1)  # a grade of 50
    thresholds = EarlyWarningThresholds.objects.current()
    thresholds.window_days, thresholds.failing_grade = 30, 50
    thresholds.save()
    assert profile_signals(client_for, pupil) == signals(pupil) == (0, [])
    thresholds.window_days, thresholds.failing_grade = 40, 51
    thresholds.save()
    assert profile_signals(client_for, pupil) == signals(pupil)
    assert signals(pupil) == (2, ["2 incidents in the last 40 days", "failing 1 class this year"])


def test_the_profile_creates_the_default_thresholds_on_first_use(client_for, pupil):
    EarlyWarningThresholds.objects.all().delete()
    incidents(pupil, 2)
    assert profile_signals(client_for, pupil) == (1, ["2 incidents in the last 45 days"])
    assert EarlyWarningThresholds.objects.get().window_days == 45
