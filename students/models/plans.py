"""504 plans and IEPs. Their free text (accommodations, notes) is encrypted at rest."""

from django.db import models
from django.db.models import F, Q

from insights.encryption import EncryptedTextField


class Plan(models.Model):
    """What both kinds of plan share: when it runs (the end never before the start) and who manages it."""

    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    case_manager = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["student", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="%(class)s_end_after_start",
            )
        ]


class Plan504(Plan):
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="plans_504")
    accommodations = EncryptedTextField(blank=True, default="", help_text="One accommodation per line.")

    class Meta(Plan.Meta):
        verbose_name = "504 plan"

    def __str__(self):
        return f"504 plan #{self.pk}"

    @property
    def accommodation_list(self) -> list[str]:
        return [line.strip() for line in self.accommodations.splitlines() if line.strip()]


class Iep(Plan):
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="ieps")
    notes = EncryptedTextField(blank=True, default="")

    class Meta(Plan.Meta):
        verbose_name = "IEP"

    def __str__(self):
        return f"IEP #{self.pk}"
