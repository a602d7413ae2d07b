"""Why a student's record may not be destroyed now: an open access request (FERPA 99.10(e)) or a legal hold."""

from collections.abc import Iterable

from destruction.models import LegalHold
from privacy.models import AccessRequest

OPEN_ACCESS_REQUEST = "an access request for the record is open (FERPA 34 CFR 99.10(e))"
LEGAL_HOLD = "a legal hold is set"


class DestructionRefused(Exception):
    """The destruction may not go ahead; the message names the rule, and students only by Insights id."""


def blocked(student_ids: Iterable[int]) -> dict[int, str]:
    """{student id: why it may not be destroyed} for the students held back; the others are free to go."""
    ids = list(student_ids)
    reasons: dict[int, str] = {}
    for student_id in LegalHold.objects.filter(student_id__in=ids, lifted_at=None).values_list("student_id", flat=True):
        reasons[student_id] = LEGAL_HOLD
    for student_id in AccessRequest.objects.open().filter(student_id__in=ids).values_list("student_id", flat=True):
        reasons.setdefault(student_id, OPEN_ACCESS_REQUEST)
    return reasons


def refuse_if_blocked(student_ids: Iterable[int]) -> None:
    """Raise DestructionRefused naming the first blocked student and the rule."""
    reasons = blocked(student_ids)
    if reasons:
        student_id, reason = sorted(reasons.items())[0]
        others = f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""
        raise DestructionRefused(f"Student #{student_id}{others} cannot be destroyed: {reason}.")
