"""The small lists of one student's record the profile page shows (and its PDF's attendance and scores), in one query.

Notes, discipline incidents, monthly attendance, services, this year's sections with their teachers,
STAR and MCAS scores and ACCESS results: each is a JSON array built by a subquery of one SELECT, so
the page pays for one round trip instead of eight, and no ORM query is composed for them (composing
eight cost more Python than the database spent answering them). The rows become model instances with
only the columns read (`Model.from_db`, as `.only()` makes them), so templates and charts use them as
before. The same SELECT reads the district's early-warning thresholds with the student's three
signals counted over their window (the counts the lists read, students/selectors/roster_rows.py), so the
profile's single-student check is a bare visibility probe, and whether the student has a 504 plan, an
IEP or a family's statement. Encrypted columns are never read here: restricted note text stays
unloaded, and the 504 plans, the IEPs and the family's statements are read by the ORM, which decrypts
each under its own column, only for a student who has one.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from educators.models import Educator
from insights.prepared_statements import prepared
from permissions.policy import not_found, visible_student_sql
from privacy.models import DisagreementStatement
from students.models import (
    Absence,
    AccessResult,
    Course,
    DisciplineIncident,
    EarlyWarningThresholds,
    EducatorSectionAssignment,
    EventNote,
    EventNoteRevision,
    Homeroom,
    Iep,
    McasResult,
    Plan504,
    ProgramCode,
    School,
    Section,
    Service,
    StarResult,
    Student,
    StudentSectionAssignment,
    Tardy,
)
from students.selectors._shared import model_from_row


class Score(NamedTuple):
    """One assessment result: test ("STAR" or "MCAS"), subject, day, score (percentile or scaled score)."""

    test: str
    subject: str
    day: datetime.date
    score: int


class SectionTeacher(NamedTuple):
    """An educator teaching one of the student's sections this year."""

    section: Section
    name: str


@dataclass(frozen=True)
class ProfileLists:
    notes: list[EventNote]
    incidents: list[DisciplineIncident]
    attendance_counts: dict[str, dict[datetime.date, int]]  # "absence"/"tardy" -> month -> count
    services: list[Service]
    section_assignments: list[StudentSectionAssignment]
    section_teachers: list[SectionTeacher]
    assessments: list[Score]
    access_results: list[AccessResult]
    thresholds: EarlyWarningThresholds
    # The early-warning signals' counts over the thresholds' window ending on the day ("ew_absences",
    # "ew_incidents", "ew_failures": the names the lists' rows give them, students/selectors/roster_rows.py).
    early_warning_counts: dict[str, int]
    # Whether the student has any 504 plan, IEP or family's statement: their encrypted text is read
    # by the ORM, column by column, only for a student who has one.
    has_plans_504: bool
    has_ieps: bool
    has_disagreement_statements: bool


