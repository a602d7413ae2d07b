"""Recording changes to an account's privileges that are not grants: flags, global permissions, groups, factors.

Grants on schools, homerooms and the like go through permissions.services. The educator admin can
also change what an account may do by other means: its active, staff and superuser flags, the
narrowing flags (SPED-only, EL-only), its global permissions (restricted notes, managing grants,
reading the audit log) and its groups; and an admin may delete someone's second factor. Each such
change is a GrantChangeEvent with before and after, written in the admin's own transaction, so a
privilege never changes without its record.
"""

from django.contrib.auth.models import Permission

from audit.events import record_grant_change
from educators.models import Educator

FLAGS = ("is_active", "is_staff", "is_superuser", "sped_only", "english_learners_only")


def _names(permissions) -> list[str]:
    return sorted(
        f"{app}.{codename}" for app, codename in permissions.values_list("content_type__app_label", "codename")
    )


def privilege_snapshot(educator_id: int) -> dict:
    """The account's privileges as stored now: its flags, its direct permissions and its groups."""
    educator = Educator.objects.only(*FLAGS).get(pk=educator_id)
    return {
        **{flag: getattr(educator, flag) for flag in FLAGS},
        "permissions": _names(Permission.objects.filter(user=educator_id)),
        "groups": sorted(educator.groups.values_list("name", flat=True)),
    }


def group_permissions(group_id: int) -> list[str]:
    """A group's permissions as stored now ("app_label.codename")."""
    return _names(Permission.objects.filter(group=group_id))


def record_privilege_changes(*, actor, educator: Educator, before: dict, after: dict, reason: str) -> int:
    """One GrantChangeEvent per flag changed and per permission or group given or taken; returns how many."""
    changes = 0
    for flag in FLAGS:
        if before[flag] != after[flag]:
            _record(actor, educator, flag, "account", {flag: before[flag]}, {flag: after[flag]}, reason)
            changes += 1
    for kind, key in (("permission", "permissions"), ("group", "groups")):
        for name in sorted(set(before[key]) ^ set(after[key])):
            given = name in after[key]
            held = {kind: name}
            _record(actor, educator, kind, name, None if given else held, held if given else None, reason)
            changes += 1
    return changes


def record_group_permission_changes(*, actor, group, before: list[str], after: list[str]) -> None:
    """A group's permissions changed: every member's privileges changed with them, so each member gets the record."""
    changed = sorted(set(before) ^ set(after))
    if not changed:
        return
    for member in Educator.objects.filter(groups=group).order_by("pk"):
        for name in changed:
            held = {"permission": name, "through_group": group.name}
            given = name in after
            _record(
                actor,
                member,
                "group_permission",
                f"{group.name}: {name}",
                None if given else held,
                held if given else None,
                "",
            )


def record_factor_removed(*, actor, educator: Educator, factor_type: str) -> None:
    """An admin took away one of the account's second factors (an authenticator app, recovery codes, a passkey)."""
    _record(actor, educator, "second_factor", factor_type, {"type": factor_type}, None, "removed in the admin")


def _record(actor, educator, grant_kind, label, before, after, reason) -> None:
    record_grant_change(
        actor=actor,
        educator=educator,
        grant_kind=grant_kind,
        object_label=label,
        before=before,
        after=after,
        reason=reason,
    )
