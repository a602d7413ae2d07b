"""What the home page reads in one statement: the kinds of school among the educator's students,
the notes feed, "failing a class", birthdays and "absent often" from the absence summary while it is
current.

Each list is a JSON array built by a subquery of one SELECT, as the profile's lists are
(students/selectors/profile_lists.py): one round trip and one plan instead of six ORM queries,
whose composing cost more Python than the database spent answering them. The policy stays in SQL:
every list reads its students from the visible-students queryset, compiled once and placed as the
row source of each subquery, with its own parameters. Table names come from the models, and every
value is a parameter.

Each list picks its students from narrow rows first, sorted and cut to the page's few, and only
then looks up their school's and homeroom's names: a districtwide week of birthdays is about 900
students, and the birthdays are read a day at a time through the (month, day) index until enough.
"""

import datetime
import decimal
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from educators.models import Educator
from permissions.kinds import ACTIVE_STUDENT
from students.models import (
    Course,
    EarlyWarningThresholds,
    EducatorSectionAssignment,
    EventNote,
    Homeroom,
    School,
    Section,
    Student,
    StudentSectionAssignment,
)
from students.models.absence_summary import AbsenceSummary, current_condition
from students.selectors._shared import model_from_row, select_sql

# How many of the district's newest notes the feed walks before it reads each visible student's own
# instead: a few milliseconds of reading, which a districtwide educator's page never reaches.
FEED_WALK_NOTES = 3000

_STUDENT_COLUMNS = ("id", "local_id", "first_name", "last_name", "grade", "school_id", "homeroom_id")

# {students} is the visible-students queryset's SQL; the other names are the models' tables. The
# few students listed get their school's and homeroom's names by primary key, one probe each.
_NAMES = (
    "(SELECT name FROM {school} WHERE id = c.school_id) AS school_name,"
    " (SELECT name FROM {homeroom} WHERE id = c.homeroom_id) AS homeroom_name"
)
_SCHOOL_TYPES = """
  (SELECT json_agg(DISTINCT school.school_type) FROM {school} school
   WHERE EXISTS (SELECT 1 FROM ({students}) s WHERE s.school_id = school.id))"""

# The homerooms and this year's sections the educator teaches (the page then asks the policy which of
# them they may open, only when there are some).
_TAUGHT = """
  (SELECT json_agg(h ORDER BY h.name, h.id) FROM (
     SELECT id, name, school_id FROM {homeroom} WHERE educator_id = %s) h),
  (SELECT json_agg(x ORDER BY x.schedule, x.course_number, x.id) FROM (
     SELECT section.id, section.course_id, section.section_number, section.schedule, section.school_year,
            course.course_number, course.description
     FROM {section} section JOIN {course} course ON course.id = section.course_id
     WHERE section.school_year = %s
       AND section.id IN (SELECT section_id FROM {educator_section} WHERE educator_id = %s)) x)"""