# Each list is a subquery aggregating its rows into a JSON array (NULL when there are none). Values
# are parameters; a NULL "since" shows every year. Numeric columns come as text, so they keep their
# exact decimal value.
_PROFILE_LISTS_SQL = """
SELECT
  (SELECT json_agg(n ORDER BY n.recorded_at DESC, n.id DESC) FROM (
     SELECT note.id, note.student_id, note.author_id, note.note_type, note.text, note.is_restricted,
            note.recorded_at, author.full_name AS author_full_name,
            (SELECT count(*) FROM {note_revision} revision WHERE revision.note_id = note.id) AS revision_count
     FROM {note} note JOIN {educator} author ON author.id = note.author_id
     WHERE note.student_id = %(student)s
       AND (%(notes_since)s::timestamptz IS NULL OR note.recorded_at >= %(notes_since)s::timestamptz)) n),
  (SELECT json_agg(i ORDER BY i.occurred_at DESC, i.id DESC) FROM (
     SELECT id, student_id, incident_code, incident_location, incident_category, location_category,
            incident_description, occurred_at, has_exact_time
     FROM {incident}
     WHERE student_id = %(student)s
       AND (%(incidents_since)s::timestamptz IS NULL OR occurred_at >= %(incidents_since)s::timestamptz)) i),
  (SELECT json_agg(a) FROM (
     SELECT 'absence' AS kind, date_trunc('month', occurred_on::timestamp)::date AS month, count(occurred_on) AS total
     FROM {absence}
     WHERE student_id = %(student)s AND occurred_on <= %(day)s::date
       AND (%(attendance_since)s::date IS NULL OR occurred_on >= %(attendance_since)s::date)
     GROUP BY 2
     UNION ALL
     SELECT 'tardy', date_trunc('month', occurred_on::timestamp)::date, count(occurred_on)
     FROM {tardy}
     WHERE student_id = %(student)s AND occurred_on <= %(day)s::date
       AND (%(attendance_since)s::date IS NULL OR occurred_on >= %(attendance_since)s::date)
     GROUP BY 2) a),
  (SELECT json_agg(s ORDER BY s.date_started DESC, s.id DESC) FROM (
     SELECT service.id, service.student_id, service.service_type, service.provided_by, service.date_started,
            service.estimated_end_date, service.recorded_by_id, service.recorded_at, service.discontinued_at,
            service.discontinued_by_id, recorder.full_name AS recorded_by_full_name,
            discontinuer.full_name AS discontinued_by_full_name
     FROM {service} service
     JOIN {educator} recorder ON recorder.id = service.recorded_by_id
     LEFT JOIN {educator} discontinuer ON discontinuer.id = service.discontinued_by_id
     WHERE service.student_id = %(student)s) s),
  (SELECT json_agg(x ORDER BY x.schedule, x.course_number, x.id) FROM (
     SELECT assignment.id, assignment.student_id, assignment.section_id, assignment.grade_numeric::text,
            assignment.grade_letter, section.course_id, section.section_number, section.term_local_id,
            section.school_year, section.schedule, section.room_number, course.course_number, course.description
     FROM {student_section} assignment
     JOIN {section} section ON section.id = assignment.section_id
     JOIN {course} course ON course.id = section.course_id
     WHERE assignment.student_id = %(student)s AND section.school_year = %(school_year)s) x),
  (SELECT json_agg(t ORDER BY t.id) FROM (
     SELECT teaching.id, teaching.section_id, teacher.full_name
     FROM {educator_section} teaching JOIN {educator} teacher ON teacher.id = teaching.educator_id
     WHERE teaching.section_id IN (
       SELECT assignment.section_id FROM {student_section} assignment
       JOIN {section} section ON section.id = assignment.section_id
       WHERE assignment.student_id = %(student)s AND section.school_year = %(school_year)s)) t),
  (SELECT json_agg(json_build_array(r.test, r.subject, r.day, r.score)) FROM (
     SELECT 'STAR' AS test, subject, (taken_at AT TIME ZONE %(time_zone)s)::date AS day, percentile_rank AS score
     FROM {star} WHERE student_id = %(student)s
     UNION ALL
     SELECT 'MCAS', subject, taken_on, scaled_score
     FROM {mcas} WHERE student_id = %(student)s AND scaled_score IS NOT NULL) r),
  (SELECT json_agg(e ORDER BY e.taken_on) FROM (
     SELECT id, student_id, taken_on, composite_scale_score, composite_proficiency_level::text
     FROM {access} WHERE student_id = %(student)s) e),
  (SELECT json_build_object(
     'thresholds', row_to_json(limits),
     'ew_absences', (SELECT count(occurred_on) FROM {absence}
                     WHERE student_id = %(student)s AND occurred_on >= %(day)s::date - (limits.window_days - 1)),
     'ew_incidents', (SELECT count(occurred_at) FROM {incident}
                      WHERE student_id = %(student)s AND occurred_at
                        >= (%(day)s::date - (limits.window_days - 1))::timestamp AT TIME ZONE %(time_zone)s),
     'ew_failures', (SELECT count(*) FROM {student_section} assignment
                     JOIN {section} section ON section.id = assignment.section_id
                     WHERE assignment.student_id = %(student)s AND section.school_year = %(school_year)s
                       AND assignment.grade_numeric < limits.failing_grade))
   FROM {thresholds} limits WHERE limits.singleton),
  EXISTS (SELECT FROM {plan_504} WHERE student_id = %(student)s),
  EXISTS (SELECT FROM {iep} WHERE student_id = %(student)s),
  EXISTS (SELECT FROM {statement} WHERE student_id = %(student)s)
"""


