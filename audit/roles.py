"""The roles an educator holds right now, as a short list of words stored with each audit event.

A snapshot, because grants change: the student access report must say what the viewer was at
the time ("schoolwide"), not what they are today. The roles follow the access policy's own rules
(permissions.kinds: a grant row counts only while live and holding its kind's visibility
permission; restricted notes come from a direct or group permission, as in permissions.policy),
read straight from the grant tables in one query (one EXISTS per grant table), so recording adds
a single round trip per request.
"""

import functools

from django.contrib.auth.models import Group, Permission
from django.db import connection

from educators.models import Educator
from permissions.kinds import GRANT_KINDS, RESTRICTED_NOTES_PERMISSION

# Grant kind -> role word; roles are listed in GRANT_KINDS order.
ROLE_BY_KIND = {
    "district": "districtwide",
    "school": "schoolwide",
    "grade": "grade",
    "homeroom": "homeroom",
    "section": "section",
    "student": "student",
}


@functools.cache
def _roles_sql() -> str:
    permission_table = Permission._meta.db_table
    checks = [
        f"""EXISTS (SELECT 1 FROM {kind.model._meta.db_table} g JOIN {permission_table} p ON p.id = g.permission_id
                    WHERE g.user_id = %(educator)s AND (g.expires_at IS NULL OR g.expires_at > now())
                    AND p.codename = %({kind.key})s)"""  # noqa: S608 (names from model metadata)
        for kind in GRANT_KINDS
    ]
    user_permissions = Educator.user_permissions.through._meta.db_table
    groups = Educator.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    checks.append(
        f"""(EXISTS (SELECT 1 FROM {user_permissions} up JOIN {permission_table} p ON p.id = up.permission_id
                     WHERE up.educator_id = %(educator)s AND p.codename = %(restricted)s)
             OR EXISTS (SELECT 1 FROM {groups} eg
                        JOIN {group_permissions} gp ON gp.group_id = eg.group_id
                        JOIN {permission_table} p ON p.id = gp.permission_id
                        WHERE eg.educator_id = %(educator)s AND p.codename = %(restricted)s))"""  # noqa: S608
    )
    return "SELECT " + ", ".join(checks)


def actor_roles(educator: Educator) -> list[str]:
    """The educator's live grants as role words, then the narrowing flags and admin powers they hold."""
    params = {kind.key: kind.codename for kind in GRANT_KINDS}
    with connection.cursor() as cursor:
        cursor.execute(_roles_sql(), {**params, "educator": educator.pk, "restricted": RESTRICTED_NOTES_PERMISSION})
        *granted, restricted = cursor.fetchone()
    roles = [ROLE_BY_KIND[kind.key] for kind, held in zip(GRANT_KINDS, granted, strict=True) if held]
    if restricted:
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
