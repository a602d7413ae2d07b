"""Families' requests to inspect and review a student's record.

An access request (FERPA 34 CFR 99.10) is logged with the day it was received and the day it is
due: 45 days under FERPA, or the district's shorter deadline (``PRIVACY_REQUEST_DUE_DAYS``, e.g.
10 days in Massachusetts). While one is open the student's record must not be destroyed
(99.10(e)): ``AccessRequest.objects.open_for(student)`` is the question to ask.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

PERMISSION = "privacy.privacy_operations"


class AccessRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    FULFILLED = "fulfilled", "Fulfilled"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Relationship(models.TextChoices):
    PARENT = "parent", "Parent or guardian"
    ELIGIBLE_STUDENT = "eligible_student", "Eligible student (18 or older)"
    REPRESENTATIVE = "representative", "Representative with written consent"


class AccessRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=AccessRequestStatus.OPEN)

    def open_for(self, student):
        """The open requests to inspect this student's record (any open one blocks destroying it)."""
        return self.open().filter(student=student)

    def overdue(self, *, today: datetime.date | None = None):
        return self.open().filter(due_on__lt=today or timezone.localdate())


def due_date(received_on: datetime.date) -> datetime.date:
    """The day a request received on ``received_on`` must be answered by."""
    return received_on + datetime.timedelta(days=settings.PRIVACY_REQUEST_DUE_DAYS)


class AccessRequest(models.Model):
    """A family's request to inspect and review a student's education record."""

    Status = AccessRequestStatus

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="access_requests")
    requester_name = models.CharField("who asked", max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices, default=Relationship.PARENT)
    received_on = models.DateField(help_text="The day the district received the request.")
    due_on = models.DateField(help_text="Received day plus the deadline (PRIVACY_REQUEST_DUE_DAYS).")
    status = models.CharField(max_length=10, choices=AccessRequestStatus.choices, default=AccessRequestStatus.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="How the request came in and was answered; no student data.")

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        permissions = [("privacy_operations", "May run privacy operations: records, corrections, notifications")]
        indexes = [models.Index(fields=["student", "status"], name="access_request_student_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_on__gte=models.F("received_on")), name="access_request_due"),
            models.CheckConstraint(
                condition=models.Q(status=AccessRequestStatus.OPEN) | models.Q(closed_at__isnull=False),
                name="access_request_closed_at",
            ),
        ]

    def __str__(self):
        return f"Access request #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status == AccessRequestStatus.OPEN and self.due_on < timezone.localdate()
