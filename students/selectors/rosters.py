"""Lists of students: my students, a school's roster (and its CSV), a homeroom and a section.

My students is one paged query over the policy's queryset. A roster's and a class's rows, with this
year's counts, the early-warning tiers and the roster's filter counts, are one statement
(students/selectors/roster_rows.py), so the number of queries does not grow with the number of students.
"""

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When

from audit.recorder import record_students
from permissions.kinds import ACTIVE_STUDENT
from permissions.policy import (
    get_visible_homeroom_or_404,
    get_visible_section_or_404,
    not_found,
    school_roster,
    schools_with_open_roster,
    visible_students,
)
from students.models import Homeroom, School, SchoolGrade, Section, Student, StudentSectionAssignment
from students.models.grades import GRADE_CODES, GRADE_ORDER
from students.selectors._shared import as_list_rows, current_school_year_start, model_from_row, report_students, today
from students.selectors.early_warning import current_window
from students.selectors.roster_rows import RosterFilters, RosterQuestion, RosterRow, roster_rows

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
# The sorts a homeroom's or section's table offers (their SQL is roster_rows.ORDERS; the roster's are
# ROSTER_SORT_LABELS' keys); sections also by the grade in them.
HOMEROOM_SORTS = ("name", "grade", "program", "absences", "tardies", "incidents", "tier")
SECTION_SORTS = (*HOMEROOM_SORTS, "section_grade")
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


def roster_school_or_404(*, educator, school_id) -> School:
    """The school if its roster is open to the educator (districtwide, schoolwide or grade level), else 404:
    one query, the policy's open rosters narrowed to the school."""
    school = schools_with_open_roster(educator).filter(pk=school_id).first() if str(school_id).isdigit() else None
    if school is None:
        raise not_found()
    return school


_CHOICES = """
SELECT (SELECT json_agg(grade.grade) FROM {school_grade} grade WHERE grade.school_id = %s),
       (SELECT json_agg(json_build_object('id', homeroom.id, 'name', homeroom.name, 'school_id', homeroom.school_id)
                        ORDER BY homeroom.name, homeroom.id)
        FROM {homeroom} homeroom WHERE homeroom.school_id = %s)"""


def roster_choices(*, school: School) -> tuple[list[str], list[Homeroom]]:
    """The school's grades (in school order) and homerooms by name, for the roster's filters; no students.
    One statement: composing two ORM queries cost more than running them."""
    tables = {"school_grade": SchoolGrade._meta.db_table, "homeroom": Homeroom._meta.db_table}
    with connection.cursor() as cursor:
        cursor.execute(
            _CHOICES.format(**{key: connection.ops.quote_name(name) for key, name in tables.items()}),
            [school.pk, school.pk],
        )
        grades, homerooms = cursor.fetchone()
    return sorted(grades or [], key=GRADE_ORDER.__getitem__), [model_from_row(Homeroom, row) for row in homerooms or []]


@dataclass(frozen=True)
class Roster:
    school: School
    since: datetime.date
    students: list[RosterRow]
    # How many of the school's students (enrolled, or all with include_inactive) each filter choice
    # would keep, whatever the other filters: {"grade": {"3": 42}, "sped": {"yes": 9, "no": 580}, ...}.
    counts: dict[str, dict[str, int]] | None = None


def _roster_students(educator, school: School, filters: RosterFilters) -> QuerySet[Student]:
    students = school_roster(educator, school)
    return students.filter(ACTIVE_STUDENT) if filters.active_only else students


def roster(*, educator, school: School, filters: RosterFilters, grades: list[str], homerooms: list[Homeroom]) -> Roster:
    """The school's roster as the educator may see it, filtered and sorted, with this year's counts
    and how many students each filter choice (of roster_choices' grades and homerooms) would keep."""
    since = current_school_year_start(today())
    question = RosterQuestion(
        since=since,
        window=current_window(),
        sort=filters.sort,
        filters=filters,
        counted_grades=tuple(grades),
        counted_homeroom_ids=tuple(homeroom.pk for homeroom in homerooms),
    )
    students, counts = roster_rows(_roster_students(educator, school, filters), question)
    report_students(students)
    return Roster(school=school, since=since, students=students, counts=counts)


def roster_export(*, educator, school: School, filters: RosterFilters) -> Roster:
    """The same rows for a CSV download, recorded as exported (every student id in the file)."""
    since = current_school_year_start(today())
    question = RosterQuestion(since=since, window=current_window(), sort=filters.sort, filters=filters)
    students, _counts = roster_rows(_roster_students(educator, school, filters), question)
    report_students(students)
    record_students((student.pk for student in students), kind="exported")
    return Roster(school=school, since=since, students=students)


@dataclass(frozen=True)
class ClassList:
    """A homeroom's or section's active students with this year's counts (and, for sections, the grade)."""

    since: datetime.date
    students: list[RosterRow]
    sort: str  # the sort applied: the one asked for if the table has that column, "name" otherwise
    homeroom: Homeroom | None = None
    section: Section | None = None


def _class_rows(students: QuerySet[Student], sort: str, *, export: bool, section_id: int | None = None):
    """A class's active students sorted as asked, with this year's counts and each student's early-warning
    tier; reported as shown, and for a CSV also as exported."""
    since = current_school_year_start(today())
    question = RosterQuestion(since=since, window=current_window(), sort=sort, section_id=section_id)
    rows, _counts = roster_rows(students.filter(ACTIVE_STUDENT), question)
    report_students(rows)
    if export:
        record_students((student.pk for student in rows), kind="exported")
    return since, rows


def homeroom_class(*, educator, homeroom_id, sort: str = "name", export: bool = False) -> ClassList:
    """A homeroom's active students, if the homeroom's page is open to the educator (404 otherwise)."""
    homeroom = get_visible_homeroom_or_404(educator, homeroom_id)
    sort = sort if sort in HOMEROOM_SORTS else "name"
    since, students = _class_rows(visible_students(educator).filter(homeroom=homeroom), sort, export=export)
    return ClassList(since=since, students=students, sort=sort, homeroom=homeroom)


def section_class(*, educator, section_id, sort: str = "name", export: bool = False) -> ClassList:
    """A section's active students with their grade in it, if the section's page is open (404 otherwise)."""
    section = get_visible_section_or_404(educator, section_id)
    in_section = StudentSectionAssignment.objects.filter(section=section).values("student")
    sort = sort if sort in SECTION_SORTS else "name"
    students = visible_students(educator).filter(pk__in=in_section)
    since, students = _class_rows(students, sort, export=export, section_id=section.pk)
    return ClassList(since=since, students=students, sort=sort, section=section)
