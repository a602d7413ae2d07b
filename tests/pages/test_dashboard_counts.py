"""Every count a school dashboard shows (one GROUPING SETS statement, students/selectors/dashboards.py) equals
the events counted here one by one in Python, for a principal and for a grade-level educator; and every text
its student table shows is escaped."""

import collections
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from students.models import Absence, DisciplineIncident, EventNote, Student, Tardy
from students.models.grades import GRADE_CHOICES
from students.selectors.dashboards import WEEKDAYS, default_filters

pytestmark = pytest.mark.django_db

MODELS = {"absences": Absence, "tardies": Tardy, "discipline": DisciplineIncident}


@pytest.fixture
def varied(demo):
    """Incidents at Baker without a location, without an exact time, and in grades and homerooms of their own."""
    students = list(Student.objects.filter(school__local_id="BAK").order_by("pk"))
    days = [timezone.localdate() - datetime.timedelta(days=offset) for offset in (0, 1, 9, 30)]
    for number, student in enumerate(students[:8]):
        day = days[number % len(days)]
        DisciplineIncident.objects.create(
            student=student,
            incident_code=("Fighting", "Disruption")[number % 2],
            incident_location=("", "Bus", "Cafeteria")[number % 3],
            occurred_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(8 + number))),
            has_exact_time=number % 3 != 0,
        )
    return students


def _day(event, measure: str) -> datetime.date:
    return timezone.localtime(event.occurred_at).date() if measure == "discipline" else event.occurred_on


def expected_counts(measure: str, students) -> dict:
    """The dashboard's figures, counted event by event."""
    span = default_filters()
    labels = dict(GRADE_CHOICES)
    counted = collections.defaultdict(collections.Counter)
    events = MODELS[measure].objects.filter(student__in=students).select_related("student__homeroom")
    for event in events:
        day = _day(event, measure)
        if not span.since <= day <= span.until:
            continue
        counted["total"]["all"] += 1
        counted["month"][day.replace(day=1)] += 1
        counted["week"][day - datetime.timedelta(days=day.weekday())] += 1
        counted["grade"][labels[event.student.grade]] += 1
        counted["homeroom"][event.student.homeroom.name if event.student.homeroom else "No homeroom"] += 1
        if measure == "discipline":
            counted["code"][event.incident_code] += 1
            counted["location"][event.incident_location or "Not recorded"] += 1
            counted["weekday"][WEEKDAYS[day.weekday()]] += 1
            if event.has_exact_time:
                counted["hour"][
                    datetime.time(timezone.localtime(event.occurred_at).hour).strftime("%-I %p").lower()
                ] += 1
    return counted


def shown_counts(dashboard) -> dict:
    shown = {"total": {"all": dashboard.total} if dashboard.total else {}}
    shown["month"], shown["week"] = dict(dashboard.by_month), dict(dashboard.by_week)
    return shown | {breakdown.key: dict(breakdown.rows) for breakdown in dashboard.breakdowns}


@pytest.mark.parametrize("measure", sorted(MODELS))
@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("principal.baker", {}),
        ("gradelead.baker", {"grade": "3", "enrollment_status": "Active", "missing_from_last_export": False}),
    ],
)
def test_every_count_equals_the_events_counted_one_by_one(client_for, demo, varied, measure, viewer, sees):
    baker = demo.school("BAK")
    students = Student.objects.filter(school=baker, **sees)
    response = client_for(viewer).get(reverse(f"students:{measure}_dashboard", args=[baker.pk]))
    expected = expected_counts(measure, students)
    assert expected["total"]["all"] > 0
    assert shown_counts(response.context["dashboard"]) == {key: dict(counts) for key, counts in expected.items()}


def test_discipline_counts_include_missing_locations_and_leave_inexact_times_out_of_the_hours(client_for, demo, varied):
    baker = demo.school("BAK")
    dashboard = client_for("principal.baker").get(reverse("students:discipline_dashboard", args=[baker.pk]))
    breakdowns = {breakdown.key: breakdown.rows for breakdown in dashboard.context["dashboard"].breakdowns}
    assert "Not recorded" in dict(breakdowns["location"])
    exact = DisciplineIncident.objects.filter(student__school=baker, has_exact_time=True)
    assert sum(total for _hour, total in breakdowns["hour"]) == sum(
        1 for incident in exact if timezone.localtime(incident.occurred_at).date() >= default_filters().since
    )
    assert [total for _code, total in breakdowns["code"]] == sorted((t for _c, t in breakdowns["code"]), reverse=True)


def test_the_student_table_escapes_every_text_and_shows_badges_homerooms_and_latest_notes(client_for, demo):
    mateo = demo.student("mateo")
    mateo.first_name, mateo.last_name = "<b>Mat</b>", "O'Brien & Co"
    mateo.enrollment_status = Student.EnrollmentStatus.WITHDRAWN
    mateo.save()
    mateo.homeroom.name = '<i>Room "5"</i>'
    mateo.homeroom.save()
    Absence.objects.get_or_create(student=mateo, occurred_on=timezone.localdate())
    noted = timezone.now() - datetime.timedelta(minutes=1)  # the student's latest note
    day = timezone.localtime(noted).date()
    EventNote.objects.create(
        student=mateo, author=demo.educator("teacher.5"), note_type="sst", text="x", recorded_at=noted
    )
    response = client_for("principal.baker").get(reverse("students:absences_dashboard", args=[mateo.school_id]))
    page = response.content.decode()
    count = next(student.event_count for student in response.context["dashboard"].students if student.pk == mateo.pk)
    profile = reverse("students:profile", args=[mateo.pk])
    assert (
        f'<tr><td><a href="{profile}">O&#x27;Brien &amp; Co, &lt;b&gt;Mat&lt;/b&gt;</a>'
        ' <span class="badge inactive">Withdrawn</span></td>'
        f"<td>{mateo.get_grade_display()}</td>"
        "<td>&lt;i&gt;Room &quot;5&quot;&lt;/i&gt;</td>"
        f'<td class="number">{count}</td>'
        f'<td><span class="nowrap">{day:%b} {day.day}, {day.year}</span> '
        '<span class="muted">SST meeting</span></td></tr>'
    ) in page
    assert "<b>Mat" not in page and "<i>Room" not in page
