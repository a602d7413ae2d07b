"""School dashboards: absences, tardies and discipline across a school, and the district's schools.

For schoolwide, grade-level and districtwide educators: the school's students as the policy lets
them see it (``permissions.policy.school_roster``: a grade-level educator's dashboard covers their
grades only). Every count (total, timelines, breakdowns) comes from one GROUPING SETS statement in
PostgreSQL over the filtered events; the page costs the same queries whatever the size of the school.
The students the page lists are recorded.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractHour, ExtractIsoWeekDay, TruncMonth, TruncWeek

from audit.recorder import record_details, record_students
from educators.models import Educator
from permissions.policy import is_districtwide, not_found, school_roster
from students.models import Absence, DisciplineIncident, EventNote, Homeroom, School, Student, Tardy
from students.models.grades import GRADE_CHOICES, GRADE_ORDER
from students.selectors._shared import (
    as_list_rows,
    current_school_year_start,
    report_students,
    select_sql,
    start_of,
    today,
)

MAX_STUDENTS = 200
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Measure:
    """What a dashboard counts: the event table, its date column, and whether it has an excused flag."""

    key: str
    title: str
    noun: str
    model: type[Model]
    date_field: str
    has_time: bool
    has_excused: bool


MEASURES = {
    "absences": Measure("absences", "Absences", "absences", Absence, "occurred_on", False, True),
    "tardies": Measure("tardies", "Tardies", "tardies", Tardy, "occurred_on", False, True),
    "discipline": Measure("discipline", "Discipline", "incidents", DisciplineIncident, "occurred_at", True, False),
}


@dataclass(frozen=True)
class DashboardFilters:
    """Validated filters (students.forms.DashboardFilterForm builds them); the dates are inclusive."""

    since: datetime.date
    until: datetime.date
    grade: str = ""
    homeroom_id: int | None = None
    house: str = ""
    counselor_id: int | None = None
    excused: bool | None = None


@dataclass(frozen=True)
class Breakdown:
    """Counts by one category (grade, homeroom, location...), in display order."""

    key: str
    title: str
    category: str
    rows: list[tuple[str, int]]


@dataclass(frozen=True)
class Dashboard:
    school: School
    measure: Measure
    filters: DashboardFilters
    total: int
    by_month: list[tuple[datetime.date, int]]
    by_week: list[tuple[datetime.date, int]]
    breakdowns: list[Breakdown]
    students: list[Student]
    students_cut_off: bool


@dataclass(frozen=True)
class DashboardChoices:
    grades: list[str]
    homerooms: list[Homeroom]
    houses: list[str]
    counselors: list[Educator]


def default_filters(day: datetime.date | None = None) -> DashboardFilters:
    """This school year so far."""
    day = day or today()
    return DashboardFilters(since=current_school_year_start(day), until=day)


def dashboard_choices(*, educator, school: School) -> DashboardChoices:
    """The filters' choices from the students the educator may see at the school (no student rows)."""
    students = school_roster(educator, school).order_by()
    # DISTINCT in PostgreSQL: a dozen grades and a few houses come back, not a row per student.
    grades = sorted(students.values_list("grade", flat=True).distinct(), key=GRADE_ORDER.__getitem__)
    houses = sorted(students.exclude(house="").values_list("house", flat=True).distinct())
    return DashboardChoices(
        grades=grades,
        homerooms=list(Homeroom.objects.filter(school=school).order_by("name")),
        houses=houses,
        counselors=list(
            Educator.objects.filter(pk__in=students.values("counselor")).only("id", "full_name").order_by("full_name")
        ),
    )


def _students(educator, school: School, filters: DashboardFilters) -> QuerySet[Student]:
    students = school_roster(educator, school)
    if filters.grade:
        students = students.filter(grade=filters.grade)
    if filters.homeroom_id:
        students = students.filter(homeroom_id=filters.homeroom_id)
    if filters.house:
        students = students.filter(house=filters.house)
    if filters.counselor_id:
        students = students.filter(counselor_id=filters.counselor_id)
    return students


def _in_range(measure: Measure, filters: DashboardFilters) -> Q:
    field = measure.date_field
    if measure.has_time:
        until = start_of(filters.until + datetime.timedelta(days=1))
        return Q(**{f"{field}__gte": start_of(filters.since), f"{field}__lt": until})
    return Q(**{f"{field}__gte": filters.since, f"{field}__lte": filters.until})


def _events(measure: Measure, filters: DashboardFilters) -> QuerySet:
    """The measure's events in the filters' dates, of every student: ``_counts`` joins them to the
    policy's student set, which keeps only the educator's (compiling it in here as well ran it twice)."""
    events = measure.model.objects.filter(_in_range(measure, filters))
    if measure.has_excused and filters.excused is not None:
        events = events.filter(excused=filters.excused)
    return events.order_by()


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _event_categories(measure: Measure) -> dict:
    """What the breakdowns of one event's own columns group by (None where an event does not count)."""
    categories = {
        "month": TruncMonth(measure.date_field, output_field=DateField()),
        "week": TruncWeek(measure.date_field, output_field=DateField()),
    }
    if measure.key == "discipline":
        categories |= {
            "code": F("incident_code"),
            "location": Coalesce(F("incident_location"), Value("")),
            "weekday": Cast(ExtractIsoWeekDay("occurred_at"), IntegerField()),
            "hour": Case(When(has_exact_time=True, then=Cast(ExtractHour("occurred_at"), IntegerField()))),
        }
    return categories


def _counts(events: QuerySet, measure: Measure, students: QuerySet[Student]) -> tuple[int, dict[str, dict]]:
    """The total and every breakdown's counts in one statement: the events are read once (GROUPING SETS).

    The grade and homeroom come from the policy's student set joined to the events, not from a join of
    the events to the whole students table (which PostgreSQL answered by reading every student).
    """
    categories = _event_categories(measure)
    quote = connection.ops.quote_name
    event_sql, event_params = select_sql(events, "student_id", **categories)
    student_sql, student_params = select_sql(students, "id", "grade", "homeroom_id")
    names = [*categories, "grade", "homeroom"]
    columns = [quote(name) for name in names]
    picked = [f"e.{quote(name)}" for name in categories]
    # Every name here is a constant, quoted; every value is a parameter of the compiled querysets.
    counted = (
        f"SELECT {', '.join(picked)}, s.grade AS grade, COALESCE(h.name, 'No homeroom') AS homeroom "  # noqa: S608
        f"FROM ({event_sql}) AS e JOIN ({student_sql}) AS s ON s.id = e.student_id "
        f"LEFT JOIN {quote(Homeroom._meta.db_table)} AS h ON h.id = s.homeroom_id"
    )
    statement = (
        f"SELECT GROUPING({', '.join(columns)}), {', '.join(columns)}, COUNT(*) FROM ({counted}) AS counted "  # noqa: S608
        f"GROUP BY GROUPING SETS ({', '.join(f'({column})' for column in columns)}, ())"
    )
    params = (*event_params, *student_params)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    # GROUPING() sets one bit per column left out, the first column's the highest: the grand total
    # leaves out every column, a breakdown's row every column but its own.
    everything = (1 << len(names)) - 1
    set_of = {everything ^ (1 << (len(names) - 1 - index)): index for index in range(len(names))}
    total = 0
    counts: dict[str, dict] = {name: {} for name in names}
    for grouping, *keys, count in rows:
        if grouping == everything:
            total = count
        else:
            index = set_of[grouping]
            counts[names[index]][keys[index]] = count
    counts.get("hour", {}).pop(None, None)  # incidents without an exact time
    return total, counts


def _timeline(counts: dict) -> list[tuple[datetime.date, int]]:
    return sorted((_as_date(key), total) for key, total in counts.items())


def _breakdowns(counts: dict[str, dict], measure: Measure) -> list[Breakdown]:
    grade_labels = dict(GRADE_CHOICES)
    by_grade = counts["grade"]
    found = [
        Breakdown(
            "grade",
            "By grade",
            "Grade",
            [(grade_labels[grade], by_grade[grade]) for grade in sorted(by_grade, key=GRADE_ORDER.__getitem__)],
        ),
        Breakdown("homeroom", "By homeroom", "Homeroom", sorted(counts["homeroom"].items())),
    ]
    if measure.key == "discipline":
        by_weekday, by_hour = counts["weekday"], counts["hour"]
        found += [
            Breakdown(
                "code", "By incident", "Incident", sorted(counts["code"].items(), key=lambda row: (-row[1], row[0]))
            ),
            Breakdown(
                "location",
                "By location",
                "Location",
                sorted(
                    ((place or "Not recorded", total) for place, total in counts["location"].items()),
                    key=lambda r: (-r[1], r[0]),
                ),
            ),
            Breakdown(
                "weekday",
                "By day of the week",
                "Day",
                [(WEEKDAYS[day - 1], by_weekday[day]) for day in sorted(by_weekday)],
            ),
            Breakdown(
                "hour",
                "By time of day (incidents with an exact time)",
                "Hour",
                [(datetime.time(hour).strftime("%-I %p").lower(), by_hour[hour]) for hour in sorted(by_hour)],
            ),
        ]
    return found