@functools.cache
def _statement() -> str:
    """The statement with the models' table names (values stay parameters)."""
    tables = {
        "note": EventNote,
        "note_revision": EventNoteRevision,
        "educator": Educator,
        "incident": DisciplineIncident,
        "absence": Absence,
        "tardy": Tardy,
        "service": Service,
        "student_section": StudentSectionAssignment,
        "section": Section,
        "course": Course,
        "educator_section": EducatorSectionAssignment,
        "star": StarResult,
        "mcas": McasResult,
        "access": AccessResult,
        "thresholds": EarlyWarningThresholds,
        "plan_504": Plan504,
        "iep": Iep,
        "statement": DisagreementStatement,
    }
    return _PROFILE_LISTS_SQL.format(
        **{key: connection.ops.quote_name(model._meta.db_table) for key, model in tables.items()}
    )


def _educator(educator_id, full_name) -> Educator | None:
    return None if educator_id is None else model_from_row(Educator, {"id": educator_id, "full_name": full_name})


def _note(row: dict) -> EventNote:
    note = model_from_row(EventNote, row)
    note.author = _educator(row["author_id"], row["author_full_name"])
    note.revision_count = row["revision_count"]
    return note


def _service(row: dict) -> Service:
    service = model_from_row(Service, row)
    service.recorded_by = _educator(row["recorded_by_id"], row["recorded_by_full_name"])
    service.discontinued_by = _educator(row["discontinued_by_id"], row["discontinued_by_full_name"])
    return service


def _section_assignment(row: dict) -> StudentSectionAssignment:
    assignment = model_from_row(StudentSectionAssignment, row)
    section = model_from_row(Section, {**row, "id": row["section_id"]})
    section.course = model_from_row(Course, {**row, "id": row["course_id"]})
    assignment.section = section
    return assignment


# The student's row with what the page shows beside it: the school, the homeroom and its teacher, the
# counselor, and the program code's category (Student.program_category reads it).
_STUDENT_SQL = """
  (SELECT json_build_object(
     'student', row_to_json(s), 'school', row_to_json(school), 'homeroom', row_to_json(homeroom),
     'homeroom_teacher', json_build_object('id', teacher.id, 'full_name', teacher.full_name),
     'counselor', json_build_object('id', counselor.id, 'full_name', counselor.full_name),
     'program_category', (SELECT pc.category FROM {program_code} pc WHERE pc.code = s.program_assigned LIMIT 1))
   FROM {student} s JOIN {school} school ON school.id = s.school_id
   LEFT JOIN {homeroom} homeroom ON homeroom.id = s.homeroom_id
   LEFT JOIN {educator} teacher ON teacher.id = homeroom.educator_id
   LEFT JOIN {educator} counselor ON counselor.id = s.counselor_id
   WHERE s.id = %(student)s)
"""


@functools.cache
def _record_statement() -> str:
    """The lists' statement with the student's row as its last column, for a WHERE to follow."""
    tables = {"program_code": ProgramCode, "student": Student, "school": School, "homeroom": Homeroom}
    names = {key: connection.ops.quote_name(model._meta.db_table) for key, model in tables.items()}
    student = _STUDENT_SQL.format(**names, educator=connection.ops.quote_name(Educator._meta.db_table))
    return prepared(f"{_statement()},{student}")


def _parameters(**values) -> dict:
    return {**values, "time_zone": timezone.get_current_timezone_name()}


