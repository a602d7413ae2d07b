"""The kinds of grant: which table, which permission makes a row a visibility grant, which students
it reaches, how it reads in words ("schoolwide at Baker K-8"), and which grants are live now.

This table is where the rules live, each in its two forms side by side: ``covers`` (which
students a grant reaches, as a Q written against a field reader, so the same rule serves both
directions: ``OuterRef`` in SQL for many students, a student's attributes for one) and ``reach``
(the same rule as a SQL join, which the policy's lists compile into one UNION ALL); ``live_grants``
and ``LIVE_GRANT`` say which rows count now, likewise in both forms. Where a grant's object is on
the student row, ``target_column`` names that column, so a list for that kind alone filters it by
the held objects' ids (read with the holdings) and pages through the student indexes directly.
Whether a kind reaches active students only and whether the narrowing flags apply are read by both
the policy (permissions/policy.py) and ``GrantKind.admits`` (on rows already fetched,
permissions/reasons.py). tests/permissions/test_properties.py proves the forms of every rule agree
on random districts.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst

from permissions.models import (
    DistrictGrant,
    HomeroomGrant,
    SchoolGradeGrant,
    SchoolGrant,
    SectionGrant,
    StudentGrant,
)
from students.models import SchoolGrade, Student, StudentSectionAssignment

# Global permissions (on the students app) that widen what an educator sees of a visible student.
RESTRICTED_NOTES_PERMISSION = "view_restricted_notes"
EDUCATORS_WITH_ACCESS_PERMISSION = "view_educators_with_access"
ACTIVE_STUDENT = Q(enrollment_status=Student.EnrollmentStatus.ACTIVE, missing_from_last_export=False)


def _date_label(moment: datetime.datetime) -> str:
    return timezone.localdate(moment).isoformat()


def _student_grant_label(grant: StudentGrant) -> str:
    label = f"single student: {grant.reason}" if grant.reason else "single student"
    return f"{label}, until {_date_label(grant.expires_at)}" if grant.expires_at else label


@dataclass(frozen=True)
class GrantKind:
    """One kind of grant: its table, the permission that makes it a visibility grant, and its label."""

    key: str
    model: type[Any]  # a concrete Grant table: the type of its content_object differs from kind to kind
    codename: str
    label: Callable[[Any], str]
    related: tuple[str, ...]  # what the label reads, fetched in the same query
    # The grants of this kind reaching a student, before the active-only and flag rules; ``field`` reads
    # one of the student's columns ("pk", "school_id", ...), as OuterRef or from an instance.
    covers: Callable[[Callable[[str], Any]], Q]
    # ``covers`` as SQL: the students ({student} s) a grant row ({grant} g) of this kind reaches, or
    # None for districtwide, which reaches every student (permissions/policy.py tests it on its own).
    reach: str | None
    # The student column holding the object a grant of this kind is on, where the object is on the
    # student row (school, homeroom, the student itself): a list for the kind alone filters that column
    # by the held objects' ids (``covers`` again, the ids read once with the holdings).
    target_column: str | None
    active_students_only: bool
    narrowed_by_flags: bool

    def admits(self, educator, student: Student) -> bool:
        """The kind's student-side rules on a fetched student: active-only kinds reach enrolled students
        only, and the educator's SPED-only / English-learners-only flags leave the others out."""
        if self.active_students_only and not student.is_enrolled:
            return False
        return not self.narrowed_by_flags or not (
            (educator.sped_only and not student.has_sped_program)
            or (educator.english_learners_only and not student.is_english_learner)
        )


GRANT_KINDS = (
    GrantKind(
        key="district",
        model=DistrictGrant,
        codename="view_district_students",
        label=lambda grant: "districtwide",
        related=(),
        covers=lambda field: Q(),
        reach=None,
        target_column=None,
        active_students_only=False,
        narrowed_by_flags=False,
    ),
    GrantKind(
        key="school",
        model=SchoolGrant,
        codename="view_school_students",
        label=lambda grant: f"schoolwide at {grant.content_object.name}",
        related=("content_object",),
        covers=lambda field: Q(content_object_id=field("school_id")),
        reach="{student} s JOIN {grant} g ON g.content_object_id = s.school_id",
        target_column="school_id",
        active_students_only=False,
        narrowed_by_flags=True,
    ),
    GrantKind(
        key="grade",
        model=SchoolGradeGrant,
        codename="view_grade_students",
        label=lambda grant: object_label(KIND_BY_KEY["grade"], grant.content_object),
        related=("content_object__school",),
        covers=lambda field: Q(content_object__school_id=field("school_id"), content_object__grade=field("grade")),
        reach=(
            "{student} s JOIN {school_grade} sg ON sg.school_id = s.school_id AND sg.grade = s.grade"
            " JOIN {grant} g ON g.content_object_id = sg.id"
        ),
        target_column=None,
        active_students_only=True,
        narrowed_by_flags=True,
    ),
    GrantKind(
        key="homeroom",
        model=HomeroomGrant,
        codename="view_homeroom_students",
        label=lambda grant: object_label(KIND_BY_KEY["homeroom"], grant.content_object),
        related=("content_object__school",),
        covers=lambda field: Q(content_object_id=field("homeroom_id")),
        reach="{student} s JOIN {grant} g ON g.content_object_id = s.homeroom_id",
        target_column="homeroom_id",
        active_students_only=True,
        narrowed_by_flags=True,
    ),
    GrantKind(
        key="section",
        model=SectionGrant,
        codename="view_section_students",
        label=lambda grant: object_label(KIND_BY_KEY["section"], grant.content_object),
        related=("content_object__course",),
        covers=lambda field: Q(content_object__student_assignments__student_id=field("pk")),
        reach=(
            "{student} s JOIN {assignment} a ON a.student_id = s.id"
            " JOIN {grant} g ON g.content_object_id = a.section_id"
        ),
        target_column=None,
        active_students_only=True,
        narrowed_by_flags=True,
    ),
    GrantKind(
        key="student",
        model=StudentGrant,
        codename="view_student_record",
        label=_student_grant_label,
        related=(),
        covers=lambda field: Q(content_object_id=field("pk")),
        reach="{student} s JOIN {grant} g ON g.content_object_id = s.id",
        target_column="id",
        active_students_only=False,
        narrowed_by_flags=True,
    ),
)
KIND_BY_MODEL: dict[type, GrantKind] = {kind.model: kind for kind in GRANT_KINDS}
KIND_BY_KEY: dict[str, GrantKind] = {kind.key: kind for kind in GRANT_KINDS}
KIND_BY_TARGET: dict[type, GrantKind] = {
    kind.model._meta.get_field("content_object").related_model: kind for kind in GRANT_KINDS
}


