"""Why an educator may see a student, in words: for admins, privacy officers and the access report.

Only students the policy lets the educator see are explained. Which grants reach each of them is
decided in SQL by each kind's ``covers`` rule (permissions/kinds.py); the two rules that read only
the student's own columns (active-only kinds, narrowing flags) are applied to rows already
fetched by ``GrantKind.admits``, from the same table the policy compiles to SQL.
tests/permissions/test_properties.py holds the reasons and the policy to the same plain reading
of the rules. Every function runs a constant number of queries, whatever the number of students
or grants.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from django.utils import timezone

from educators.models import Educator
from permissions.holdings import EDUCATORS_WITH_ACCESS, RESTRICTED_NOTES, held_grants, holdings
from permissions.kinds import GRANT_KINDS, held, live_grants
from permissions.policy import (
    is_active_educator,
    student_access_condition,
    visible_students,
)
from students.models import Student, with_program_category
from students.models.programs import program_category_of

# The student columns the rules read.
RULE_FIELDS = (
    "school",
    "grade",
    "homeroom",
    "enrollment_status",
    "missing_from_last_export",
    "program_assigned",
    "limited_english_proficiency",
)


def _with_reasons(educator: Educator, students: QuerySet[Student]) -> list[tuple[Student, list[str]]]:
    """The given students the educator may see, each with the reasons: one query for the students
    (only the columns the rules read, plus local_id) and one per kind of grant for the labels."""
    now = timezone.now()
    grants = {
        kind.key: {grant.pk: grant for grant in held(kind.key, educator, now).select_related(*kind.related)}
        for kind in GRANT_KINDS
    }
    reaching = {
        f"grants_{kind.key}": ArraySubquery(held(kind.key, educator, now).filter(kind.covers(OuterRef)).values("pk"))
        for kind in GRANT_KINDS
    }
    rows = with_program_category(
        students.filter(student_access_condition(educator, now)).only("local_id", *RULE_FIELDS)
    ).annotate(**reaching)
    return [
        (
            student,
            [
                label
                for kind in GRANT_KINDS
                if kind.admits(educator, student)
                for label in sorted(kind.label(grants[kind.key][pk]) for pk in getattr(student, f"grants_{kind.key}"))
            ],
        )
        for student in rows
    ]


def visible_students_with_reasons(educator) -> list[tuple[Student, list[str]]]:
    """Every student the educator may see (by SIS local id) with the reasons, in a constant number of queries.

    The students carry only their ids and the columns the rules read: this is for access reports.
    """
    if not is_active_educator(educator):
        return []
    return _with_reasons(educator, Student.objects.order_by("local_id"))


def access_reasons(educator, student: Student) -> list[str]:
    """Why the educator may see the student ("schoolwide at Baker K-8", "section BIO-101-3 period 3",
    ...), in grant-kind order; an empty list means no access. Seven queries at most."""
    if not is_active_educator(educator):
        return []
    found = _with_reasons(educator, Student.objects.filter(pk=student.pk))
    return found[0][1] if found else []


def educators_with_access(student: Student) -> list[tuple[Educator, list[str]]]:
    """Every educator who may see the student, with their reasons, ordered by name.

    One query for the student's program category (which the narrowing flags read), then one per kind
    of grant, each fetching every live grant that reaches the student with its holder.
    """
    now = timezone.now()
    student.mapped_program_category = program_category_of(student.program_assigned)  # as the mapping is now
    found: dict[int, tuple[Educator, list[str]]] = {}
    for kind in GRANT_KINDS:
        grants = (
            live_grants(kind, now)
            .filter(kind.covers(lambda field: getattr(student, field)), user__is_active=True)
            .select_related("user", *kind.related)
        )
        labels: dict[int, list[str]] = {}
        for grant in grants:
            if kind.admits(grant.user, student):
                found.setdefault(grant.user_id, (grant.user, []))
                labels.setdefault(grant.user_id, []).append(kind.label(grant))
        for user_id, kind_labels in labels.items():
            found[user_id][1].extend(sorted(kind_labels))
    return sorted(found.values(), key=lambda pair: (pair[0].full_name, pair[0].email))


def access_summary(educator: Educator) -> str:
    """One line for the admin, e.g. "can see 412 students: schoolwide at Baker K-8; restricted notes"."""
    count = visible_students(educator).count()
    now = timezone.now()
    grants = held_grants(educator, now)
    permissions = holdings(educator, now).permissions
    parts = [] if educator.is_active else ["inactive account, so none"]
    parts += [kind.label(grant) for kind, grant in grants if kind.key != "student"]
    single = sum(1 for kind, _grant in grants if kind.key == "student")
    if single:
        parts.append(f"single-student access to {single} student{'s' if single != 1 else ''}")
    if not grants:
        parts.append("no grants")
    if educator.sped_only:
        parts.append("special-education students only")
    if educator.english_learners_only:
        parts.append("English learners only")
    if RESTRICTED_NOTES in permissions:
        parts.append("restricted notes")
    if EDUCATORS_WITH_ACCESS in permissions:
        parts.append("sees who has access")
    return f"can see {count:,} student{'s' if count != 1 else ''}: " + "; ".join(parts)
