"""The access policy: which students, homerooms, sections and rosters an educator may see.

Every rule is a queryset expression over the grant tables, so each list, count, search and
single-record check is one SQL query and nothing is decided per student in Python. The rules:

- districtwide grant: every student (narrowing flags do not apply);
- schoolwide grant: every student enrolled at the school, withdrawn and missing ones included;
- grade-level, homeroom and section grants: the *active* students of that grade, homeroom or section;
- single-student grant: that student;
- SPED-only / English-learners-only flags narrow every grant but districtwide, by the district's program
  codes (students.models.ProgramCode) and, for English learners, English proficiency;
- expired grants grant nothing; inactive educators see nothing; superuser and staff status give
  admin powers only, never student visibility.

How the student queries run. Lists: a districtwide educator's are the plain student table; an
educator holding grants of one kind on objects on the student row (schoolwide, homeroom,
single-student) filters that column by the objects' ids, read with what the educator holds, so a
first page by name is one pass through an index; anyone else's are ``id IN (granted ids)``, the
granted ids being one UNION ALL, per kind held, of that column tested against the array of held
object ids, or (grade level, section) of joins from the educator's few grant rows (found through
each grant table's (user, permission, object) index) into the student indexes, so PostgreSQL
starts from that small set. The single-student check is
one query, ``EXISTS (live districtwide grant) OR id IN (granted ids)``: the EXISTS does not depend
on the student, so it is computed once. No subquery runs once per student. The reasons ("why may X see Y") are
in permissions/reasons.py.
"""

import datetime
import functools

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from audit import recorder
from educators.models import Educator
from permissions.holdings import EDUCATORS_WITH_ACCESS, RESTRICTED_NOTES, holdings, serves_a_request
from permissions.kinds import (
    ACTIVE_STUDENT,
    GRANT_KINDS,
    HELD_TARGETS,
    KIND_BY_KEY,
    LIVE_GRANT,
    GrantKind,
    held,
    holds_sql,
    live_grant_params,
    sql_tables,
)
from students.models import (
    Homeroom,
    ProgramCategory,
    ProgramCode,
    School,
    Section,
    Student,
    english_learner_students,
    special_education_students,
)


def is_active_educator(educator) -> bool:
    """Only a saved, active educator account can hold access (anonymous users and inactive accounts cannot)."""
    return isinstance(educator, Educator) and educator.pk is not None and educator.is_active


# The kinds of grant that reach students through a join (every kind but districtwide), in table order.
REACHING_KINDS = tuple(kind for kind in GRANT_KINDS if kind.reach is not None)
# Each kind's students as the lists reach them. A kind whose object is on the student row tests that
# column against the array of held ids (computed once), so PostgreSQL probes the student index with
# those few ids whatever it believes of the grant table: grants made in bulk are not analyzed until 50
# rows change, and believing one grant row it walked the whole primary key to merge-join a caseload.
# The other kinds join from the educator's grant rows into the student indexes.
_REACH: dict[str, str] = {
    kind.key: f"{{student}} s WHERE s.{kind.target_column} = ANY({HELD_TARGETS})"
    if kind.target_column is not None
    else kind.reach + LIVE_GRANT
    for kind in GRANT_KINDS
    if kind.reach is not None
}
ALL_KINDS = tuple(kind.key for kind in GRANT_KINDS)
_ACTIVE_ONLY = " AND s.enrollment_status = %s AND NOT s.missing_from_last_export"
# The narrowing flags read the district's program codes (students.models.programs), like the roster
# filters and the reasons: the same rules as special_education_students() / english_learner_students().
_PROGRAMS_IN = "SELECT pc.code FROM {program_code} pc WHERE pc.category = %s"
_SPED_ONLY = " AND s.program_assigned IN (" + _PROGRAMS_IN + ")"
_ENGLISH_LEARNERS_ONLY = " AND (s.limited_english_proficiency <> %s OR s.program_assigned IN (" + _PROGRAMS_IN + "))"


@functools.cache
def _granted_students_sql(sped_only: bool, english_learners_only: bool, kinds: frozenset[str]) -> str:
    """The SQL text for a combination of narrowing flags and kinds of grant: each kind's students
    (``_REACH``, from permissions/kinds.py's SQL forms beside the ORM ones) with its live-grant test,
    table names from the models, every value a parameter."""
    narrowing = (_SPED_ONLY if sped_only else "") + (_ENGLISH_LEARNERS_ONLY if english_learners_only else "")
    return " UNION ALL ".join(
        "SELECT s.id FROM "  # noqa: S608 (table names from the models; values are parameters)
        + _REACH[kind.key].format(**sql_tables(kind))
        + (_ACTIVE_ONLY if kind.active_students_only else "")
        + (narrowing.format(program_code=ProgramCode._meta.db_table) if kind.narrowed_by_flags else "")
        for kind in REACHING_KINDS
        if kind.key in kinds
    )