def visibility_permission(kind: GrantKind) -> Permission:
    """The permission a grant row of this kind must hold to give visibility (one query)."""
    return Permission.objects.get(content_type__app_label="students", codename=kind.codename)


def visibility_grants(kind: GrantKind) -> QuerySet[Any]:
    """Grant rows of this kind holding its visibility permission, expired ones included (the admin lists them).

    Rows holding any other permission (guardian can store e.g. change_school on a school) grant nothing.
    """
    return kind.model.objects.filter(permission__codename=kind.codename)


def live_grants(kind: GrantKind, now: datetime.datetime | None = None) -> QuerySet[Any]:
    """Grants of this kind that give visibility now: the kind's visibility permission, not expired."""
    now = now or timezone.now()
    return visibility_grants(kind).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def held(key: str, educator, now: datetime.datetime | None = None) -> QuerySet[Any]:
    """The educator's live grants of one kind ("district", "school", "grade", "homeroom", "section", "student")."""
    return live_grants(KIND_BY_KEY[key], now).filter(user=educator)


# ``held`` as SQL: the rows ({grant} g) of one educator that are live now, not expired and holding the
# kind's visibility permission (found by a one-row subquery, which plans faster than a join per branch).
LIVE_GRANT = (
    " WHERE g.user_id = %s AND (g.expires_at IS NULL OR g.expires_at > %s) AND g.permission_id = ("
    "SELECT p.id FROM {permission} p JOIN {content_type} ct ON ct.id = p.content_type_id"
    " WHERE ct.app_label = %s AND ct.model = %s AND p.codename = %s)"
)


def sql_tables(kind: GrantKind) -> dict[str, str]:
    """The table names the SQL forms above refer to, from the models."""
    return {
        "student": Student._meta.db_table,
        "school_grade": SchoolGrade._meta.db_table,
        "assignment": StudentSectionAssignment._meta.db_table,
        "permission": Permission._meta.db_table,
        "content_type": ContentType._meta.db_table,
        "grant": kind.model._meta.db_table,
    }


# The ids of the objects an educator's live grants of one kind are on, as one array (empty when none).
HELD_TARGETS = "ARRAY(SELECT g.content_object_id FROM {grant} g" + LIVE_GRANT + " ORDER BY 1)"  # noqa: S608 (table names from the models)


def held_targets_sql(kind: GrantKind, educator, now: datetime.datetime) -> tuple[str, list]:
    """SQL for the ids of the objects the educator's live grants of this kind are on (an empty array
    when they hold none), and its parameters."""
    return HELD_TARGETS.format(**sql_tables(kind)), live_grant_params(kind, educator, now)


def live_grant_params(kind: GrantKind, educator, now: datetime.datetime) -> list:
    """The parameters of ``LIVE_GRANT`` for this kind, educator and moment."""
    target = kind.model._meta.get_field("content_object").related_model._meta
    return [educator.pk, now, target.app_label, target.model_name, kind.codename]


def holds_sql(kind: GrantKind, educator, now: datetime.datetime) -> tuple[str, list]:
    """SQL for "the educator holds a live grant of this kind", and its parameters."""
    sql = ("EXISTS (SELECT 1 FROM {grant} g" + LIVE_GRANT + ")").format(**sql_tables(kind))  # noqa: S608
    return sql, live_grant_params(kind, educator, now)


def grant_words(grant, student_words: str = "") -> str:
    """A grant in words, e.g. "Homeroom K-101 at Ashford Elementary grant for Kelly Moreau". A single-student
    grant names its student by opaque id, or by ``student_words`` where the caller may show more."""
    kind = KIND_BY_MODEL[type(grant)]
    if grant.user_id is None or grant.content_object_id is None:  # a form's grant before it is chosen
        return f"New {kind.model._meta.verbose_name}"
    holder = grant.user.full_name or grant.user.email
    if kind.key == "district":
        return f"Districtwide grant for {holder}"
    if kind.key == "school":
        return f"Schoolwide grant at {grant.content_object.name} for {holder}"
    if kind.key == "student":
        return f"Single-student grant ({student_words or f'Student #{grant.content_object_id}'}) for {holder}"
    return f"{capfirst(object_label(kind, grant.content_object))} grant for {holder}"


def object_label(kind: GrantKind, obj) -> str:
    """What a grant is attached to, in words; a student only by opaque id (never by name)."""
    if kind.key == "district":
        return "the district"
    if kind.key == "school":
        return obj.name
    if kind.key == "grade":
        return f"grade {obj.get_grade_display()} at {obj.school.name}"
    if kind.key == "homeroom":
        return f"homeroom {obj.name} at {obj.school.name}"
    if kind.key == "section":
        return f"section {obj.label}"
    return str(obj)
