"""Writes of the privacy office: logging a family's access request and closing it, each with its audit record."""

import datetime

from django.db import transaction
from django.utils import timezone

from audit.recorder import record_objects, record_students
from privacy.models import AccessRequest, AccessRequestStatus, due_date
from privacy.operators import require_operator


def access_request_open(
    *, actor, student, requester_name: str, relationship: str, received_on: datetime.date, notes: str = ""
) -> AccessRequest:
    """Log a request to inspect ``student``'s record; it is due PRIVACY_REQUEST_DUE_DAYS after it was received."""
    require_operator(actor)
    if received_on > timezone.localdate():
        raise ValueError("A request cannot be received in the future.")
    with transaction.atomic():
        request = AccessRequest.objects.create(
            student=student,
            requester_name=requester_name,
            relationship=relationship,
            received_on=received_on,
            due_on=due_date(received_on),
            recorded_by=actor,
            notes=notes,
        )
        record_students([student.pk], kind="changed")
        record_objects("access_request", [request.pk])
    return request


def access_request_close(*, actor, request: AccessRequest, status: str, notes: str = "") -> AccessRequest:
    """Mark an open request fulfilled or withdrawn (a closed one stays as it was)."""
    require_operator(actor)
    if status not in (AccessRequestStatus.FULFILLED, AccessRequestStatus.WITHDRAWN):
        raise ValueError("A request is closed as fulfilled or withdrawn.")
    with transaction.atomic():
        request = AccessRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != AccessRequestStatus.OPEN:
            raise ValueError("This request is already closed.")
        request.status = status
        request.closed_by = actor
        request.closed_at = timezone.now()
        if notes:
            request.notes = f"{request.notes}\n{notes}".strip()
        request.save(update_fields=["status", "closed_by", "closed_at", "notes"])
        record_students([request.student_id], kind="changed")
        record_objects("access_request", [request.pk])
    return request
