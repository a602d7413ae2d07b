"""Discipline incidents."""

from django.db import models

from students.models.codes import IncidentCategory, LocationCategory


class DisciplineIncident(models.Model):
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="discipline_incidents")
    incident_code = models.CharField(max_length=80)
    incident_location = models.CharField(max_length=80, blank=True)
    incident_category = models.CharField(
        max_length=20,
        choices=IncidentCategory.choices,
        blank=True,
        help_text="What the district's IncidentCode mapping says the code is; blank: unmapped.",
    )
    location_category = models.CharField(
        max_length=20,
        choices=LocationCategory.choices,
        blank=True,
        help_text="What the IncidentLocation mapping says the place is; blank: unmapped.",
    )
    incident_description = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    has_exact_time = models.BooleanField(default=False)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["student", "-occurred_at"], name="discipline_student_time_idx")]

    def __str__(self):
        return f"Incident #{self.pk}"
