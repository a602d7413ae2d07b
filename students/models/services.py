"""Services a student receives (interventions, counseling, attendance contracts)."""

from django.db import models
from django.db.models import F, Q


class ServiceType(models.TextChoices):
    ATTENDANCE_OFFICER = "attendance_officer", "Attendance officer"
    ATTENDANCE_CONTRACT = "attendance_contract", "Attendance contract"
    BEHAVIOR_CONTRACT = "behavior_contract", "Behavior contract"
    COUNSELING_IN_HOUSE = "counseling_in_house", "Counseling, in-house"
    COUNSELING_OUTSIDE = "counseling_outside", "Counseling, outside"
    READING_INTERVENTION = "reading_intervention", "Reading intervention"
    MATH_INTERVENTION = "math_intervention", "Math intervention"
    AFTER_SCHOOL = "after_school", "After-school program"
    SUMMER_PROGRAM = "summer_program", "Summer program"


class Service(models.Model):
    student = models.ForeignKey("students.Student", on_delete=models.PROTECT, related_name="services")
    service_type = models.CharField(max_length=40, choices=ServiceType.choices)
    provided_by = models.CharField("provider", max_length=200, blank=True)
    date_started = models.DateField()
    estimated_end_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey("educators.Educator", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    discontinued_at = models.DateTimeField(null=True, blank=True)
    discontinued_by = models.ForeignKey(
        "educators.Educator", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date_started", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_end_date__isnull=True) | Q(estimated_end_date__gte=F("date_started")),
                name="service_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(discontinued_at__isnull=True, discontinued_by__isnull=True)
                | Q(discontinued_at__isnull=False, discontinued_by__isnull=False),
                name="service_discontinued_with_who_and_when",
            ),
            models.CheckConstraint(
                condition=Q(service_type__in=[choice.value for choice in ServiceType]), name="service_type_known"
            ),
        ]
        indexes = [models.Index(fields=["student", "-date_started"], name="service_student_start_idx")]

    def __str__(self):
        return f"Service #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.discontinued_at is None
