"""Who may run privacy operations: holders of privacy.privacy_operations, given explicitly.

A family's record holds every note about a student and the names of everyone who looked, so
(like reading the audit log) this is a role of its own: being a superuser does not grant it.
"""

from django.core.exceptions import PermissionDenied

from audit.readers import explicit_holders, holds_explicitly
from privacy.models import PERMISSION


def may_operate(user) -> bool:
    return holds_explicitly(user, PERMISSION)


def privacy_operators():
    return explicit_holders(PERMISSION)


def require_operator(actor) -> None:
    """Refuse a privacy operation to anyone not holding the permission (services call this first)."""
    if not may_operate(actor):
        raise PermissionDenied("Privacy operations need the privacy_operations permission.")
