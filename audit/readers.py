"""Who may read the audit log: the holders of audit.view_audit_reports, given to them or to one of their groups.

Being a superuser is not enough. Django's backends grant a superuser every permission, but the
audit log names who looked at which student, and reading it is a role of its own (the privacy
officer's) that is given explicitly, just as being a superuser grants no student visibility.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from audit.models import REPORT_PERMISSION

_CACHE_ATTRIBUTE = "_insights_reads_audit"


def _report_permission() -> QuerySet:
    app_label, codename = REPORT_PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)


def audit_readers() -> QuerySet:
    """Active accounts holding the audit permission themselves or through a group (superuser or not)."""
    permission = _report_permission()
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(user_permissions__in=permission) | Q(groups__permissions__in=permission))
        .distinct()
    )


def may_read_audit(user) -> bool:
    """Whether this person may see audit rows and reports; remembered on the user object for the request."""
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = user.pk is not None and audit_readers().filter(pk=user.pk).exists()
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached
