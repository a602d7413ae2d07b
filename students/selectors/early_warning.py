"""Early-warning tiers (0 to 4): recent attendance, recent discipline and this year's course failures.

Computed in SQL as annotations on any student queryset, so a roster of 2,000 students gets its
tiers in the same query as its rows. Each signal adds one point at its warning level and two at
its serious level (thresholds in the admin, students.models.EarlyWarningThresholds); the tier is
the sum, at most 4. The reasons ("attendance 84% in the last 45 days") are worded from the same
annotated counts.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Func, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Least

from students.models import Absence, DisciplineIncident, EarlyWarningThresholds, Student, StudentSectionAssignment
from students.models.grades import school_year_of
from students.selectors._shared import count_since, start_of, today

MAX_TIER = 4


@dataclass(frozen=True)
class EarlyWarning:
    tier: int
    reasons: list[str]


@dataclass(frozen=True)
class Window:
    """The recent days counted: from ``since`` to ``until`` inclusive, ``school_days`` of them weekdays."""

    thresholds: EarlyWarningThresholds
    since: datetime.date
    until: datetime.date
    school_days: int


def current_window(day: datetime.date | None = None) -> Window:
    """The district's thresholds (one query) and the window they apply to, ending today."""
    return window_for(EarlyWarningThresholds.objects.current(), day or today())


def window_for(thresholds: EarlyWarningThresholds, until: datetime.date) -> Window:
    """The window the thresholds count over, ending on ``until`` (for thresholds already read)."""
    since = until - datetime.timedelta(days=thresholds.window_days - 1)
    weekdays = sum(1 for offset in range(thresholds.window_days) if (since + datetime.timedelta(offset)).weekday() < 5)
    return Window(thresholds=thresholds, since=since, until=until, school_days=max(weekdays, 1))


def _levels(window: Window) -> dict[str, tuple[int, int]]:
    """Per signal (its annotation's name), the counts at which it reaches its warning and its serious level.

    An attendance rate below T% over D school days means more than (100 - T) * D / 100 absences, so
    at least (100 - T) * D // 100 + 1 of them."""
    limits, days = window.thresholds, window.school_days
    return {
        "ew_absences": (
            (100 - limits.attendance_warning) * days // 100 + 1,
            (100 - limits.attendance_serious) * days // 100 + 1,
        ),
        "ew_incidents": (limits.incidents_warning, limits.incidents_serious),
        "ew_failures": (limits.failures_warning, limits.failures_serious),
    }


def _points(value, warning_at: int, serious_at: int) -> Func:
    """0, 1 or 2: how many of the two levels (warning, then serious, which the thresholds' constraints keep
    in that order) the value reaches. width_bucket reads the value once: each signal is a subquery per
    student, and every mention of it in the SQL would run it again."""
    levels = Func(Value(warning_at), Value(serious_at), template="ARRAY[%(expressions)s]", output_field=IntegerField())
    return Func(value, levels, function="width_bucket", output_field=IntegerField())


def with_early_warning(students: QuerySet[Student], window: Window) -> QuerySet[Student]:
    """Annotate ``ew_absences``, ``ew_incidents``, ``ew_failures`` and ``early_warning_tier``."""
    limits = window.thresholds
    failing = (
        StudentSectionAssignment.objects.filter(
            student=OuterRef("pk"),
            section__school_year=school_year_of(window.until),
            grade_numeric__lt=limits.failing_grade,
        )
        .order_by()
        .values("student")
        .annotate(total=Count("id"))
        .values("total")
    )
    annotated = students.annotate(
        ew_absences=count_since(Absence, "occurred_on", window.since),
        ew_incidents=count_since(DisciplineIncident, "occurred_at", start_of(window.since)),
        ew_failures=Coalesce(Subquery(failing, output_field=IntegerField()), Value(0)),
    )
    points = [_points(F(name), *levels) for name, levels in _levels(window).items()]
    return annotated.annotate(early_warning_tier=Least(sum(points[1:], points[0]), Value(MAX_TIER)))


def tier(student: Student, window: Window) -> int:
    """The tier ``with_early_warning`` computes, from a student given the three counts another way (the
    profile reads them with the rest of the record)."""
    points = sum(
        (getattr(student, name) >= warning_at) + (getattr(student, name) >= serious_at)
        for name, (warning_at, serious_at) in _levels(window).items()
    )
    return min(points, MAX_TIER)


def attendance_rate(student: Student, window: Window) -> int:
    """The student's attendance over the window's school days, in whole percent."""
    absences = min(student.ew_absences, window.school_days)
    return round(100 * (window.school_days - absences) / window.school_days)


def reasons(student: Student, window: Window) -> list[str]:
    """Why the student has their tier, one phrase per signal that added points."""
    limits, levels, found = window.thresholds, _levels(window), []
    if student.ew_absences >= levels["ew_absences"][0]:
        found.append(f"attendance {attendance_rate(student, window)}% in the last {limits.window_days} days")
    if student.ew_incidents >= limits.incidents_warning:
        plural = "s" if student.ew_incidents != 1 else ""
        found.append(f"{student.ew_incidents} incident{plural} in the last {limits.window_days} days")
    if student.ew_failures >= limits.failures_warning:
        plural = "es" if student.ew_failures != 1 else ""
        found.append(f"failing {student.ew_failures} class{plural} this year")
    return found


def attach_early_warning(students: Iterable[Student], window: Window) -> None:
    """Give each annotated student an ``early_warning`` (tier and reasons) for the templates."""
    for student in students:
        student.early_warning = EarlyWarning(tier=student.early_warning_tier, reasons=reasons(student, window))