# The feed's notes, newest first, found one of two ways in the same statement. First a walk of the
# district's newest plain notes through the time index, keeping those about visible students: right when
# they are a large share of the district (a districtwide educator's first note is the district's). The
# walk reads at most FEED_WALK_NOTES notes, so a school's few students in a large district cannot make it
# read the district's history; when it did not find the page's notes there, each visible student's own
# newest notes are read through the (student, recorded_at) index and merged instead, a cost set by the
# educator's students and not by the district. Either way the answer is the same: any visible note the
# walk did not reach is older than every note it read. Each branch's gate is a one-time condition over
# the materialized walk (PostgreSQL runs a branch whose condition is false not at all). The counts are
# written into the text, not passed as parameters: they are the page's own integers, and a plan made
# without them (a generic plan, when this statement was prepared) guessed a hundred thousand notes on the
# page and hashed the district's notes to join them.
_FEED = """
  (WITH walked AS MATERIALIZED (
     SELECT note.id, note.recorded_at FROM (
       SELECT id, student_id, recorded_at FROM {note} WHERE NOT is_restricted
       ORDER BY recorded_at DESC, id DESC LIMIT {walk}) note
     CROSS JOIN LATERAL (SELECT 1 FROM ({students}) s WHERE s.id = note.student_id LIMIT 1) visible
     ORDER BY note.recorded_at DESC, note.id DESC LIMIT {enough}),
   newest AS (
     SELECT id, recorded_at FROM walked WHERE (SELECT count(*) FROM walked) >= {enough}
     UNION ALL
     SELECT own.id, own.recorded_at FROM ({students}) s CROSS JOIN LATERAL (
       SELECT note.id, note.recorded_at FROM {note} note
       WHERE note.student_id = s.id AND NOT note.is_restricted
       ORDER BY note.recorded_at DESC, note.id DESC LIMIT {enough}) own
     WHERE (SELECT count(*) FROM walked) < {enough})
   SELECT json_agg(n ORDER BY n.recorded_at DESC, n.id DESC) FROM (
     SELECT note.id, note.student_id, note.author_id, note.note_type, note.text, note.recorded_at,
            student.first_name AS student_first_name, student.last_name AS student_last_name,
            author.full_name AS author_full_name
     FROM (SELECT id FROM newest ORDER BY recorded_at DESC, id DESC LIMIT {limit} OFFSET {offset}) page
     JOIN {note} note ON note.id = page.id
     JOIN {student} student ON student.id = note.student_id
     JOIN {educator} author ON author.id = note.author_id) n)"""

_FAILING = """
  (SELECT json_agg(f ORDER BY f.lowest_grade::numeric, f.last_name, f.first_name, f.id) FROM (
     SELECT c.*, {names} FROM (
       SELECT s.*, failing.sections AS failing_sections, failing.lowest::text AS lowest_grade
       FROM ({students}) s
       JOIN (SELECT assignment.student_id, count(*) AS sections, min(assignment.grade_numeric) AS lowest
             FROM {student_section} assignment JOIN {section} section ON section.id = assignment.section_id
             WHERE section.school_year = %s AND assignment.grade_numeric < {failing_grade}
             GROUP BY assignment.student_id) failing ON failing.student_id = s.id
       WHERE NOT EXISTS (SELECT 1 FROM {note} note WHERE note.student_id = s.id AND note.recorded_at >= %s)
       ORDER BY failing.lowest, s.last_name, s.first_name, s.id
       LIMIT %s) c) f)"""

# The grade below which a section's grade is failing: the district's (EarlyWarningThresholds, set in the
# admin), or the model's default while the district has none saved yet. The early-warning tiers, the
# section tables and the profile mark failing below the same grade.
_FAILING_GRADE = "(SELECT coalesce(max(limits.failing_grade), %s) FROM {thresholds} limits WHERE limits.singleton)"
_DEFAULT_FAILING_GRADE = EarlyWarningThresholds._meta.get_field("failing_grade").default

# The summary's candidates, most absent first, without a note since the first of their absences (notes
# are written all day, so this check is live); NULL, not a list, when the summary is stale, in which
# case the page counts live. Asking whether it is current in this statement reads both from one snapshot.
_ABSENT_OFTEN = """
  (SELECT CASE WHEN {summary_is_current} THEN coalesce(json_agg(a ORDER BY a.recent_absences DESC, a.last_name,
     a.first_name, a.id), '[]'::json) END FROM (
     SELECT c.*, {names} FROM (
       SELECT s.*, summary.absences AS recent_absences, summary.first_absence_on AS first_recent_absence
       FROM ({students}) s
       JOIN {summary} summary ON summary.student_id = s.id
       WHERE summary.absences >= %s AND {summary_is_current} AND NOT EXISTS (
         SELECT 1 FROM {note} note
         WHERE note.student_id = s.id AND note.recorded_at >= %s
           AND (note.recorded_at AT TIME ZONE %s)::date >= summary.first_absence_on)
       ORDER BY summary.absences DESC, s.last_name, s.first_name, s.id
       LIMIT %s) c) a)"""

