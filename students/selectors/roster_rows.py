"""The rows of a school's roster, a homeroom's and a section's table, and the roster's filter counts, in one statement.

A roster shows about 600 students, each with this year's absences, tardies and incidents, the
early-warning signals and tier, and the latest note. Annotating them through the ORM made twelve
correlated subqueries per student (each early-warning signal was counted twice, once for its value
and once for the tier) and a second statement counting the filters' choices, and building 600 model
instances with their school and homeroom cost more Python than the database spent. Here one SELECT
reads each table of events once for all the students (one index scan over their ids, which counts
this year and the recent window together), computes the tier from those counts, sorts and filters in
SQL, and returns the rows as one JSON array of arrays, with the filter counts beside it. The rows
become plain ``RosterRow`` objects.

The policy stays in SQL: the students come from the caller's queryset (the policy's roster, or a
homeroom's or section's visible students), compiled into the statement as its row source. Which of
them are in special education, learning English or former learners, as the filters ask, are the
model's own conditions, compiled into that row source as columns. Table names come from the models,
and every value is a parameter.
"""

import datetime
import decimal
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.utils import timezone

from students.models import (
    Absence,
    DisciplineIncident,
    EventNote,
    Homeroom,
    ProgramCategory,
    ProgramCode,
    Section,
    Student,
    StudentSectionAssignment,
    Tardy,
)
from students.models.grades import GRADE_CODES, school_year_of
from students.models.student import (
    StudentStanding,
    current_english_learner_students,
    former_english_learner_students,
    special_education_students,
)
from students.selectors._shared import select_sql, start_of
from students.selectors.early_warning import EarlyWarning, Window, reasons, tier_sql

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

# Sort keys a table may ask for -> its ORDER BY over the statement's rows (name breaks ties).
_BY_NAME = "x.last_name, x.first_name, x.id"
ORDERS = {
    "name": _BY_NAME,
    "grade": f"x.grade_position, {_BY_NAME}",
    "homeroom": f"x.homeroom_name NULLS LAST, {_BY_NAME}",
    "program": f"x.program_assigned, {_BY_NAME}",
    "absences": f"x.absence_count DESC, {_BY_NAME}",
    "tardies": f"x.tardy_count DESC, {_BY_NAME}",
    "incidents": f"x.incident_count DESC, {_BY_NAME}",
    "tier": f"x.tier DESC, {_BY_NAME}",
    "section_grade": f"x.section_grade_value NULLS LAST, {_BY_NAME}",
}


@dataclass
class RosterFilters:
    """The roster's filters, already validated (students.forms.RosterFilterForm builds them)."""

    grade: str = ""
    homeroom_id: int | None = None
    sped: bool | None = None
    plan_504: bool | None = None
    english_learner: str = ""  # "", or "yes" (learning English now), "former" or "no"
    absences: str = ""  # "", or a key of ABSENCE_BUCKETS
    incidents: str = ""  # "", or a key of INCIDENT_BUCKETS
    sort: str = "name"
    active_only: bool = True


@dataclass
class RosterRow(StudentStanding):
    """One student of a roster or class table: what the tables and their CSV files show, nothing more."""

    pk: int
    local_id: str
    first_name: str
    last_name: str
    grade: str
    enrollment_status: str
    missing_from_last_export: bool
    program_assigned: str
    sped_level_of_need: str
    plan_504: str
    limited_english_proficiency: str
    program_category: str
    homeroom_id: int | None
    homeroom_name: str | None
    absence_count: int
    tardy_count: int
    incident_count: int
    ew_absences: int
    ew_incidents: int
    ew_failures: int
    early_warning_tier: int
    latest_note_on: datetime.date | None  # the local day of the student's latest note
    latest_note_type: str | None
    section_grade: decimal.Decimal | None = None  # on a section's table only
    failing_in_section: bool = False  # the section's grade is below the district's failing grade
    early_warning: EarlyWarning | None = None