def granted_student_ids(
    educator: Educator, now: datetime.datetime, kinds: frozenset[str] = frozenset(ALL_KINDS)
) -> RawSQL:
    """Ids of the students the educator's grants other than districtwide reach, narrowed by their flags.

    A UNION ALL with one branch per kind of grant (of ``kinds``; by default every kind), each a
    join driven from the educator's few grant rows into an index on students (school, grade,
    homeroom, section assignment, id), so the set is built without reading every student. Written
    as SQL: composing it with the ORM cost several milliseconds of Python on every request, more
    than running it.
    """
    narrowing: list = [ProgramCategory.SPECIAL_EDUCATION] if educator.sped_only else []
    narrowing += (
        [Student.EnglishProficiency.FLUENT, ProgramCategory.ENGLISH_LEARNER] if educator.english_learners_only else []
    )
    params = []
    for kind in REACHING_KINDS:
        if kind.key in kinds:
            params += live_grant_params(kind, educator, now)
            params += [Student.EnrollmentStatus.ACTIVE] if kind.active_students_only else []
            params += narrowing if kind.narrowed_by_flags else []
    sql = _granted_students_sql(educator.sped_only, educator.english_learners_only, kinds)
    return RawSQL(sql, params)  # noqa: S611 (constant text, values as parameters)


def _districtwide(educator: Educator, now: datetime.datetime) -> RawSQL:
    """Whether the educator holds a live districtwide grant: one boolean, computed once per query."""
    sql, params = holds_sql(KIND_BY_KEY["district"], educator, now)
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 (as above)


def held_kinds(educator: Educator, now: datetime.datetime) -> frozenset[str]:
    """The kinds of grant the educator holds live ("district", "school", ...), from the one answer
    to what an educator holds (permissions/holdings.py): one indexed lookup."""
    return holdings(educator, now).kinds


def student_access_condition(educator: Educator, now: datetime.datetime | None = None) -> Q:
    """The WHERE clause on Student for "this (active) educator may see this student".

    The districtwide test is checked first, so a districtwide educator's lists cost what the
    unfiltered ones do; everyone else's students come from one hashed set of ids
    (``granted_student_ids``), which needs only the student's id.
    """
    now = now or timezone.now()
    return Q(_districtwide(educator, now)) | Q(pk__in=granted_student_ids(educator, now))


def visible_students(educator) -> QuerySet[Student]:
    """Every student the educator may see, as one queryset; filter, order, count or page it freely.

    Its shape comes from one indexed lookup of what the educator holds, because no single plan suits
    everyone: a districtwide educator's students are the plain table (lists cost what unfiltered ones
    do); an educator holding one kind of grant on objects on the student row (schools, homerooms,
    students) gets that column filtered by the held objects' ids, which PostgreSQL pages and sorts in
    one pass through the (school, name) or primary-key index; anyone else's students are reached from
    their few grant rows through only the kinds they hold, so PostgreSQL joins from that small set
    instead of walking every student.
    """
    if not is_active_educator(educator):
        return Student.objects.none()
    now = timezone.now()
    held_now = holdings(educator, now)
    if "district" in held_now.kinds:
        return Student.objects.all()
    if not held_now.kinds:
        return Student.objects.none()
    if len(held_now.kinds) == 1:
        (kind,) = (KIND_BY_KEY[key] for key in held_now.kinds)
        if kind.target_column is not None:
            return Student.objects.filter(on_held_objects(kind, educator, held_now.targets[kind.key]))
    return Student.objects.filter(pk__in=granted_student_ids(educator, now, held_now.kinds))


def on_held_objects(kind: GrantKind, educator: Educator, object_ids) -> Q:
    """The students grants of this kind on these objects reach, as a condition on the student row:
    ``covers`` read from the student's side, with the kind's active-only and narrowing rules."""
    condition = Q(**{f"{kind.target_column}__in": object_ids})
    if kind.active_students_only:
        condition &= ACTIVE_STUDENT
    if kind.narrowed_by_flags and educator.sped_only:
        condition &= special_education_students()
    if kind.narrowed_by_flags and educator.english_learners_only:
        condition &= english_learner_students()
    return condition


def not_found() -> Http404:
    """Forbidden looks like missing: record the denial, answer 404 with nothing about the record."""
    recorder.record_denied()
    return Http404("Not found.")


def _single_student_check(educator) -> QuerySet[Student]:
    """The students the single-student check tests a row against: a request's account starts from what it
    holds (looked up once per request, as its other checks need it anyway), so the row is tested against
    the educator's own kinds of grant only; any other account object asks the whole condition."""
    if serves_a_request(educator):
        return visible_students(educator)
    return Student.objects.filter(student_access_condition(educator))


def get_visible_student_or_404(educator, student_id, *related: str) -> Student:
    """The student (with ``related`` rows joined in) if the educator may see them, in one query;
    otherwise 404, as for an id that does not exist."""
    if not is_active_educator(educator):
        raise not_found()
    try:
        return _single_student_check(educator).select_related(*related).get(pk=student_id)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise not_found() from None


