"""Absences and tardies: at most one of each per student per day."""

from django.db import models


class AttendanceEvent(models.Model):
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="+")
    occurred_on = models.DateField()
    excused = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)
    attendance_code = models.CharField(
        max_length=40, blank=True, help_text="The attendance code as the SIS exported it (AttendanceCode maps it)."
    )

    class Meta:
        abstract = True
        ordering = ["-occurred_on"]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class Absence(AttendanceEvent):
    # No index of its own: the one-per-day constraint's index leads with the student (as for tardies).
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="absences", db_index=False)
    dismissed = models.BooleanField(default=False, help_text="Dismissed early rather than absent all day.")

    class Meta(AttendanceEvent.Meta):
        constraints = [models.UniqueConstraint(fields=["student", "occurred_on"], name="absence_one_per_day")]
        # A window's absences by day, with their students: the district's "absent often" counts read
        # only this index, not the table.
        indexes = [models.Index(fields=["occurred_on", "student"], name="absence_day_student_idx")]


class Tardy(AttendanceEvent):
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="tardies", db_index=False)

    class Meta(AttendanceEvent.Meta):
        verbose_name_plural = "tardies"
        constraints = [models.UniqueConstraint(fields=["student", "occurred_on"], name="tardy_one_per_day")]