_SOURCE_COLUMNS = (
    "id",
    "local_id",
    "first_name",
    "last_name",
    "grade",
    "enrollment_status",
    "missing_from_last_export",
    "program_assigned",
    "sped_level_of_need",
    "plan_504",
    "limited_english_proficiency",
    "homeroom_id",
)
# The statement's columns of a row, in RosterRow's order (its fields up to the section's grade).
_ROW_COLUMNS = (
    *_SOURCE_COLUMNS[:-1],
    "program_category",
    "homeroom_id",
    "homeroom_name",
    "absence_count",
    "tardy_count",
    "incident_count",
    "ew_absences",
    "ew_incidents",
    "ew_failures",
    "tier",
    "latest_note_on",
    "latest_note_type",
)

# {students} is the caller's queryset. Each table of events is read once for all of its students, by one
# index scan over the students' ids (= ANY of them), not once per student: absences and incidents for the
# whole roster (the filters' choices are counted over all of it), counted for this school year and for
# the early-warning window together; then, for the rows the filters keep, tardies and failing sections,
# and each one's latest note (the top of its (student, time) index: reading every note of hundreds of
# students to keep one each cost more).
_STATEMENT = """
WITH roster AS MATERIALIZED (
  SELECT s.*, coalesce(program.category, %s) AS program_category
  FROM ({students}) s
  LEFT JOIN {program_code} program ON program.code = s.program_assigned
), absences AS (
  SELECT absence.student_id, count(*) FILTER (WHERE absence.occurred_on >= %s) AS this_year,
         count(*) FILTER (WHERE absence.occurred_on >= %s) AS recent
  FROM {absence} absence
  WHERE absence.student_id = ANY(ARRAY(SELECT id FROM roster)) AND absence.occurred_on >= least(%s, %s)
  GROUP BY absence.student_id
), incidents AS (
  SELECT incident.student_id, count(*) FILTER (WHERE incident.occurred_at >= %s) AS this_year,
         count(*) FILTER (WHERE incident.occurred_at >= %s) AS recent
  FROM {incident} incident
  WHERE incident.student_id = ANY(ARRAY(SELECT id FROM roster)) AND incident.occurred_at >= least(%s, %s)
  GROUP BY incident.student_id
), counted AS (
  SELECT r.*, coalesce(absences.this_year, 0) AS absence_count, coalesce(absences.recent, 0) AS ew_absences,
         coalesce(incidents.this_year, 0) AS incident_count, coalesce(incidents.recent, 0) AS ew_incidents
  FROM roster r
  LEFT JOIN absences ON absences.student_id = r.id
  LEFT JOIN incidents ON incidents.student_id = r.id
), shown AS MATERIALIZED (
  SELECT * FROM counted r WHERE {where}
), tardies AS (
  SELECT tardy.student_id, count(*) AS this_year FROM {tardy} tardy
  WHERE tardy.student_id = ANY(ARRAY(SELECT id FROM shown)) AND tardy.occurred_on >= %s
  GROUP BY tardy.student_id
), failures AS (
  SELECT assignment.student_id, count(*) AS total
  FROM {student_section} assignment JOIN {section} section ON section.id = assignment.section_id
  WHERE assignment.student_id = ANY(ARRAY(SELECT id FROM shown))
    AND section.school_year = %s AND assignment.grade_numeric < %s
  GROUP BY assignment.student_id
)
SELECT
  (SELECT json_agg(json_build_array({columns}) ORDER BY {order}) FROM (
     SELECT r.*, homeroom.name AS homeroom_name, array_position(%s::text[], r.grade::text) AS grade_position,
            coalesce(tardies.this_year, 0) AS tardy_count, coalesce(failures.total, 0) AS ew_failures, {tier} AS tier,
            (notes.recorded_at AT TIME ZONE %s)::date AS latest_note_on, notes.note_type AS latest_note_type{placement}
     FROM shown r
     LEFT JOIN {homeroom} homeroom ON homeroom.id = r.homeroom_id
     LEFT JOIN tardies ON tardies.student_id = r.id
     LEFT JOIN failures ON failures.student_id = r.id
     LEFT JOIN LATERAL (
       SELECT note.recorded_at, note.note_type FROM {note} note WHERE note.student_id = r.id
       ORDER BY note.recorded_at DESC, note.id DESC LIMIT 1) notes ON true
     {placement_join}) x),
  {counts}"""

