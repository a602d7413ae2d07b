"""The kinds of grant: which table, which permission makes a row a visibility grant, which students
it reaches, how it reads in words ("schoolwide at Baker K-8"), and which grants are live now.

This table is where the rules live: ``covers`` (which students a grant reaches), whether a kind
reaches active students only, and whether the narrowing flags apply. ``covers`` is written once
against a field reader so the same rule serves both directions: ``OuterRef`` in SQL (reasons for
many students) and a student's attributes (grants reaching one student). The policy
(permissions/policy.py) compiles the same table to SQL; ``GrantKind.admits`` reads its
student-side rules on rows already fetched (permissions/reasons.py).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.utils import timezone

from permissions.models import (
    DistrictGrant,
    Grant,
    HomeroomGrant,
    SchoolGradeGrant,
    SchoolGrant,
    SectionGrant,
    StudentGrant,
)
from students.models import Student

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
    model: type[Grant]
    codename: str
    label: Callable[[Grant], str]
    related: tuple[str, ...]  # what the label reads, fetched in the same query
    # The grants of this kind reaching a student, before the active-only and flag rules; ``field`` reads
    # one of the student's columns ("pk", "school_id", ...), as OuterRef or from an instance.
    covers: Callable[[Callable[[str], Any]], Q]
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
        active_students_only=False,
        narrowed_by_flags=True,
    ),
)
KIND_BY_MODEL = {kind.model: kind for kind in GRANT_KINDS}
KIND_BY_KEY = {kind.key: kind for kind in GRANT_KINDS}
KIND_BY_TARGET = {kind.model._meta.get_field("content_object").related_model: kind for kind in GRANT_KINDS}


def visibility_permission(kind: GrantKind) -> Permission:
    """The permission a grant row of this kind must hold to give visibility (one query)."""
    return Permission.objects.get(content_type__app_label="students", codename=kind.codename)


def visibility_grants(kind: GrantKind) -> QuerySet[Grant]:
    """Grant rows of this kind holding its visibility permission, expired ones included (the admin lists them).

    Rows holding any other permission (guardian can store e.g. change_school on a school) grant nothing.
    """
    return kind.model.objects.filter(permission__codename=kind.codename)


def live_grants(kind: GrantKind, now: datetime.datetime | None = None) -> QuerySet[Grant]:
    """Grants of this kind that give visibility now: the kind's visibility permission, not expired."""
    now = now or timezone.now()
    return visibility_grants(kind).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def held(key: str, educator, now: datetime.datetime | None = None) -> QuerySet[Grant]:
    """The educator's live grants of one kind ("district", "school", "grade", "homeroom", "section", "student")."""
    return live_grants(KIND_BY_KEY[key], now).filter(user=educator)


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
