"""Which grants and roles an educator holds: the one answer every caller reads.

The policy (which kinds of grant to build an educator's lists from), the two-factor gate (who is
privileged), the audit log's role snapshot (what the viewer was at the time) and the admin's
access summary all ask here, so they can never disagree. A grant row counts only while it is live
by the application's clock (``django.utils.timezone.now``, as in the policy) and holds its kind's
visibility permission; a global permission counts when given directly or through a group (never
through superuser status). Everything is read in one query, built from the same SQL lookup of a
live grant that the policy's lists use (permissions/kinds.py).

Holdings describe the rows an account holds, active or not: the policy itself leaves inactive
accounts out, and the admin still shows what an inactive account would get back.

A page asks several times (its lists, the restricted-notes and who-has-access checks, the audit
event's roles), so the account object a request serves is marked (``once_per_request``) and its
holdings are looked up at the first question and kept on it for the rest of that request. Each
request loads its account afresh (and a view-as session swaps in the viewed educator's own
object), so a grant changed now counts from the next request on; unmarked objects (commands,
jobs, the admin's lists of other educators) ask the database every time.
"""

import datetime
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from educators.models import Educator
from insights.prepared_statements import prepared
from permissions.kinds import (
    EDUCATORS_WITH_ACCESS_PERMISSION,
    GRANT_KINDS,
    RESTRICTED_NOTES_PERMISSION,
    GrantKind,
    held,
    held_targets_sql,
)
from permissions.models import Grant

# The global permissions ("app_label.codename") whose holding matters to someone: the pages
# (restricted notes, who has access), the two-factor gate and the role snapshot.
RESTRICTED_NOTES = f"students.{RESTRICTED_NOTES_PERMISSION}"
EDUCATORS_WITH_ACCESS = f"students.{EDUCATORS_WITH_ACCESS_PERMISSION}"
MANAGE_GRANTS = "permissions.manage_grants"
READ_AUDIT_LOG = "audit.view_audit_reports"
PRIVACY_OPERATIONS = "privacy.privacy_operations"  # families' whole records, breach packages
VIEW_AS_EDUCATOR = "permissions.view_as_educator"  # support's read-only "view as" (permissions/view_as.py)
WATCHED_PERMISSIONS = (
    RESTRICTED_NOTES,
    EDUCATORS_WITH_ACCESS,
    MANAGE_GRANTS,
    READ_AUDIT_LOG,
    PRIVACY_OPERATIONS,
    VIEW_AS_EDUCATOR,
)

# Grant kind -> the word the audit log stores for it; roles are listed in GRANT_KINDS order.
ROLE_BY_KIND = {
    "district": "districtwide",
    "school": "schoolwide",
    "grade": "grade",
    "homeroom": "homeroom",
    "section": "section",
    "student": "student",
}


@dataclass(frozen=True)
class Holdings:
    """The kinds of live visibility grant an educator holds, and which watched global permissions."""

    kinds: frozenset[str]
    permissions: frozenset[str]
    # Per kind held, the ids of the objects its live grants are on (schools, homerooms, students...).
    targets: Mapping[str, tuple[int, ...]] = field(default_factory=dict, hash=False)


NOTHING = Holdings(kinds=frozenset(), permissions=frozenset())
# The attribute that marks an account object as one request's, and then keeps its holdings.
_REQUEST_HOLDINGS = "_insights_request_holdings"


def once_per_request(educator) -> None:
    """Mark the account object serving this request: its holdings are looked up once, at first need."""
    if isinstance(educator, Educator) and not hasattr(educator, _REQUEST_HOLDINGS):
        setattr(educator, _REQUEST_HOLDINGS, None)


def serves_a_request(educator) -> bool:
    """Whether the account object is marked ``once_per_request``: what it holds is then looked up once
    for the whole request, so a check may start from it at no further cost."""
    return hasattr(educator, _REQUEST_HOLDINGS)