# The week's days as (month, day) pairs, numbered in order: PostgreSQL reads each day's students
# through the (month, day) birthday index, in day order, and stops once it has enough.
_BIRTHDAYS = """
  (SELECT json_agg(b ORDER BY b.birthday_position, b.last_name, b.first_name, b.id) FROM (
     SELECT c.*, {names} FROM (
       SELECT s.*, day.position - 1 AS birthday_position
       FROM ({students}) s
       JOIN unnest(%s::numeric[], %s::numeric[]) WITH ORDINALITY AS day(month, day, position)
         ON EXTRACT(MONTH FROM s.date_of_birth) = day.month AND EXTRACT(DAY FROM s.date_of_birth) = day.day
       ORDER BY day.position, s.last_name, s.first_name, s.id
       LIMIT %s) c) b)"""


@dataclass(frozen=True)
class FailingQuestion:
    """Who is failing a class: below the district's failing grade in a section of the school year, no note
    since `no_note_since`."""

    no_note_since: datetime.datetime
    limit: int


@dataclass(frozen=True)
class AbsentOftenQuestion:
    """Who is absent often by the summary of the window ending `day`: `at_least` absences, and no note
    since the first of them (only notes from `notes_since`, the window's first day, can be)."""

    day: datetime.date
    at_least: int
    notes_since: datetime.datetime
    limit: int


@dataclass(frozen=True)
class HomeLists:
    homerooms: list[Homeroom]  # the educator teaches, by name
    sections: list[Section]  # the educator teaches this school year, by period and course
    school_types: set[str]  # of the schools the educator sees students in
    feed: list[EventNote]  # up to the page's notes and one more (whether there are more)
    failing: list[Student]  # up to the limit and one more
    failing_below: int  # the district's failing grade, which `failing` compares with
    birthdays: list[Student]  # each with `birthday_position`, the day's place in the week
    absent_often: list[Student] | None  # from the summary; None while it is stale


def _tables() -> dict[str, str]:
    models = {
        "note": EventNote,
        "student": Student,
        "educator": Educator,
        "student_section": StudentSectionAssignment,
        "section": Section,
        "school": School,
        "homeroom": Homeroom,
        "course": Course,
        "educator_section": EducatorSectionAssignment,
        "summary": AbsenceSummary,
        "thresholds": EarlyWarningThresholds,
    }
    tables = {key: connection.ops.quote_name(model._meta.db_table) for key, model in models.items()}
    return {**tables, "names": _NAMES.format(**tables)}


def _student(row: dict) -> Student:
    """A listed student, with their school and homeroom (each only its name)."""
    student = model_from_row(Student, row)
    student.school = model_from_row(School, {"id": row["school_id"], "name": row["school_name"]})
    homeroom = row["homeroom_id"]
    student.homeroom = (
        None if homeroom is None else model_from_row(Homeroom, {"id": homeroom, "name": row["homeroom_name"]})
    )
    return student


def _listed(row: dict, **annotations) -> Student:
    """A listed student with what their list says of them (their absences, their lowest grade...)."""
    student = _student(row)
    for name, value in annotations.items():
        setattr(student, name, value)
    return student


def _note(row: dict) -> EventNote:
    note = model_from_row(EventNote, row)
    note.student = model_from_row(
        Student,
        {"id": row["student_id"], "first_name": row["student_first_name"], "last_name": row["student_last_name"]},
    )
    note.author = model_from_row(Educator, {"id": row["author_id"], "full_name": row["author_full_name"]})
    return note


def _section(row: dict) -> Section:
    section = model_from_row(Section, row)
    section.course = model_from_row(Course, {**row, "id": row["course_id"]})
    return section


