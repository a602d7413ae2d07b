"""Families' requests to correct a record (34 CFR 99.20), and their statements of disagreement (99.21).

What Insights owns (notes, services) is corrected here, in place, with the previous version kept;
what the SIS owns (names, enrollment, attendance, assessments...) is corrected in the SIS, and the
next import brings the fix. A family that disagrees with a decision may file a statement, which
stays with the student's record and goes with every later export of it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from insights.encryption import EncryptedTextField
from privacy.models.requests import Relationship


class Ownership(models.TextChoices):
    NOTE = "note", "A note (Insights)"
    SERVICE = "service", "A service (Insights)"
    SIS = "sis", "Data from the SIS (names, enrollment, attendance, discipline, assessments, plans)"


class CorrectionStatus(models.TextChoices):
    OPEN = "open", "Open"
    AMENDED = "amended", "Corrected in Insights"
    CORRECT_IN_SIS = "correct_in_sis", "Correct in the SIS (the next import applies it)"
    REFUSED = "refused", "Refused (the family may file a statement of disagreement)"


class CorrectionRequest(models.Model):
    """Who asked to correct what, and what the district decided and why."""

    Status = CorrectionStatus

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="correction_requests")
    requester_name = models.CharField("who asked", max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices, default=Relationship.PARENT)
    received_on = models.DateField("received")
    target = models.CharField("what is disputed", max_length=10, choices=Ownership.choices)
    target_id = models.BigIntegerField(null=True, blank=True, help_text="The note's or service's number.")
    disputed = EncryptedTextField("what they dispute", help_text="In the family's words: what is wrong and why.")
    status = models.CharField(max_length=20, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN)
    decision_reason = EncryptedTextField("reason for the decision", blank=True, default="")
    previous = models.JSONField(
        null=True, blank=True, help_text="The service as it was before the correction (a note keeps a revision)."
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("decided", null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target="sis") | Q(target_id__isnull=False), name="correction_names_its_record"
            ),
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True) | (~Q(status="open") & Q(decided_at__isnull=False)),
                name="correction_decided_when_closed",
            ),
        ]

    def __str__(self):
        return f"Correction request #{self.pk}"


class DisagreementStatement(models.Model):
    """A family's statement, kept with the record as long as it is kept and disclosed with it."""

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="disagreement_statements")
    correction = models.ForeignKey(
        CorrectionRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="statements"
    )
    filed_by = models.CharField("filed by", max_length=200)
    filed_on = models.DateField("filed")
    text = EncryptedTextField("statement")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["filed_on", "id"]
        indexes = [models.Index(fields=["student", "filed_on"], name="statement_student_idx")]

    def __str__(self):
        return f"Statement of disagreement #{self.pk}"
