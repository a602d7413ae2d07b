"""Lists of students: my students, a school's roster (and its CSV), a homeroom and a section.

Each list is one query over the policy's queryset with the activity counts annotated, so the
number of queries does not grow with the number of students.
"""

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, DecimalField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from audit.recorder import record_students
from permissions.kinds import ACTIVE_STUDENT
from permissions.policy import (
    can_view_school_roster,
    get_visible_homeroom_or_404,
    get_visible_section_or_404,
    not_found,
    school_roster,
    schools_with_open_roster,
    visible_students,
)
from students.models import (
    Homeroom,
    School,
    Section,
    Student,
    StudentSectionAssignment,
    current_english_learner_students,
    former_english_learner_students,
    special_education_students,
)
from students.models.grades import GRADE_CODES, GRADE_ORDER
from students.selectors._shared import (
    as_list_rows,
    current_school_year_start,
    report_students,
    today,
    with_activity,
    with_activity_counts,
)
from students.selectors.early_warning import attach_early_warning, current_window, with_early_warning

MY_STUDENTS_PER_PAGE = 50

# Sort keys a page may ask for -> the ordering they mean (name breaks ties).
NAME_ORDER = ("last_name", "first_name", "pk")
MY_STUDENTS_SORTS = {
    "name": NAME_ORDER,
    "school": ("school__name", *NAME_ORDER),
    "grade": ("grade_position", *NAME_ORDER),
    "homeroom": (F("homeroom__name").asc(nulls_last=True), *NAME_ORDER),
    "program": ("program_assigned", *NAME_ORDER),
}
ROSTER_SORTS = {
    **{key: MY_STUDENTS_SORTS[key] for key in ("name", "grade", "homeroom", "program")},
    "absences": ("-absence_count", *NAME_ORDER),
    "tardies": ("-tardy_count", *NAME_ORDER),
    "incidents": ("-incident_count", *NAME_ORDER),
    "tier": ("-early_warning_tier", *NAME_ORDER),
}
# A homeroom's or section's table sorts by its columns; sections also by the grade in them (lowest first).
HOMEROOM_SORTS = {
    key: ROSTER_SORTS[key] for key in ("name", "grade", "program", "absences", "tardies", "incidents", "tier")
}
SECTION_SORTS = {**HOMEROOM_SORTS, "section_grade": (F("section_grade").asc(nulls_last=True), *NAME_ORDER)}
ROSTER_SORT_LABELS = {
    "name": "Name",
    "grade": "Grade",
    "homeroom": "Homeroom",
    "program": "Program",
    "absences": "Most absences",
    "tardies": "Most tardies",
    "incidents": "Most incidents",
    "tier": "Highest early-warning tier",
}

# Buckets the roster filters by: key -> (label, lower bound, upper bound or None).
ABSENCE_BUCKETS = {
    "none": ("No absences", 0, 0),
    "1-4": ("1 to 4", 1, 4),
    "5-9": ("5 to 9", 5, 9),
    "10-plus": ("10 or more", 10, None),
}
INCIDENT_BUCKETS = {
    "none": ("No incidents", 0, 0),
    "1": ("1", 1, 1),
    "2-4": ("2 to 4", 2, 4),
    "5-plus": ("5 or more", 5, None),
}


def _grade_position() -> Case:
    return Case(
        *(When(grade=code, then=Value(position)) for position, code in enumerate(GRADE_CODES)),
        output_field=IntegerField(),
    )


def _sorted(students: QuerySet[Student], sorts: dict, sort: str) -> QuerySet[Student]:
    return students.annotate(grade_position=_grade_position()).order_by(*sorts.get(sort, NAME_ORDER))


def my_students(*, educator, sort: str = "name", page: int | str | None = 1) -> Page:
    """Every student the educator may see, sorted as asked, a page at a time."""
    students = _sorted(as_list_rows(visible_students(educator)), MY_STUDENTS_SORTS, sort)
    shown = Paginator(students, MY_STUDENTS_PER_PAGE).get_page(page)
    report_students(shown)
    return shown


@dataclass(frozen=True)
class SchoolLink:
    school: School
    student_count: int
    roster_open: bool


def my_schools(*, educator) -> list[SchoolLink]:
    """The schools of the students the educator may see, and whether each school's roster is open to them."""
    counts = {}
    for row in visible_students(educator).order_by().values("school").annotate(total=Count("pk")):
        counts[row["school"]] = row["total"]
    schools = School.objects.filter(pk__in=counts).order_by("name")
    open_rosters = set(schools_with_open_roster(educator).filter(pk__in=counts).values_list("pk", flat=True))
    return [SchoolLink(school, counts[school.pk], school.pk in open_rosters) for school in schools]


