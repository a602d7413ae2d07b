"""Destroying students: one on request with two people, or many past retention, through one path.

One person (a privacy officer) asks and another approves; the approval destroys at once, in one
transaction with its audit event: every row of the students' data in every table (destruction/
graph.py) goes, a tombstone keeps a keyed hash of each SIS local id, and the Destruction row keeps
what went, per table, for the certificate. The audit log is kept whole: its rows go on naming the
student ids, which the reports then show as a destroyed record. Refused while an access request
is open or a legal hold is set, at the request and again at the approval.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.recorder import command_recording, record_details, record_objects, record_students
from destruction import graph
from destruction.certificate import certificate_filename, certificate_pdf
from destruction.delivery import deliver_bytes
from destruction.models import Destruction, LegalHold, Tombstone
from destruction.refusals import DestructionRefused, refuse_if_blocked
from destruction.tombstones import local_id_hash
from privacy import selectors as privacy_selectors
from privacy.downloads import wipe_downloads_of
from privacy.operators import require_operator
from students.models import Student


def person(educator, role: str) -> dict:
    """The snapshot of an educator a destruction keeps (``requested_by_*`` or ``approved_by_*`` columns)."""
    if educator is None:
        return {f"{role}_id": None, f"{role}_email": "", f"{role}_name": "Scheduled retention sweep"}
    return {f"{role}_id": educator.pk, f"{role}_email": educator.email, f"{role}_name": educator.full_name[:200]}


def backups_expire_on(moment: datetime.datetime) -> datetime.date:
    """The day the last backup taken before ``moment`` ages out (BACKUP_RETENTION_DAYS)."""
    return timezone.localdate(moment) + datetime.timedelta(days=settings.BACKUP_RETENTION_DAYS)


def student_by_local_id(local_id: str) -> Student:
    """The student a privacy officer names by SIS local id; a clear error (without the id) when none has it."""
    student = privacy_selectors.student_by_local_id(local_id)
    if student is None:
        raise DestructionRefused("No student has that SIS local id (a destroyed student has none any more).")
    return student


def request_student_destruction(*, actor, student: Student, reason: str) -> Destruction:
    """Ask for one student's record to be destroyed; a second privacy officer must approve it."""
    require_operator(actor)
    if not reason.strip():
        raise DestructionRefused("Say why the record is to be destroyed (who asked, and under which rule).")
    with command_recording(actor=actor, action="destruction_request"):
        Student.objects.select_for_update().filter(pk=student.pk).first()
        refuse_if_blocked([student.pk])
        pending = Destruction.objects.filter(
            kind=Destruction.Kind.STUDENT, status=Destruction.Status.REQUESTED, student_ids__contains=[student.pk]
        )
        if pending.exists():
            raise DestructionRefused(f"Destruction of student #{student.pk} is already waiting for approval.")
        destruction = Destruction.objects.create(
            kind=Destruction.Kind.STUDENT,
            reason=reason.strip(),
            student_ids=[student.pk],
            **person(actor, "requested_by"),
        )
        record_students([student.pk])
        record_objects("destruction", [destruction.pk])
        record_details(destruction=destruction.pk, step="requested")
    return destruction


def approve_destruction(*, actor, destruction: Destruction) -> Destruction:
    """The second person's approval: checks again, then destroys the record and keeps the certificate's facts."""
    require_operator(actor)
    destruction.refresh_from_db()
    if destruction.kind != Destruction.Kind.STUDENT or destruction.status != Destruction.Status.REQUESTED:
        raise DestructionRefused(f"Destruction #{destruction.pk} is not waiting for approval.")
    if destruction.requested_by_id == actor.pk:
        raise DestructionRefused("The person who asked for a destruction cannot also approve it.")
    with command_recording(actor=actor, action="destruction_approve"):
        claimed = Destruction.objects.filter(pk=destruction.pk, status=Destruction.Status.REQUESTED).update(
            status=Destruction.Status.APPROVED, approved_at=timezone.now(), **person(actor, "approved_by")
        )
        if not claimed:
            raise DestructionRefused(f"Destruction #{destruction.pk} is not waiting for approval.")
        destruction.refresh_from_db()
        destroy_students(destruction)
    return destruction


