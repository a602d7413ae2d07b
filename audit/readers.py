"""Who may read the audit log: the holders of audit.view_audit_reports, given to them or to one of their groups.

Being a superuser is not enough. Django's backends grant a superuser every permission, but the
audit log names who looked at which student, and reading it is a role of its own (the privacy
officer's) that is given explicitly, just as being a superuser grants no student visibility.
Other roles of that kind (privacy operations) use the same explicit check.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from audit.models import REPORT_PERMISSION

_CACHE_ATTRIBUTE = "_insights_explicit_permissions"


def _permission(name: str) -> QuerySet:
    app_label, codename = name.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)


def explicit_holders(permission_name: str) -> QuerySet:
    """Active accounts holding ``permission_name`` ("app.codename") themselves or through a group (superuser or not)."""
    permission = _permission(permission_name)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(user_permissions__in=permission) | Q(groups__permissions__in=permission))
        .distinct()
    )


def holds_explicitly(user, permission_name: str) -> bool:
    """Whether this person was given ``permission_name``; remembered on the user object for the request."""
    cache = getattr(user, _CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTRIBUTE, cache)
    if permission_name not in cache:
        cache[permission_name] = user.pk is not None and explicit_holders(permission_name).filter(pk=user.pk).exists()
    return cache[permission_name]


def audit_readers() -> QuerySet:
    """Active accounts holding the audit permission themselves or through a group (superuser or not)."""
    return explicit_holders(REPORT_PERMISSION)


def may_read_audit(user) -> bool:
    """Whether this person may see audit rows and reports."""
    return holds_explicitly(user, REPORT_PERMISSION)
