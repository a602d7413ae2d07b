"""The roles an educator holds right now, as a short list of words stored with each audit event.

A snapshot, because grants change: the student access report must say what the viewer was at
the time ("schoolwide"), not what they are today. Read straight from the grant tables in one
query (one EXISTS per grant table), so recording adds a single round trip per request.
"""

import functools

from django.contrib.auth.models import Group, Permission
from django.db import connection

from educators.models import Educator
from permissions import models as grants

RESTRICTED_NOTES = "view_restricted_notes"

# Grant table -> role word, in the order roles are listed.
GRANT_ROLES = (
    (grants.DistrictGrant, "districtwide"),
    (grants.SchoolGrant, "schoolwide"),
    (grants.SchoolGradeGrant, "grade"),
    (grants.HomeroomGrant, "homeroom"),
    (grants.SectionGrant, "section"),
    (grants.StudentGrant, "student"),
)


@functools.cache
def _roles_sql() -> str:
    permission_table = Permission._meta.db_table
    live_grant = "g.user_id = %(educator)s AND (g.expires_at IS NULL OR g.expires_at > now())"
    checks = [
        f"""EXISTS (SELECT 1 FROM {model._meta.db_table} g JOIN {permission_table} p ON p.id = g.permission_id
                    WHERE {live_grant} AND p.codename <> %(restricted)s)"""  # noqa: S608 (names from model metadata)
        for model, _role in GRANT_ROLES
    ]
    user_permissions = Educator.user_permissions.through._meta.db_table
    groups = Educator.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    restricted_by_grant = " OR ".join(
        f"""EXISTS (SELECT 1 FROM {model._meta.db_table} g JOIN {permission_table} p ON p.id = g.permission_id
                    WHERE {live_grant} AND p.codename = %(restricted)s)"""  # noqa: S608 (names from model metadata)
        for model, _role in GRANT_ROLES
    )
    checks.append(
        f"""(EXISTS (SELECT 1 FROM {user_permissions} up JOIN {permission_table} p ON p.id = up.permission_id
                     WHERE up.educator_id = %(educator)s AND p.codename = %(restricted)s)
             OR EXISTS (SELECT 1 FROM {groups} eg
                        JOIN {group_permissions} gp ON gp.group_id = eg.group_id
                        JOIN {permission_table} p ON p.id = gp.permission_id
                        WHERE eg.educator_id = %(educator)s AND p.codename = %(restricted)s)
             OR {restricted_by_grant})"""  # noqa: S608 (names from model metadata)
    )
    return "SELECT " + ", ".join(checks)


def actor_roles(educator: Educator) -> list[str]:
    """The educator's live grants as role words, then the narrowing flags and admin powers they hold."""
    with connection.cursor() as cursor:
        cursor.execute(_roles_sql(), {"educator": educator.pk, "restricted": RESTRICTED_NOTES})
        flags = cursor.fetchone()
    roles = [role for (_model, role), held in zip(GRANT_ROLES, flags, strict=False) if held]
    if flags[-1]:
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
