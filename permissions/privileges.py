"""Recording changes to an account's privileges that are not grants: flags, global permissions, groups, factors.

Grants on schools, homerooms and the like go through permissions.services. The educator admin can
also change what an account may do by other means: its active, staff and superuser flags, the
narrowing flags (SPED-only, EL-only), its global permissions (restricted notes, managing grants,
reading the audit log) and its groups; and an admin may delete someone's second factor. Each such
change is a GrantChangeEvent with before and after, written in the admin's own transaction, so a
privilege never changes without its record.

What the SPED-only and EL-only flags let an educator see follows the district's program codes
(students.models.ProgramCode): changing what a code counts as changes every narrowed educator's
reach, so it is recorded for each of them, with how many students it moves in or out.
"""

from django.contrib.auth.models import Permission
from django.db.models import Q

from audit.events import record_grant_change
from educators.models import Educator
from students.models import ProgramCategory, Student

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


# Each narrowing flag, the words for it, and the program category that widens it.
NARROWINGS = (
    ("sped_only", "SPED-only", ProgramCategory.SPECIAL_EDUCATION),
    ("english_learners_only", "EL-only", ProgramCategory.ENGLISH_LEARNER),
)


def program_mapping_moves(*, code: str, before: str, after: str) -> dict[str, int]:
    """Per narrowing flag, how many students a program code's new category moves into (+) or out of (-) reach.

    SPED-only educators see the students whose program counts as special education; EL-only ones
    see English learners, who are the students not fluent in English (whatever their program) or
    in a program counting as an English-learner one, so only fluent students move for them.
    """
    moves = {}
    with_code = Student.objects.filter(program_assigned=code)
    for flag, _words, category in NARROWINGS:
        if (before == category) == (after == category):
            moves[flag] = 0
            continue
        moving = (
            with_code
            if category == ProgramCategory.SPECIAL_EDUCATION
            else with_code.filter(limited_english_proficiency=Student.EnglishProficiency.FLUENT)
        )
        count = moving.count()
        moves[flag] = count if after == category else -count
    return moves


def describe_moves(moves: dict[str, int]) -> str:
    """The moves in words: "12 students move into SPED-only educators' reach; …"."""
    parts = []
    for flag, words, _category in NARROWINGS:
        count = moves.get(flag, 0)
        noun = "student moves" if abs(count) == 1 else "students move"
        if count:
            parts.append(f"{abs(count):,} {noun} {'into' if count > 0 else 'out of'} {words} educators' reach")
    return "; ".join(parts) if parts else "no student moves in or out of SPED-only or EL-only educators' reach"


def record_program_mapping_change(*, actor, code: str, before: str, after: str) -> dict[str, int]:
    """A program code counts differently: one GrantChangeEvent for each educator whose narrowed reach it changes.

    Returns the moves (program_mapping_moves). Written in the caller's transaction, with the mapping.
    """
    if before == after:
        return {flag: 0 for flag, _words, _category in NARROWINGS}
    moves = program_mapping_moves(code=code, before=before, after=after)
    affected = [flag for flag, _words, category in NARROWINGS if category in (before, after)]
    narrowed = Q()
    for flag in affected:
        narrowed |= Q(**{flag: True})
    reason = f"{code} now counts as {ProgramCategory(after).label.lower()}"
    for educator in Educator.objects.filter(narrowed).order_by("pk"):
        own = {flag: moves[flag] for flag in affected if getattr(educator, flag)}
        _record(
            actor,
            educator,
            "program code mapping",
            f"program code {code}",
            {"category": before},
            {"category": after, "students_moved": own},
            reason,
        )
    return moves
