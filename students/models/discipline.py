"""Discipline incidents."""

from django.db import models


class DisciplineIncident(models.Model):
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="discipline_incidents")
    incident_code = models.CharField(max_length=80)
    incident_location = models.CharField(max_length=80, blank=True)
    incident_description = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    has_exact_time = models.BooleanField(default=False)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["student", "-occurred_at"], name="discipline_student_time_idx")]

    def __str__(self):
        return f"Incident #{self.pk}"