_PLACEMENT = (
    ", placement.grade_numeric AS section_grade_value, placement.grade_numeric::text AS section_grade,"
    " coalesce(placement.grade_numeric < %s, false) AS failing_in_section"
)
_PLACEMENT_JOIN = "LEFT JOIN {student_section} placement ON placement.section_id = %s AND placement.student_id = r.id"


def _program_columns() -> dict[str, ExpressionWrapper]:
    """The model's rules for the programs the roster filters by (students.models.student), as boolean
    columns of the statement's source: the filters and their counts read these, not rules of their own."""
    rules = {
        "in_special_education": special_education_students(),
        "learning_english": current_english_learner_students(),
        "former_english_learner": former_english_learner_students(),
    }
    return {name: ExpressionWrapper(rule, output_field=BooleanField()) for name, rule in rules.items()}


# "English learner: Yes" means learning English now; former learners are their own answer.
_ENGLISH_LEARNER = {
    "yes": ("r.learning_english", []),
    "former": ("r.former_english_learner", []),
    "no": ("NOT (r.learning_english OR r.former_english_learner)", []),
}


def _in_bucket(column: str, bucket: tuple) -> tuple[str, list]:
    _label, low, high = bucket
    if high is None:
        return f"r.{column} >= %s", [low]
    return f"r.{column} BETWEEN %s AND %s", [low, high]


def _yes_no(condition: str, params: list) -> dict[str, tuple[str, list]]:
    return {"yes": (condition, params), "no": (f"NOT {condition}", params)}


def _choices(grades: list[str], homeroom_ids: list[int]) -> dict[str, dict[str, tuple[str, list]]]:
    """Each filter's choices as conditions on a roster row (SQL over ``r`` and its parameters)."""
    return {
        "grade": {grade: ("r.grade = %s", [grade]) for grade in grades},
        "homeroom": {str(pk): ("r.homeroom_id = %s", [pk]) for pk in homeroom_ids},
        "sped": _yes_no("r.in_special_education", []),
        "plan_504": _yes_no("r.plan_504 = %s", [Student.Plan504Status.ACTIVE]),
        "english_learner": _ENGLISH_LEARNER,
        "absences": {key: _in_bucket("absence_count", bucket) for key, bucket in ABSENCE_BUCKETS.items()},
        "incidents": {key: _in_bucket("incident_count", bucket) for key, bucket in INCIDENT_BUCKETS.items()},
    }


def _filter_conditions(filters: RosterFilters) -> list[tuple[str, list]]:
    """The conditions the chosen filters put on the rows (the same as their choices count)."""
    yes_no = {None: "", True: "yes", False: "no"}
    chosen = {
        "grade": filters.grade,
        "homeroom": "" if filters.homeroom_id is None else str(filters.homeroom_id),
        "sped": yes_no[filters.sped],
        "plan_504": yes_no[filters.plan_504],
        "english_learner": filters.english_learner,
        "absences": filters.absences,
        "incidents": filters.incidents,
    }
    homerooms = [filters.homeroom_id] if filters.homeroom_id is not None else []
    choices = _choices([filters.grade] if filters.grade else [], homerooms)
    return [choices[field][key] for field, key in chosen.items() if key in choices[field]]


def _tables() -> dict[str, str]:
    models = {
        "program_code": ProgramCode,
        "absence": Absence,
        "incident": DisciplineIncident,
        "tardy": Tardy,
        "student_section": StudentSectionAssignment,
        "section": Section,
        "note": EventNote,
        "homeroom": Homeroom,
    }
    return {key: connection.ops.quote_name(model._meta.db_table) for key, model in models.items()}


