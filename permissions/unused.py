"""The unused-access report: grants that are candidates for revocation.

Two kinds of candidate: grants whose holder viewed none of the students they reach in the last 90
days (the audit log's record, permissions/usage.py), and grants made by hand more than a year ago,
which nobody has had to renew. District admins read it in the access-review pages; revoking stays a
deliberate act on the grant's own page.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from permissions.kinds import GRANT_KINDS, GrantKind, live_grants
from permissions.models import Grant, GrantSource
from permissions.usage import USE_WINDOW, Usage, usage

OLD_HAND_MADE = datetime.timedelta(days=365)


@dataclass(frozen=True)
class Candidate:
    """A live grant worth a second look, and why."""

    kind: GrantKind
    grant: Grant
    usage: Usage
    unused: bool
    old_hand_made: bool

    @property
    def why(self) -> str:
        reasons = []
        if self.unused:
            reasons.append(f"no student viewed in {USE_WINDOW.days} days")
        if self.old_hand_made:
            reasons.append("made by hand over a year ago")
        return "; ".join(reasons)


def unused_grants(now: datetime.datetime | None = None) -> list[Candidate]:
    """Every live grant that went unused for 90 days or was made by hand over a year ago, by holder.

    Two queries per kind of grant (the grants, then their use), however many grants there are.
    """
    now = now or timezone.now()
    found = []
    for kind in GRANT_KINDS:
        grants = list(live_grants(kind, now).select_related("user", *kind.related))
        use = usage(kind, grants, now)
        for grant in grants:
            unused = use[grant.pk].viewed == 0
            old = grant.source == GrantSource.MANUAL and grant.granted_at <= now - OLD_HAND_MADE
            if unused or old:
                found.append(Candidate(kind=kind, grant=grant, usage=use[grant.pk], unused=unused, old_hand_made=old))
    return sorted(found, key=lambda candidate: (candidate.grant.user.full_name, str(candidate.grant)))
