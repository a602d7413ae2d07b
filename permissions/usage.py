"""How much of a grant's access its holder used: students viewed in the last 90 days out of those reachable.

Access reviews and the unused-access report show it beside each grant, so a reviewer can tell a grant
that supports someone's work from one that only widens who could look. Both numbers come from SQL,
one query per kind of grant however many grants are asked about: the grant's reach is its kind's own
join (permissions/kinds.py, as in the policy, with the holder's narrowing flags), and "viewed" is
what the audit log recorded for the holder (AccessEvent.student_ids of their successful requests).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from audit.models import AccessEvent, Outcome
from educators.models import Educator
from permissions.kinds import GrantKind, sql_tables
from students.models import ProgramCategory, ProgramCode, Student

USE_WINDOW = datetime.timedelta(days=90)


@dataclass(frozen=True)
class Usage:
    """Students the grant reaches now, and how many of them its holder viewed in the window."""

    reachable: int
    viewed: int

    def words(self) -> str:
        return f"{self.viewed:,} of {self.reachable:,} viewed"


NO_USE = Usage(reachable=0, viewed=0)

_ACTIVE_ONLY = " AND s.enrollment_status = %s AND NOT s.missing_from_last_export"
_PROGRAMS_IN = "SELECT pc.code FROM {program_code} pc WHERE pc.category = %s"
_NARROWED = (
    " AND (NOT u.sped_only OR s.program_assigned IN (" + _PROGRAMS_IN + "))"
    " AND (NOT u.english_learners_only OR s.limited_english_proficiency <> %s"
    " OR s.program_assigned IN (" + _PROGRAMS_IN + "))"
)


def _sql(kind: GrantKind) -> str:
    tables = {**sql_tables(kind), "program_code": ProgramCode._meta.db_table}
    reach = kind.reach or "{student} s CROSS JOIN {grant} g"  # districtwide reaches every student
    return (
        "WITH viewed AS (SELECT DISTINCT e.actor_id, unnest(e.student_ids) AS student_id FROM {event} e"  # noqa: S608
        " WHERE e.actor_id = ANY(%s) AND e.occurred_at >= %s AND e.outcome = %s)"
        " SELECT g.id, count(DISTINCT s.id), count(DISTINCT v.student_id) FROM "
        + reach
        + " JOIN {educator} u ON u.id = g.user_id"
        " LEFT JOIN viewed v ON v.actor_id = g.user_id AND v.student_id = s.id"
        " WHERE g.id = ANY(%s)"
        + (_ACTIVE_ONLY if kind.active_students_only else "")
        + (_NARROWED if kind.narrowed_by_flags else "")
        + " GROUP BY g.id"
    ).format(**tables, event=AccessEvent._meta.db_table, educator=Educator._meta.db_table)


def usage(kind: GrantKind, grants: Iterable, now: datetime.datetime | None = None) -> dict[int, Usage]:
    """Each grant's use (by grant id), for grants of one kind: one query."""
    grants = list(grants)
    if not grants:
        return {}
    now = now or timezone.now()
    params: list = [sorted({grant.user_id for grant in grants}), now - USE_WINDOW, Outcome.OK]
    params.append([grant.pk for grant in grants])
    if kind.active_students_only:
        params.append(Student.EnrollmentStatus.ACTIVE)
    if kind.narrowed_by_flags:
        params += [
            ProgramCategory.SPECIAL_EDUCATION,
            Student.EnglishProficiency.FLUENT,
            ProgramCategory.ENGLISH_LEARNER,
        ]
    with connection.cursor() as cursor:
        cursor.execute(_sql(kind), params)
        found = {pk: Usage(reachable=reachable, viewed=viewed) for pk, reachable, viewed in cursor.fetchall()}
    return {grant.pk: found.get(grant.pk, NO_USE) for grant in grants}