def visible_student_sql(educator, student_id) -> tuple[str, tuple]:
    """The single-student check as SQL and its parameters: a SELECT of the student's id that finds a row
    only if the educator may see the student, for a statement that reads a record only then (the
    profile's). A 404 at once, as ``get_visible_student_or_404`` gives, for an account that can see no
    one or an id that is not one."""
    if not is_active_educator(educator):
        raise not_found()
    try:
        students = _single_student_check(educator).filter(pk=student_id).order_by().values("pk")
        return students.query.get_compiler(connection=connection).as_sql()
    except (EmptyResultSet, ValueError, TypeError):
        raise not_found() from None


# Set on an educator's account object while a supporter views Insights as them (permissions/view_as.py).
VIEWED_AS_ATTRIBUTE = "_insights_viewed_as_by"


def viewed_as_by(educator):
    """The supporter viewing as this educator in the current request, or None."""
    return getattr(educator, VIEWED_AS_ATTRIBUTE, None)


def can_view_restricted_notes(educator) -> bool:
    """Restricted note text needs this permission on top of seeing the student (superuser status does not count);
    a support session viewing as the educator never reveals it."""
    if viewed_as_by(educator) is not None:
        return False
    return is_active_educator(educator) and RESTRICTED_NOTES in holdings(educator).permissions


def can_see_educators_with_access(educator) -> bool:
    """Whether the educator may see which educators have access to a student they can see."""
    return is_active_educator(educator) and EDUCATORS_WITH_ACCESS in holdings(educator).permissions


# --- homerooms and sections ----------------------------------------------------------------------
def visible_homerooms(educator) -> QuerySet[Homeroom]:
    """Homerooms whose page the educator may open.

    The homeroom's grant holder, a districtwide educator, or one who may see every active student
    in it, provided it has at least one (an empty homeroom is not opened to everybody).
    """
    if not is_active_educator(educator):
        return Homeroom.objects.none()
    now = timezone.now()
    active_here = Student.objects.filter(ACTIVE_STUDENT, homeroom_id=OuterRef("pk"))
    return Homeroom.objects.filter(
        Q(pk__in=held("homeroom", educator, now).values("content_object_id"))
        | Q(Exists(held("district", educator, now)))
        | (Q(Exists(active_here)) & ~Q(Exists(active_here.exclude(student_access_condition(educator, now)))))
    )


def get_visible_homeroom_or_404(educator, homeroom_id) -> Homeroom:
    """The homeroom if its page is open to the educator (one query); otherwise 404, like a missing one."""
    try:
        return visible_homerooms(educator).select_related("school").get(pk=homeroom_id)
    except (Homeroom.DoesNotExist, ValueError, TypeError):
        raise not_found() from None


def visible_sections(educator) -> QuerySet[Section]:
    """Sections whose page the educator may open: the section's grant holder, or schoolwide (or
    districtwide) access covering the section's school."""
    if not is_active_educator(educator):
        return Section.objects.none()
    now = timezone.now()
    return Section.objects.filter(
        Q(pk__in=held("section", educator, now).values("content_object_id"))
        | Q(course__school_id__in=held("school", educator, now).values("content_object_id"))
        | Q(Exists(held("district", educator, now)))
    )


def get_visible_section_or_404(educator, section_id) -> Section:
    """The section if its page is open to the educator (one query); otherwise 404, like a missing one."""
    try:
        return visible_sections(educator).select_related("course__school").get(pk=section_id)
    except (Section.DoesNotExist, ValueError, TypeError):
        raise not_found() from None


# --- school rosters ------------------------------------------------------------------------------
def schools_with_open_roster(educator) -> QuerySet[School]:
    """The schools whose roster the educator may open: districtwide, or schoolwide or grade-level there."""
    if not is_active_educator(educator):
        return School.objects.none()
    now = timezone.now()
    return School.objects.filter(
        Q(Exists(held("district", educator, now)))
        | Q(Exists(held("school", educator, now).filter(content_object=OuterRef("pk"))))
        | Q(Exists(held("grade", educator, now).filter(content_object__school=OuterRef("pk"))))
    )


def is_districtwide(educator) -> bool:
    """Whether the educator holds a live districtwide grant (the district page is theirs), in one query."""
    return is_active_educator(educator) and "district" in held_kinds(educator, timezone.now())


def school_roster(educator, school: School) -> QuerySet[Student]:
    """The school's roster as the educator may see it: a grade-level holder gets only their grades'
    students (and an educator without roster access, nobody)."""
    if not is_active_educator(educator):
        return Student.objects.none()
    now = timezone.now()
    whole_school = Q(Exists(held("district", educator, now))) | Q(
        Exists(held("school", educator, now).filter(content_object=school))
    )
    their_grades = Q(
        grade__in=held("grade", educator, now).filter(content_object__school=school).values("content_object__grade")
    )
    return visible_students(educator).filter(whole_school | their_grades, school=school)
