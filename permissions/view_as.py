"""Who may see Insights as another educator sees it ("view as", for support), and what such a view withholds.

A supporter holding ``permissions.view_as_educator`` (given to them or a group, never through
superuser status) may view as an active educator whose privileges they hold themselves: nobody
sees, through someone else's eyes, more than they are trusted with of the account's powers. A
superuser is never a target: Django grants a superuser every permission implicitly, so there is no
way to tell what such a view would lend, and an admin account sees no students anyway (there is
nothing to support there). The session itself (time limit, read-only, banner, recording) is
educators/view_as.py; here are the rules, and the mark that makes the policy withhold restricted
notes from a view-as session whatever the target may read.
"""

from permissions.holdings import VIEW_AS_EDUCATOR as VIEW_AS
from permissions.holdings import WATCHED_PERMISSIONS, Holdings, holdings
from permissions.policy import VIEWED_AS_ATTRIBUTE, is_active_educator, viewed_as_by

__all__ = ["VIEW_AS", "may_start_viewing_as", "mark_viewed_as", "refusal", "viewed_as_by"]


def may_start_viewing_as(supporter) -> bool:
    """Whether this person may view as others at all (an explicit grant of the permission; active)."""
    return _permitted(supporter, holdings(supporter))


def _permitted(supporter, held: Holdings) -> bool:
    return is_active_educator(supporter) and VIEW_AS in held.permissions


def refusal(supporter, target) -> str | None:
    """Why the supporter may not view as the target, or None when they may (checked on every request of a
    view-as session: two holdings queries, the supporter's and the target's)."""
    yours = holdings(supporter)
    if not _permitted(supporter, yours):
        return "Viewing as another educator needs the view-as permission."
    if target.pk == supporter.pk:
        return "You cannot view as yourself."
    if not is_active_educator(target):
        return "This account is inactive: it sees nothing."
    if target.is_superuser:
        return "Superusers cannot be viewed as: they hold every permission, and see no students by being admin."
    if target.is_staff and not supporter.is_staff:
        return "This educator may use the admin site and you may not: they are more privileged than you."
    theirs = holdings(target)
    beyond = (theirs.permissions - yours.permissions) & frozenset(WATCHED_PERMISSIONS)
    if beyond or ("district" in theirs.kinds and "district" not in yours.kinds):
        return "This educator holds permissions or districtwide access you do not: they are more privileged than you."
    return None


def mark_viewed_as(target, supporter) -> None:
    """Mark the target's account object as seen through a support session, for the rest of the request."""
    setattr(target, VIEWED_AS_ATTRIBUTE, supporter)