@dataclass(frozen=True)
class RosterQuestion:
    """What a table asks: its students' school year from ``since``, the early-warning ``window``, the sort
    (a key of ORDERS), the roster's filters, the choices to count (grades and homeroom ids; none for a
    class's table) and, for a section's table, the section whose grades it shows."""

    since: datetime.date
    window: Window
    sort: str = "name"
    filters: RosterFilters | None = None
    counted_grades: tuple[str, ...] | None = None
    counted_homeroom_ids: tuple[int, ...] = ()
    section_id: int | None = None


def _statement(students: QuerySet[Student], question: RosterQuestion, counted: list | None) -> tuple[str, list]:
    """The one SELECT of the rows and, if ``counted`` (the choices' conditions), of the choices' counts; and
    its parameters in order."""
    source, source_params = select_sql(students, *_SOURCE_COLUMNS, **_program_columns())
    window, tables, in_section = question.window, _tables(), question.section_id is not None
    year_start, recent_start = start_of(question.since), start_of(window.since)
    tier, tier_params = tier_sql(
        window, absences="r.ew_absences", incidents="r.ew_incidents", failures="coalesce(failures.total, 0)"
    )
    conditions = _filter_conditions(question.filters) if question.filters else []
    params = [
        ProgramCategory.REGULAR,
        *source_params,
        *(question.since, window.since, question.since, window.since),
        *(year_start, recent_start, year_start, recent_start),
        *(param for _sql, condition_params in conditions for param in condition_params),
        *(question.since, school_year_of(window.until), window.thresholds.failing_grade),
        list(GRADE_CODES),
        *tier_params,
        timezone.get_current_timezone_name(),
        *([window.thresholds.failing_grade, question.section_id] if in_section else []),
    ]
    counts = "NULL"
    if counted is not None:
        filtered = ", ".join(f"count(*) FILTER (WHERE {sql})" for sql, _params in counted)
        counts = f"(SELECT json_build_array({filtered}) FROM counted r)"  # noqa: S608 (constant conditions)
        params += [param for _sql, condition_params in counted for param in condition_params]
    columns = [*_ROW_COLUMNS, *(("section_grade", "failing_in_section") if in_section else ())]
    statement = _STATEMENT.format(
        students=source,
        columns=", ".join(f"x.{column}" for column in columns),
        order=ORDERS.get(question.sort, _BY_NAME),
        tier=tier,
        placement=_PLACEMENT if in_section else "",
        placement_join=_PLACEMENT_JOIN.format(**tables) if in_section else "",
        where=" AND ".join(sql for sql, _params in conditions) or "true",
        counts=counts,
        **tables,
    )
    return statement, params


def _row(values: list, window: Window) -> RosterRow:
    """A row of the statement's JSON (its columns in RosterRow's order), its day and decimal parsed."""
    row = RosterRow(*values)
    if row.latest_note_on is not None:
        row.latest_note_on = datetime.date.fromisoformat(row.latest_note_on)
    if row.section_grade is not None:
        row.section_grade = decimal.Decimal(row.section_grade)
    row.early_warning = EarlyWarning(tier=row.early_warning_tier, reasons=reasons(row, window))
    return row


def roster_rows(
    students: QuerySet[Student], question: RosterQuestion
) -> tuple[list[RosterRow], dict[str, dict[str, int]] | None]:
    """The rows of ``students`` the question's filters keep, sorted as asked, and, if it counts choices,
    how many of ``students`` each choice of each filter would keep, whatever the other filters:
    ``{"grade": {"3": 42}, "sped": {"yes": 9, "no": 580}, ...}`` (None if it counts none)."""
    choices, counted = None, None
    if question.counted_grades is not None:
        choices = _choices(list(question.counted_grades), list(question.counted_homeroom_ids))
        counted = [condition for per_field in choices.values() for condition in per_field.values()]
    try:
        statement, params = _statement(students, question, counted)
    except EmptyResultSet:  # a queryset that can hold no one
        rows, totals = [], None
    else:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            rows, totals = cursor.fetchone()
    counts = None
    if choices is not None:
        numbers = iter(totals or [0] * len(counted))
        counts = {field: {key: next(numbers) for key in per_field} for field, per_field in choices.items()}
    return [_row(values, question.window) for values in rows or []], counts