def _answer(statement: str, params: dict) -> tuple | None:
    """The statement's one row (None when its WHERE kept none); the district's thresholds are created
    with the defaults on first use, and the statement asked again."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        answer = cursor.fetchone()
        if answer is not None and answer[8] is None:
            EarlyWarningThresholds.objects.current()
            cursor.execute(statement, params)
            answer = cursor.fetchone()
    return answer


def profile_lists(
    *,
    student_id: int,
    day: datetime.date,
    school_year: int,
    notes_since: datetime.datetime | None,
    incidents_since: datetime.datetime | None,
    attendance_since: datetime.date | None,
) -> ProfileLists:
    """The student's lists for the profile, up to `day`, each from its `since` (None: every year).

    The caller has checked that the educator may see the student."""
    params = _parameters(
        student=student_id,
        day=day,
        school_year=school_year,
        notes_since=notes_since,
        incidents_since=incidents_since,
        attendance_since=attendance_since,
    )
    return _lists(_answer(_statement(), params))


def profile_record(
    *,
    educator,
    student_id: int,
    day: datetime.date,
    school_year: int,
    notes_since: datetime.datetime | None,
    incidents_since: datetime.datetime | None,
    attendance_since: datetime.date | None,
) -> tuple[Student, ProfileLists]:
    """The student (school, homeroom and its teacher, counselor joined in) and their lists, as
    ``profile_lists``, if the educator may see them; otherwise 404, recorded as denied.

    One statement: the policy's single-student check (``visible_student_sql``) is its WHERE, so nothing
    of the record is read for a student the educator may not see."""
    check, check_params = visible_student_sql(educator, student_id)
    names = (f"check_{index}" for index in range(len(check_params)))
    check = re.sub(r"(?<!%)%s", lambda _placeholder: f"%({next(names)})s", check)
    params = _parameters(
        student=student_id,
        day=day,
        school_year=school_year,
        notes_since=notes_since,
        incidents_since=incidents_since,
        attendance_since=attendance_since,
        **{f"check_{index}": value for index, value in enumerate(check_params)},
    )
    answer = _answer(f"{_record_statement()} WHERE EXISTS ({check})", params)
    if answer is None:
        raise not_found()
    return _student(answer[12]), _lists(answer)


def _student(row: dict) -> Student:
    student = model_from_row(Student, row["student"])
    student.school = model_from_row(School, row["school"])
    student.homeroom = None if row["homeroom"] is None else model_from_row(Homeroom, row["homeroom"])
    if student.homeroom is not None:
        student.homeroom.educator = _educator(row["homeroom_teacher"]["id"], row["homeroom_teacher"]["full_name"])
    student.counselor = _educator(row["counselor"]["id"], row["counselor"]["full_name"])
    student.mapped_program_category = row["program_category"]
    return student


def _lists(answer: tuple) -> ProfileLists:
    notes, incidents, attendance, services, assignments, teachers, scores, access = (
        column or [] for column in answer[:8]
    )
    early_warning, has_plans_504, has_ieps, has_disagreement_statements = answer[8:12]
    counts: dict[str, dict[datetime.date, int]] = {"absence": {}, "tardy": {}}
    for row in attendance:
        counts[row["kind"]][datetime.date.fromisoformat(row["month"])] = row["total"]
    section_assignments = [_section_assignment(row) for row in assignments]
    sections = {assignment.section_id: assignment.section for assignment in section_assignments}
    return ProfileLists(
        notes=[_note(row) for row in notes],
        incidents=[model_from_row(DisciplineIncident, row) for row in incidents],
        attendance_counts=counts,
        services=[_service(row) for row in services],
        section_assignments=section_assignments,
        section_teachers=[SectionTeacher(sections[row["section_id"]], row["full_name"]) for row in teachers],
        assessments=sorted(
            Score(test, subject, datetime.date.fromisoformat(taken), score) for test, subject, taken, score in scores
        ),
        access_results=[model_from_row(AccessResult, row) for row in access],
        thresholds=model_from_row(EarlyWarningThresholds, early_warning.pop("thresholds")),
        early_warning_counts=early_warning,
        has_plans_504=has_plans_504,
        has_ieps=has_ieps,
        has_disagreement_statements=has_disagreement_statements,
    )
