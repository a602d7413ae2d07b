"""Correcting a record on a family's request (34 CFR 99.20), and filing their statement of disagreement (99.21).

A correction request is logged with who asked, what they dispute and when; the decision is one of:
corrected in Insights (a note's text or a service's details, in place, the previous version kept:
a note revision, or the service's old values on the request), "correct in the SIS" (the SIS owns
names, enrollment, attendance, discipline and assessments; its next import brings the fix), or
refused with a reason. Each step is an audit event naming the student, in the same transaction.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.recorder import record_objects, record_students
from privacy.models import CorrectionRequest, CorrectionStatus, DisagreementStatement, Ownership
from privacy.operators import require_operator
from students.models import EventNote, Service, ServiceType, Student
from students.services import note_revise

SERVICE_FIELDS = ("service_type", "provided_by", "date_started", "estimated_end_date")


def _changed(student_id: int, kind: str, ids: list[int]) -> None:
    record_students([student_id], kind="changed")
    record_objects(kind, ids)


def disputed_record(*, student: Student, target: str, target_id: int | None):
    """The note or service a request disputes; ValidationError unless it is this student's."""
    if target == Ownership.SIS:
        return None
    model = {Ownership.NOTE: EventNote, Ownership.SERVICE: Service}[Ownership(target)]
    found = model.objects.filter(pk=target_id, student=student).first() if target_id else None
    if found is None:
        raise ValidationError(f"This student has no {target} with that number.")
    return found


def correction_open(
    *,
    actor,
    student: Student,
    requester_name: str,
    relationship: str,
    received_on: datetime.date,
    target: str,
    target_id: int | None,
    disputed: str,
) -> CorrectionRequest:
    """Log a request to correct part of ``student``'s record."""
    require_operator(actor)
    disputed_record(student=student, target=target, target_id=target_id)
    if received_on > timezone.localdate():
        raise ValidationError("A request cannot be received in the future.")
    with transaction.atomic():
        correction = CorrectionRequest.objects.create(
            student=student,
            requester_name=requester_name,
            relationship=relationship,
            received_on=received_on,
            target=target,
            target_id=target_id if target != Ownership.SIS else None,
            disputed=disputed,
            recorded_by=actor,
        )
        _changed(student.pk, "correction_request", [correction.pk])
    return correction


def _decide(correction: CorrectionRequest, *, actor, status: str, reason: str) -> CorrectionRequest:
    if not reason.strip():
        raise ValidationError("Give the reason for the decision: the family is told it.")
    correction.status = status
    correction.decision_reason = reason.strip()
    correction.decided_by = actor
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "previous"])
    _changed(correction.student_id, "correction_request", [correction.pk])
    return correction


def _open_for_update(correction: CorrectionRequest) -> CorrectionRequest:
    current = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    if current.status != CorrectionStatus.OPEN:
        raise ValidationError("This request has already been decided.")
    return current


def correction_amend_note(*, actor, correction: CorrectionRequest, text: str, reason: str) -> CorrectionRequest:
    """Correct the disputed note's text in place; its previous version becomes a revision."""
    require_operator(actor)
    if not text.strip():
        raise ValidationError("A corrected note needs its corrected text.")
    with transaction.atomic():
        correction = _open_for_update(correction)
        if correction.target != Ownership.NOTE:
            raise ValidationError("This request does not dispute a note.")
        note, _ = note_revise(note_id=correction.target_id, revised_by=actor, text=text.strip())
        record_objects("note", [note.pk])
        return _decide(correction, actor=actor, status=CorrectionStatus.AMENDED, reason=reason)


def correction_amend_service(*, actor, correction: CorrectionRequest, changes: dict, reason: str) -> CorrectionRequest:
    """Correct the disputed service's details in place; its previous values are kept on the request."""
    require_operator(actor)
    unknown = set(changes) - set(SERVICE_FIELDS)
    if unknown or not changes:
        raise ValidationError("A service correction changes its type, provider, start or estimated end.")
    if "service_type" in changes and changes["service_type"] not in ServiceType.values:
        raise ValidationError("Unknown service type.")
    with transaction.atomic():
        correction = _open_for_update(correction)
        if correction.target != Ownership.SERVICE:
            raise ValidationError("This request does not dispute a service.")
        service = Service.objects.select_for_update().get(pk=correction.target_id)
        correction.previous = {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name in SERVICE_FIELDS
            if (value := getattr(service, name)) is not None or name in changes
        }
        for name, value in changes.items():
            setattr(service, name, value)
        end, start = service.estimated_end_date, service.date_started
        if end is not None and end < start:
            raise ValidationError("The estimated end comes before the start.")
        service.save(update_fields=list(changes))
        record_objects("service", [service.pk])
        return _decide(correction, actor=actor, status=CorrectionStatus.AMENDED, reason=reason)


def correction_send_to_sis(*, actor, correction: CorrectionRequest, reason: str) -> CorrectionRequest:
    """Agree the SIS-owned data is wrong: it is corrected in the SIS, and the next import applies it."""
    require_operator(actor)
    with transaction.atomic():
        correction = _open_for_update(correction)
        return _decide(correction, actor=actor, status=CorrectionStatus.CORRECT_IN_SIS, reason=reason)


def correction_refuse(*, actor, correction: CorrectionRequest, reason: str) -> CorrectionRequest:
    """Refuse the correction; the family may then file a statement of disagreement."""
    require_operator(actor)
    with transaction.atomic():
        correction = _open_for_update(correction)
        return _decide(correction, actor=actor, status=CorrectionStatus.REFUSED, reason=reason)


DECISIONS = {
    "amend": "Correct it in Insights (a note or a service): the previous version is kept",
    "sis": "Correct in the SIS: the SIS owns this data, and its next import applies the fix",
    "refuse": "Refuse: the family may file a statement of disagreement",
}


def correction_decide(
    *, actor, correction: CorrectionRequest, decision: str, reason: str, text: str = "", changes: dict | None = None
) -> CorrectionRequest:
    """Decide a request one of the DECISIONS ways (the admin's decide page and ``privacy_correction decide``)."""
    if decision == "sis":
        return correction_send_to_sis(actor=actor, correction=correction, reason=reason)
    if decision == "refuse":
        return correction_refuse(actor=actor, correction=correction, reason=reason)
    if decision != "amend":
        raise ValidationError(f"A decision is one of: {', '.join(DECISIONS)}.")
    if correction.target == Ownership.NOTE:
        return correction_amend_note(actor=actor, correction=correction, text=text, reason=reason)
    if correction.target == Ownership.SERVICE:
        return correction_amend_service(actor=actor, correction=correction, changes=changes or {}, reason=reason)
    raise ValidationError('Data the SIS owns is corrected in the SIS: choose "Correct in the SIS".')


def statement_file(
    *,
    actor,
    student: Student,
    filed_by: str,
    filed_on: datetime.date,
    text: str,
    correction: CorrectionRequest | None = None,
) -> DisagreementStatement:
    """Attach a family's statement of disagreement to the student's record, for good."""
    require_operator(actor)
    if not text.strip():
        raise ValidationError("A statement needs its text.")
    if correction is not None and correction.student_id != student.pk:
        raise ValidationError("That correction request is about another student.")
    with transaction.atomic():
        statement = DisagreementStatement.objects.create(
            student=student,
            correction=correction,
            filed_by=filed_by,
            filed_on=filed_on,
            text=text.strip(),
            recorded_by=actor,
        )
        _changed(student.pk, "disagreement_statement", [statement.pk])
    return statement