def cancel_destruction(*, actor, destruction: Destruction) -> Destruction:
    """Withdraw a request nobody approved yet (anyone holding the permission, the requester included)."""
    require_operator(actor)
    with command_recording(actor=actor, action="destruction_cancel"):
        cancelled = Destruction.objects.filter(pk=destruction.pk, status=Destruction.Status.REQUESTED).update(
            status=Destruction.Status.CANCELLED
        )
        if not cancelled:
            raise DestructionRefused(f"Destruction #{destruction.pk} is not waiting for approval.")
        record_students(destruction.student_ids)
        record_details(destruction=destruction.pk, step="cancelled")
    destruction.refresh_from_db()
    return destruction


def destroy_students(destruction: Destruction) -> Destruction:
    """The one path every destruction of students takes (on request, retention); call inside a recording.

    Locks the students, refuses if any became blocked since the request, keeps a tombstone per
    SIS local id, deletes their rows table by table and completes the Destruction row.
    """
    ids = sorted(destruction.student_ids)
    with transaction.atomic():
        local_ids = dict(Student.objects.select_for_update().filter(pk__in=ids).values_list("pk", "local_id"))
        refuse_if_blocked(ids)
        Tombstone.objects.bulk_create(
            Tombstone(local_id_hash=local_id_hash(local_id), student_id=pk, destruction=destruction)
            for pk, local_id in local_ids.items()
        )
        counts = graph.delete_rows(list(local_ids))
        wiped = wipe_downloads_of(list(local_ids))
        if wiped:
            counts["privacy_downloadlink (files not yet downloaded)"] = wiped
        now = timezone.now()
        destruction.status = Destruction.Status.DONE
        destruction.destroyed_at = now
        destruction.counts = counts
        destruction.backups_expire_on = backups_expire_on(now)
        destruction.save()
        record_students(ids, kind="changed")
        record_objects("destruction", [destruction.pk])
        record_details(destruction=destruction.pk, step="destroyed", rows=counts)
    return destruction


def deliver_certificate(*, actor, destruction: Destruction):
    """The certificate as a one-time download link for ``actor`` (recorded); returns the link."""
    require_operator(actor)
    pdf = certificate_pdf(destruction, generated_by=actor.full_name or actor.email)
    with command_recording(actor=actor, action="destruction_certificate"):
        link = deliver_bytes(
            requester=actor,
            content=pdf,
            filename=certificate_filename(destruction),
            content_type="application/pdf",
            purpose=f"certificate of destruction #{destruction.pk}",
        )
        record_objects("destruction", [destruction.pk])
        record_details(destruction=destruction.pk, step="certificate issued")
    return link


def place_legal_hold(*, actor, student: Student, reason: str) -> LegalHold:
    """Stop any destruction of the student's record (litigation, an investigation) until the hold is lifted."""
    require_operator(actor)
    if not reason.strip():
        raise DestructionRefused("Say why the record is held (the matter, who asked).")
    with command_recording(actor=actor, action="destruction_legal_hold"):
        hold = LegalHold.objects.create(student=student, reason=reason.strip()[:300], placed_by=actor)
        record_students([student.pk], kind="changed")
        record_objects("legal_hold", [hold.pk])
    return hold


def lift_legal_hold(*, actor, hold: LegalHold) -> LegalHold:
    require_operator(actor)
    with command_recording(actor=actor, action="destruction_lift_legal_hold"):
        lifted = LegalHold.objects.filter(pk=hold.pk, lifted_at=None).update(lifted_at=timezone.now(), lifted_by=actor)
        if not lifted:
            raise DestructionRefused(f"Legal hold #{hold.pk} was already lifted.")
        record_students([hold.student_id], kind="changed")
        record_objects("legal_hold", [hold.pk])
    hold.refresh_from_db()
    return hold