def _statement(
    visible: QuerySet[Student],
    *,
    educator: Educator,
    school_year: int,
    notes: slice,
    failing: FailingQuestion,
    birthdays: list[datetime.date],
    birthday_limit: int,
    absent_often: AbsentOftenQuestion,
) -> tuple[str, list]:
    """The one SELECT of the home's lists, and its parameters in order."""
    tables = _tables()
    enrolled = visible.filter(ACTIVE_STUDENT)
    parts = [_TAUGHT.format(**tables)]
    params = [educator.pk, school_year, educator.pk]

    students, students_params = select_sql(visible, "id", "school_id")
    parts.append(_SCHOOL_TYPES.format(students=students, **tables))
    params += students_params

    students, students_params = select_sql(visible, "id")
    counts = {"enough": int(notes.stop), "limit": int(notes.stop - notes.start), "offset": int(notes.start)}
    parts.append(_FEED.format(students=students, walk=int(FEED_WALK_NOTES), **counts, **tables))
    params += [*students_params, *students_params]

    students, students_params = select_sql(
        enrolled.filter(school__school_type=School.SchoolType.HIGH), *_STUDENT_COLUMNS
    )
    parts.append(_FAILING.format(students=students, failing_grade=_FAILING_GRADE.format(**tables), **tables))
    params += [*students_params, school_year, _DEFAULT_FAILING_GRADE, failing.no_note_since, failing.limit]

    students, students_params = select_sql(
        enrolled.filter(date_of_birth__isnull=False), *_STUDENT_COLUMNS, "date_of_birth"
    )
    parts.append(_BIRTHDAYS.format(students=students, **tables))
    params += [*students_params, [day.month for day in birthdays], [day.day for day in birthdays], birthday_limit]

    current, current_params = current_condition(absent_often.day)
    students, students_params = select_sql(enrolled, *_STUDENT_COLUMNS)
    parts.append(_ABSENT_OFTEN.format(students=students, summary_is_current=current, **tables))
    params += [
        *current_params,
        *students_params,
        absent_often.at_least,
        *current_params,
        absent_often.notes_since,
        timezone.get_current_timezone_name(),
        absent_often.limit,
    ]

    parts.append(_FAILING_GRADE.format(**tables))
    params.append(_DEFAULT_FAILING_GRADE)
    return "SELECT" + ",".join(parts), params


def home_lists(
    visible: QuerySet[Student],
    *,
    educator: Educator,
    school_year: int,
    notes: slice,
    failing: FailingQuestion,
    birthdays: list[datetime.date],
    birthday_limit: int,
    absent_often: AbsentOftenQuestion,
) -> HomeLists:
    """The homerooms and the `school_year`'s sections the educator teaches; the kinds of school they
    see students in; the feed's notes in `notes` (newest first,
    plain notes only); the enrolled high-school students failing a section, lowest grade first; up to
    `birthday_limit` enrolled students born on one of the `birthdays` (month and day), soonest first;
    and who is absent often by the summary, if it is current.

    Every student comes from `visible`, the educator's visible-students queryset; when it can hold
    no one (an educator with no grants), neither can the lists, nor may they open a class, and nothing
    is asked."""
    try:
        statement, params = _statement(
            visible,
            educator=educator,
            school_year=school_year,
            notes=notes,
            failing=failing,
            birthdays=birthdays,
            birthday_limit=birthday_limit,
            absent_often=absent_often,
        )
    except EmptyResultSet:
        return HomeLists(
            homerooms=[],
            sections=[],
            school_types=set(),
            feed=[],
            failing=[],
            failing_below=_DEFAULT_FAILING_GRADE,  # never shown: the educator sees no high school
            birthdays=[],
            absent_often=None,
        )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        homerooms, sections, school_types, feed, failing_rows, birthday_rows, absent_rows, failing_below = (
            cursor.fetchone()
        )
    return HomeLists(
        homerooms=[model_from_row(Homeroom, row) for row in homerooms or []],
        sections=[_section(row) for row in sections or []],
        school_types=set(school_types or []),
        feed=[_note(row) for row in feed or []],
        failing=[
            _listed(row, failing_sections=row["failing_sections"], lowest_grade=decimal.Decimal(row["lowest_grade"]))
            for row in failing_rows or []
        ],
        failing_below=failing_below,
        birthdays=[_listed(row, birthday_position=row["birthday_position"]) for row in birthday_rows or []],
        absent_often=None
        if absent_rows is None
        else [
            _listed(
                row,
                recent_absences=row["recent_absences"],
                first_recent_absence=datetime.date.fromisoformat(row["first_recent_absence"]),
            )
            for row in absent_rows
        ],
    )
