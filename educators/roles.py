"""Who counts as privileged: the educators who must use two-factor authentication.

Anyone who can see a whole district or school, read restricted notes, change who sees what, or
read the audit log, and everyone with admin-site powers. Read from the grant and permission
tables in one query, remembered on the educator object for the rest of the request.
"""

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from educators.models import Educator
from permissions.models import DistrictGrant, SchoolGrant

# (app label, codename) of the permissions that make an educator privileged wherever they come from.
PRIVILEGED_PERMISSIONS = (
    ("students", "view_restricted_notes"),
    ("permissions", "manage_grants"),
    ("audit", "view_audit_reports"),
)

_CACHE_ATTRIBUTE = "_insights_requires_mfa"


def requires_mfa(educator) -> bool:
    """Whether this educator's role obliges them to sign in with a second factor."""
    if not educator.is_authenticated:
        return False
    cached = getattr(educator, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = educator.is_staff or educator.is_superuser or _holds_privileged_access(educator.pk)
        setattr(educator, _CACHE_ATTRIBUTE, cached)
    return cached


def _holds_privileged_access(educator_id: int) -> bool:
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    wanted = Q()
    for app_label, codename in PRIVILEGED_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    privileged = Permission.objects.filter(wanted)
    return (
        Educator.objects.filter(pk=educator_id)
        .filter(
            Exists(DistrictGrant.objects.filter(live, user_id=OuterRef("pk")))
            | Exists(SchoolGrant.objects.filter(live, user_id=OuterRef("pk")))
            | Exists(privileged.filter(user=OuterRef("pk")))
            | Exists(privileged.filter(group__user=OuterRef("pk")))
        )
        .exists()
    )