def _student_rows(measure: Measure, filters: DashboardFilters, students: QuerySet[Student]) -> list[Student]:
    """The students with at least one event in range, most first, with their latest note."""
    per_student = measure.model.objects.filter(_in_range(measure, filters), student=OuterRef("pk"))
    if measure.has_excused and filters.excused is not None:
        per_student = per_student.filter(excused=filters.excused)
    totals = per_student.order_by().values("student").annotate(total=Count(measure.date_field)).values("total")
    latest_note = EventNote.objects.filter(student=OuterRef("pk")).order_by("-recorded_at", "-id")
    rows = (
        as_list_rows(students)
        .annotate(
            event_count=Coalesce(Subquery(totals, output_field=IntegerField()), Value(0)),
            latest_note_at=Subquery(latest_note.values("recorded_at")[:1]),
            latest_note_type=Subquery(latest_note.values("note_type")[:1]),
        )
        .filter(event_count__gt=0)
        .order_by("-event_count", "last_name", "first_name", "pk")
    )
    return list(rows[: MAX_STUDENTS + 1])


def _record_scope(school: School, measure: Measure, filters: DashboardFilters) -> None:
    """The event says which counts were shown (school, dashboard, filters), even when no student is listed."""
    record_details(
        school=school.pk,
        dashboard=measure.key,
        since=filters.since.isoformat(),
        until=filters.until.isoformat(),
        filters={
            name: value
            for name, value in (
                ("grade", filters.grade),
                ("homeroom", filters.homeroom_id),
                ("house", filters.house),
                ("counselor", filters.counselor_id),
                ("excused", filters.excused),
            )
            if value not in ("", None)
        },
    )


def school_dashboard(*, educator, school: School, measure: Measure, filters: DashboardFilters) -> Dashboard:
    """One dashboard of a school whose roster the educator may open (the view checks that first)."""
    _record_scope(school, measure, filters)
    students = _students(educator, school, filters)
    rows = _student_rows(measure, filters, students)
    shown = report_students(rows[:MAX_STUDENTS])
    total, counts = _counts(_events(measure, filters), measure, students)
    return Dashboard(
        school=school,
        measure=measure,
        filters=filters,
        total=total,
        by_month=_timeline(counts["month"]),
        by_week=_timeline(counts["week"]),
        breakdowns=_breakdowns(counts, measure),
        students=shown,
        students_cut_off=len(rows) > MAX_STUDENTS,
    )


def dashboard_export(*, educator, school: School, measure: Measure, filters: DashboardFilters) -> list[Student]:
    """The dashboard's student table for a CSV download, recorded as exported."""
    _record_scope(school, measure, filters)
    rows = _student_rows(measure, filters, _students(educator, school, filters))[:MAX_STUDENTS]
    report_students(rows)
    record_students((student.pk for student in rows), kind="exported")
    return rows


@dataclass(frozen=True)
class DistrictSchool:
    """A school's enrolled students, one count per grade of the overview (0 where it has none)."""

    school: School
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class DistrictOverview:
    grades: list[str]
    schools: list[DistrictSchool]


def district_overview(*, educator) -> DistrictOverview:
    """Every school with its enrolled students by grade, for a districtwide educator (404 for anyone else).

    Counts only, no student rows: the event records the page, naming no student.
    """
    if not is_districtwide(educator):
        raise not_found()
    record_details(report="district enrollment")
    # Counted rows, not ids: the enrolled students' (school, grade) index answers it alone.
    counts = (
        Student.objects.filter(enrollment_status=Student.EnrollmentStatus.ACTIVE, missing_from_last_export=False)
        .order_by()
        .values("school_id", "grade")
        .annotate(total=Count("*"))
    )
    by_school: dict[int, dict[str, int]] = {}
    for row in counts:
        by_school.setdefault(row["school_id"], {})[row["grade"]] = row["total"]
    grades = sorted({grade for grades in by_school.values() for grade in grades}, key=GRADE_ORDER.__getitem__)
    return DistrictOverview(
        grades=grades,
        schools=[
            DistrictSchool(school=school, counts=[by_school.get(school.pk, {}).get(grade, 0) for grade in grades])
            for school in School.objects.order_by("name")
        ],
    )