@dataclass
class RosterFilters:
    """The roster's filters, already validated (students.forms.RosterFilterForm builds them)."""

    grade: str = ""
    homeroom_id: int | None = None
    sped: bool | None = None
    plan_504: bool | None = None
    english_learner: str = ""  # "", or a key of ENGLISH_LEARNER_FILTERS
    absences: str = ""
    incidents: str = ""
    sort: str = "name"
    active_only: bool = True


def _never_english_learners() -> Q:
    return ~current_english_learner_students() & ~former_english_learner_students()


# "English learner: Yes" means learning English now; former learners are their own answer.
ENGLISH_LEARNER_FILTERS = {
    "yes": current_english_learner_students,
    "former": former_english_learner_students,
    "no": _never_english_learners,
}


def _in_bucket(name: str, bucket: tuple) -> Q:
    _label, low, high = bucket
    condition = Q(**{f"{name}__gte": low})
    if high is not None:
        condition &= Q(**{f"{name}__lte": high})
    return condition


def _filtered(students: QuerySet[Student], filters: RosterFilters) -> QuerySet[Student]:
    if filters.active_only:
        students = students.filter(ACTIVE_STUDENT)
    if filters.grade:
        students = students.filter(grade=filters.grade)
    if filters.homeroom_id is not None:
        students = students.filter(homeroom_id=filters.homeroom_id)
    if filters.sped is not None:
        sped = special_education_students()
        students = students.filter(sped if filters.sped else ~sped)
    if filters.plan_504 is not None:
        has_504 = Q(plan_504=Student.Plan504Status.ACTIVE)
        students = students.filter(has_504 if filters.plan_504 else ~has_504)
    if filters.english_learner in ENGLISH_LEARNER_FILTERS:
        students = students.filter(ENGLISH_LEARNER_FILTERS[filters.english_learner]())
    if filters.absences in ABSENCE_BUCKETS:
        students = students.filter(_in_bucket("absence_count", ABSENCE_BUCKETS[filters.absences]))
    if filters.incidents in INCIDENT_BUCKETS:
        students = students.filter(_in_bucket("incident_count", INCIDENT_BUCKETS[filters.incidents]))
    return students


def roster_school_or_404(*, educator, school_id) -> School:
    """The school if its roster is open to the educator (districtwide, schoolwide or grade level), else 404."""
    school = School.objects.filter(pk=school_id).first() if str(school_id).isdigit() else None
    if school is None or not can_view_school_roster(educator, school):
        raise not_found()
    return school


def roster_choices(*, school: School) -> tuple[list[str], list[Homeroom]]:
    """The school's grades (in school order) and homerooms, for the roster's filters; no students."""
    grades = sorted(school.grades.values_list("grade", flat=True), key=GRADE_ORDER.__getitem__)
    return grades, list(Homeroom.objects.filter(school=school).order_by("name"))


@dataclass(frozen=True)
class Roster:
    school: School
    since: datetime.date
    students: list[Student]
    # How many of the school's students (enrolled, or all with include_inactive) each filter choice
    # would keep, whatever the other filters: {"grade": {"3": 42}, "sped": {"yes": 9, "no": 580}, ...}.
    counts: dict[str, dict[str, int]] | None = None


def _roster_rows(educator, school: School, filters: RosterFilters) -> tuple[datetime.date, list[Student]]:
    since = current_school_year_start(today())
    window = current_window()
    students = with_early_warning(with_activity(as_list_rows(school_roster(educator, school)), since), window)
    rows = list(_sorted(_filtered(students, filters), ROSTER_SORTS, filters.sort))
    attach_early_warning(rows, window)
    return since, rows


def _choice_conditions(grades: list[str], homerooms: list[Homeroom]) -> dict[str, dict[str, Q]]:
    """Each roster filter's choices as conditions on a roster row (with its activity counts annotated)."""
    has_504 = Q(plan_504=Student.Plan504Status.ACTIVE)
    sped = special_education_students()
    return {
        "grade": {grade: Q(grade=grade) for grade in grades},
        "homeroom": {str(homeroom.pk): Q(homeroom_id=homeroom.pk) for homeroom in homerooms},
        "sped": {"yes": sped, "no": ~sped},
        "plan_504": {"yes": has_504, "no": ~has_504},
        "english_learner": {key: condition() for key, condition in ENGLISH_LEARNER_FILTERS.items()},
        "absences": {key: _in_bucket("absence_count", bucket) for key, bucket in ABSENCE_BUCKETS.items()},
        "incidents": {key: _in_bucket("incident_count", bucket) for key, bucket in INCIDENT_BUCKETS.items()},
    }


