"""Who may run privacy operations: holders of privacy.privacy_operations, given explicitly.

A family's record holds every note about a student and the names of everyone who looked, so
(like reading the audit log) this is a role of its own: being a superuser does not grant it.
"""

from audit.readers import explicit_holders, holds_explicitly
from privacy.models import PERMISSION


def may_operate(user) -> bool:
    return holds_explicitly(user, PERMISSION)


def privacy_operators():
    return explicit_holders(PERMISSION)
