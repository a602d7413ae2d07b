"""Tombstones: a destroyed student's SIS local id, kept only as a keyed hash, so the import does not bring them back.

The hash is an HMAC under ``TOMBSTONE_KEY`` (a setting, not in the database): someone holding a
copy of the database cannot test guesses of local ids against it. The import calls
``refuse_destroyed_students`` after staging the students file: a tombstoned student's row becomes a
row error (file, row, ``destroyed_student``; never the id) and their other rows follow it as
``unknown_student``. Only an admin lifting the tombstone, which is recorded, lets them back.
"""

import hashlib
import hmac

from django.conf import settings
from django.utils import timezone

from audit.recorder import command_recording, record_details, record_objects
from destruction.models import Tombstone
from privacy.operators import require_operator
from students.sis.reader import RowError
from students.sis.sql import execute, fetch
from students.sis.staging import staging_table

REFUSED_CODE = "destroyed_student"


def local_id_hash(local_id: str) -> str:
    """The keyed hash a tombstone keeps of an SIS local id."""
    return hmac.new(settings.TOMBSTONE_KEY.encode(), local_id.strip().encode(), hashlib.sha256).hexdigest()


def standing_hashes() -> set[str]:
    return set(Tombstone.objects.filter(lifted_at=None).values_list("local_id_hash", flat=True))


def refuse_destroyed_students(filename: str) -> list[RowError]:
    """Quarantine staged student rows whose local id has a standing tombstone; one row error each."""
    hashes = standing_hashes()
    if not hashes:
        return []
    table = staging_table("students")
    rows = fetch(
        f"SELECT row_number, local_id FROM {table} s WHERE NOT s.quarantined "  # noqa: S608 (a staging table name)
        "AND NOT EXISTS (SELECT 1 FROM students_student x WHERE x.local_id = s.local_id)"
    )
    refused = [row_number for row_number, local_id in rows if local_id_hash(local_id) in hashes]
    if refused:
        execute(f"UPDATE {table} SET quarantined = true WHERE row_number = ANY(%s)", [refused])  # noqa: S608
    return [RowError(filename, row_number, "local_id", REFUSED_CODE) for row_number in refused]


def lift_tombstone(tombstone: Tombstone, *, actor, reason: str) -> Tombstone:
    """Let the next import re-create the student (the district re-enrolled them, or destroyed the wrong one)."""
    require_operator(actor)
    if not reason.strip():
        raise ValueError("Say why the tombstone is lifted.")
    with command_recording(actor=actor, action="destruction_lift_tombstone"):
        lifted = Tombstone.objects.filter(pk=tombstone.pk, lifted_at=None).update(
            lifted_at=timezone.now(), lifted_by_id=actor.pk, lifted_by_email=actor.email, lift_reason=reason[:300]
        )
        if not lifted:
            raise ValueError(f"Tombstone #{tombstone.pk} was already lifted.")
        record_objects("tombstone", [tombstone.pk])
        record_details(tombstone=tombstone.pk, destruction=tombstone.destruction_id, reason=reason[:300])
    tombstone.refresh_from_db()
    return tombstone
