"""The district's early-warning thresholds: when attendance, discipline and course failures raise a tier.

One row per district (like District), edited in the admin. The tiers themselves are computed in SQL
from these numbers (students/selectors/early_warning.py), never stored.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q


class EarlyWarningThresholdsManager(models.Manager):
    def current(self) -> "EarlyWarningThresholds":
        """The district's thresholds, created with the defaults on first use."""
        thresholds, _created = self.get_or_create(singleton=True)
        return thresholds


def _percent(default: int, help_text: str):
    return models.PositiveSmallIntegerField(
        default=default, validators=[MinValueValidator(1), MaxValueValidator(100)], help_text=help_text
    )


class EarlyWarningThresholds(models.Model):
    """Each signal adds a point at its warning level and two at its serious level; the tier is the sum, at most 4."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    window_days = models.PositiveSmallIntegerField(
        "window (days)",
        default=45,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="How many recent calendar days attendance and discipline are counted over.",
    )
    attendance_warning = _percent(90, "Attendance rate (%) below which a student gets one point.")
    attendance_serious = _percent(80, "Attendance rate (%) below which a student gets two points.")
    incidents_warning = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1)], help_text="Incidents in the window that give one point."
    )
    incidents_serious = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1)], help_text="Incidents in the window that give two points."
    )
    failing_grade = _percent(65, "A course grade below this is failing.")
    failures_warning = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="Failing courses this year that give one point."
    )
    failures_serious = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1)], help_text="Failing courses this year that give two points."
    )

    objects = EarlyWarningThresholdsManager()

    class Meta:
        verbose_name = "early-warning thresholds"
        verbose_name_plural = "early-warning thresholds"
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="early_warning_is_singleton"),
            models.CheckConstraint(
                condition=Q(attendance_serious__lte=F("attendance_warning")),
                name="early_warning_attendance_order",
                violation_error_message="The serious attendance rate must be at or below the warning rate.",
            ),
            models.CheckConstraint(
                condition=Q(incidents_serious__gte=F("incidents_warning")),
                name="early_warning_incidents_order",
                violation_error_message="The serious number of incidents must be at least the warning number.",
            ),
            models.CheckConstraint(
                condition=Q(failures_serious__gte=F("failures_warning")),
                name="early_warning_failures_order",
                violation_error_message="The serious number of failing courses must be at least the warning number.",
            ),
        ]

    def __str__(self):
        return "Early-warning thresholds"
