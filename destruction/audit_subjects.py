"""The audit reports' student lookup (settings.AUDIT_SUBJECT_LOOKUP), also for destroyed students.

A family may ask who looked at a record after it was destroyed. The audit log still holds the
student's Insights id, and the tombstone links the SIS local id's keyed hash to it: a local id
that names no live student but a tombstone resolves to that id, named "destroyed record".
"""

from django.utils import timezone

from audit.subjects import Subject
from destruction.models import Destruction, Tombstone
from destruction.tombstones import local_id_hash
from students.audit_reports import students_for_audit
from students.models import Student

DESTROYED = "destroyed record"
NOT_HELD = "no longer in the record"


def student_labels(student_ids: list[int]) -> dict[int, str]:
    """{id: "Name (SIS local id X)"} for live students, "destroyed record" for destroyed ones."""
    ids = sorted(set(student_ids))
    live = {
        pk: f"{first} {last} (SIS local id {local_id})"
        for pk, first, last, local_id in Student.objects.filter(pk__in=ids).values_list(
            "pk", "first_name", "last_name", "local_id"
        )
    }
    destroyed: set[int] = set()
    done = Destruction.objects.filter(status=Destruction.Status.DONE, student_ids__overlap=ids)
    for destroyed_ids in done.values_list("student_ids", flat=True):
        destroyed.update(destroyed_ids)
    return {pk: live.get(pk) or (DESTROYED if pk in destroyed else NOT_HELD) for pk in ids}


def students_or_destroyed(identifier: str, *, limit: int) -> list[Subject]:
    """Live students first (students.audit_reports); else the destroyed student the SIS local id names."""
    found = students_for_audit(identifier, limit=limit)
    if found or not identifier.strip():
        return found
    tombstone = (
        Tombstone.objects.filter(local_id_hash=local_id_hash(identifier), student_id__isnull=False)
        .order_by("-id")
        .first()
    )
    if tombstone is None:
        return []
    when = timezone.localdate(tombstone.created_at)
    return [
        Subject(
            pk=tombstone.student_id,
            local_id=identifier.strip(),
            name=DESTROYED,
            description=f"destroyed on {when:%Y-%m-%d} (destruction #{tombstone.destruction_id})",
        )
    ]