@functools.cache
def _permission_sql() -> str:
    """EXISTS for "the educator holds this global permission, directly or through a group"."""
    direct = Educator.user_permissions.through
    membership = Educator.groups.through
    by_group = Group.permissions.through
    educator_column = direct._meta.get_field("educator").column
    return (  # noqa: S608 (table and column names from the models; values are parameters)
        "EXISTS (SELECT 1 FROM {permission} p JOIN {content_type} ct ON ct.id = p.content_type_id"
        " WHERE ct.app_label = %s AND p.codename = %s AND ("
        "p.id IN (SELECT d.permission_id FROM {direct} d WHERE d.{educator} = %s)"
        " OR p.id IN (SELECT gp.permission_id FROM {by_group} gp JOIN {membership} m ON m.group_id = gp.group_id"
        " WHERE m.{member} = %s)))"
    ).format(
        permission=Permission._meta.db_table,
        content_type=ContentType._meta.db_table,
        direct=direct._meta.db_table,
        educator=educator_column,
        by_group=by_group._meta.db_table,
        membership=membership._meta.db_table,
        member=membership._meta.get_field("educator").column,
    )


def holdings(educator, now: datetime.datetime | None = None) -> Holdings:
    """What the educator holds at ``now`` (default: the application's clock), in one query.

    Anyone not saved as an Educator (an anonymous user) holds nothing, without a query; an account
    object marked ``once_per_request`` answers from what its request first looked up.
    """
    if not isinstance(educator, Educator) or educator.pk is None:
        return NOTHING
    kept = getattr(educator, _REQUEST_HOLDINGS, False)
    if isinstance(kept, Holdings):
        return kept
    found = _look_up(educator, now or timezone.now())
    if kept is None:
        setattr(educator, _REQUEST_HOLDINGS, found)
    return found


def _look_up(educator: Educator, now: datetime.datetime) -> Holdings:
    """Every kind of live grant (with the objects its grants are on) and every watched permission the
    educator holds, in one query."""
    tests = [held_targets_sql(kind, educator, now) for kind in GRANT_KINDS]
    for name in WATCHED_PERMISSIONS:
        app_label, codename = name.split(".")
        tests.append((_permission_sql(), [app_label, codename, educator.pk, educator.pk]))
    sql = prepared("SELECT " + ", ".join(test for test, _params in tests))
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for _test, params in tests for value in params])
        answers = cursor.fetchone()
    targets, permissions = answers[: len(GRANT_KINDS)], answers[len(GRANT_KINDS) :]
    held_targets = {kind.key: tuple(ids) for kind, ids in zip(GRANT_KINDS, targets, strict=True) if ids}
    return Holdings(
        kinds=frozenset(held_targets),
        permissions=frozenset(name for name, holds in zip(WATCHED_PERMISSIONS, permissions, strict=True) if holds),
        targets=held_targets,
    )


def held_grants(educator, now: datetime.datetime | None = None) -> list[tuple[GrantKind, Grant]]:
    """The educator's live visibility grants, with what their labels read, in kind order and by label
    within a kind: the rows behind ``holdings().kinds``, one query per kind however many are held."""
    now = now or timezone.now()
    found: list[tuple[GrantKind, Grant]] = []
    for kind in GRANT_KINDS:
        grants = held(kind.key, educator, now).select_related(*kind.related)
        found += sorted(((kind, grant) for grant in grants), key=lambda pair: pair[0].label(pair[1]))
    return found


def role_words(educator) -> list[str]:
    """The roles the audit log stores with each event: the live grants' words, then the restricted-notes
    permission, the narrowing flags and the admin powers held."""
    held_now = holdings(educator)
    roles = [ROLE_BY_KIND[kind.key] for kind in GRANT_KINDS if kind.key in held_now.kinds]
    if RESTRICTED_NOTES in held_now.permissions:
        roles.append("restricted_notes")
    if educator.sped_only:
        roles.append("sped_only")
    if educator.english_learners_only:
        roles.append("english_learners_only")
    if educator.is_staff:
        roles.append("staff")
    if educator.is_superuser:
        roles.append("superuser")
    return roles


# What makes an educator privileged (obliged to use two-factor sign-in), besides admin-site powers.
PRIVILEGED_KINDS = frozenset({"district", "school"})
PRIVILEGED_PERMISSIONS = frozenset(
    {RESTRICTED_NOTES, MANAGE_GRANTS, READ_AUDIT_LOG, PRIVACY_OPERATIONS, VIEW_AS_EDUCATOR}
)


def is_privileged(educator) -> bool:
    """Whether the educator can see a whole district or school, read restricted notes, change who
    sees what, read the audit log, run privacy operations or view as others, or has admin-site powers:
    one query at most."""
    if educator.is_staff or educator.is_superuser:
        return True
    held_now = holdings(educator)
    return bool(held_now.kinds & PRIVILEGED_KINDS or held_now.permissions & PRIVILEGED_PERMISSIONS)
