"""State and screening assessments: MCAS, STAR and ACCESS for English learners."""

from django.db import models
from django.db.models import Q


class McasResult(models.Model):
    class Subject(models.TextChoices):
        ELA = "ELA", "English language arts"
        MATH = "Math", "Mathematics"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="mcas_results")
    subject = models.CharField(max_length=4, choices=Subject.choices)
    taken_on = models.DateField()
    scaled_score = models.PositiveSmallIntegerField(null=True, blank=True)
    performance_level = models.CharField(max_length=40, blank=True)
    growth_percentile = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["student", "subject", "taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["student", "subject", "taken_on"], name="mcas_one_per_day"),
            models.CheckConstraint(
                condition=Q(scaled_score__isnull=True) | Q(scaled_score__gte=200, scaled_score__lte=560),
                name="mcas_scaled_score_range",
            ),
            models.CheckConstraint(
                condition=Q(growth_percentile__isnull=True) | Q(growth_percentile__gte=1, growth_percentile__lte=99),
                name="mcas_growth_percentile_range",
            ),
        ]

    def __str__(self):
        return f"MCAS result #{self.pk}"


class StarResult(models.Model):
    class Subject(models.TextChoices):
        READING = "Reading", "Reading"
        MATH = "Math", "Mathematics"

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="star_results")
    subject = models.CharField(max_length=8, choices=Subject.choices)
    taken_at = models.DateTimeField()
    percentile_rank = models.PositiveSmallIntegerField()
    grade_equivalent = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["student", "subject", "taken_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percentile_rank__gte=1, percentile_rank__lte=99), name="star_percentile_range"
            ),
        ]
        indexes = [models.Index(fields=["student", "taken_at"], name="star_student_time_idx")]

    def __str__(self):
        return f"STAR result #{self.pk}"


class AccessResult(models.Model):
    """ACCESS for ELLs: the annual English-proficiency assessment of English learners."""

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="access_results")
    taken_on = models.DateField()
    composite_scale_score = models.PositiveSmallIntegerField(null=True, blank=True)
    composite_proficiency_level = models.DecimalField(max_digits=2, decimal_places=1)

    class Meta:
        ordering = ["student", "taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["student", "taken_on"], name="access_one_per_day"),
            models.CheckConstraint(
                condition=Q(composite_proficiency_level__gte=1, composite_proficiency_level__lte=6),
                name="access_proficiency_level_range",
            ),
        ]

    def __str__(self):
        return f"ACCESS result #{self.pk}"