def _choice_counts(educator, school: School, filters: RosterFilters, conditions) -> dict[str, dict[str, int]]:
    """How many students each filter choice keeps, all counted in one aggregate query."""
    students = with_activity_counts(school_roster(educator, school), current_school_year_start(today()))
    if filters.active_only:
        students = students.filter(ACTIVE_STUDENT)
    totals = students.aggregate(
        **{
            f"{field}__{key}": Count("pk", filter=condition)
            for field, choices in conditions.items()
            for key, condition in choices.items()
        }
    )
    return {field: {key: totals[f"{field}__{key}"] for key in choices} for field, choices in conditions.items()}


def roster(*, educator, school: School, filters: RosterFilters, grades: list[str], homerooms: list[Homeroom]) -> Roster:
    """The school's roster as the educator may see it, filtered and sorted, with this year's counts
    and how many students each filter choice (of roster_choices' grades and homerooms) would keep."""
    since, students = _roster_rows(educator, school, filters)
    report_students(students)
    counts = _choice_counts(educator, school, filters, _choice_conditions(grades, homerooms))
    return Roster(school=school, since=since, students=students, counts=counts)


def roster_export(*, educator, school: School, filters: RosterFilters) -> Roster:
    """The same rows for a CSV download, recorded as exported (every student id in the file)."""
    since, students = _roster_rows(educator, school, filters)
    report_students(students)
    record_students((student.pk for student in students), kind="exported")
    return Roster(school=school, since=since, students=students)


@dataclass(frozen=True)
class ClassList:
    """A homeroom's or section's active students with this year's counts (and, for sections, the grade)."""

    since: datetime.date
    students: list[Student]
    sort: str  # the sort applied: the one asked for if the table has that column, "name" otherwise
    homeroom: Homeroom | None = None
    section: Section | None = None


def _class_rows(
    students: QuerySet[Student], since: datetime.date, sorts: dict, sort: str, *, export: bool
) -> list[Student]:
    """A class's rows sorted as asked (a key of ``sorts``), with this year's counts and each student's
    early-warning tier; reported as shown, and for a CSV also as exported."""
    window = current_window()
    rows = list(_sorted(with_early_warning(with_activity(students, since), window), sorts, sort))
    attach_early_warning(rows, window)
    report_students(rows)
    if export:
        record_students((student.pk for student in rows), kind="exported")
    return rows


def homeroom_class(*, educator, homeroom_id, sort: str = "name", export: bool = False) -> ClassList:
    """A homeroom's active students, if the homeroom's page is open to the educator (404 otherwise)."""
    homeroom = get_visible_homeroom_or_404(educator, homeroom_id)
    since = current_school_year_start(today())
    students = as_list_rows(visible_students(educator).filter(ACTIVE_STUDENT, homeroom=homeroom))
    sort = sort if sort in HOMEROOM_SORTS else "name"
    students = _class_rows(students, since, HOMEROOM_SORTS, sort, export=export)
    return ClassList(since=since, students=students, sort=sort, homeroom=homeroom)


def section_class(*, educator, section_id, sort: str = "name", export: bool = False) -> ClassList:
    """A section's active students with their grade in it, if the section's page is open (404 otherwise)."""
    section = get_visible_section_or_404(educator, section_id)
    since = current_school_year_start(today())
    assignment = StudentSectionAssignment.objects.filter(section=section, student=OuterRef("pk"))
    in_section = StudentSectionAssignment.objects.filter(section=section).values("student")
    students = as_list_rows(visible_students(educator).filter(ACTIVE_STUDENT, pk__in=in_section)).annotate(
        section_grade=Subquery(
            assignment.values("grade_numeric")[:1], output_field=DecimalField(max_digits=5, decimal_places=2)
        ),
        section_grade_letter=Subquery(assignment.values("grade_letter")[:1]),
    )
    sort = sort if sort in SECTION_SORTS else "name"
    students = _class_rows(students, since, SECTION_SORTS, sort, export=export)
    return ClassList(since=since, students=students, sort=sort, section=section)
