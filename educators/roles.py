"""Who counts as privileged: the educators who must use two-factor authentication.

Anyone who can see a whole district or school, read restricted notes, change who sees what, or
read the audit log, and everyone with admin-site powers: what the educator holds comes from the
one answer to that question (permissions/holdings.py), remembered on the educator object for the
rest of the request: the two-factor gate asks first, and the page's own questions about what the
educator holds then reuse the same lookup.
"""

from permissions.holdings import is_privileged, once_per_request

_CACHE_ATTRIBUTE = "_insights_requires_mfa"


def requires_mfa(educator) -> bool:
    """Whether this educator's role obliges them to sign in with a second factor."""
    if not educator.is_authenticated:
        return False
    cached = getattr(educator, _CACHE_ATTRIBUTE, None)
    if cached is None:
        once_per_request(educator)
        cached = is_privileged(educator)
        setattr(educator, _CACHE_ATTRIBUTE, cached)
    return cached
