"""Who may run destruction, retention and exit exports: holders of privacy_operations (privacy/operators.py)."""

from django.core.exceptions import PermissionDenied

from privacy.models import PERMISSION
from privacy.operators import may_operate


def check_privacy_officer(educator) -> None:
    """Refuse anyone but an active holder of ``privacy_operations`` (held explicitly, not as a superuser)."""
    if educator is None or not educator.is_active or not may_operate(educator):
        raise PermissionDenied(f"This needs the {PERMISSION} permission.")
