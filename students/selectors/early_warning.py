"""Early-warning tiers (0 to 4): recent attendance, recent discipline and this year's course failures.

Each signal adds one point at its warning level and two at its serious level (thresholds in the
admin, students.models.EarlyWarningThresholds); the tier is the sum, at most 4. Lists compute it in
SQL from the three counts they read with their rows (``tier_sql``), so a roster of 2,000 students
gets its tiers, and its sort by them, in the statement that reads it; the profile computes it from
the counts its record's statement reads (``tier``). Both use the levels stated once here, and the
reasons ("attendance 84% in the last 45 days") are worded from the same counts.
"""

import datetime
from dataclasses import dataclass

from students.models import EarlyWarningThresholds, Student
from students.selectors._shared import today

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


def tier_sql(window: Window, *, absences: str, incidents: str, failures: str) -> tuple[str, list[int]]:
    """The tier as SQL over three expressions counting the signals (SQL text the caller writes), and its
    parameters: the levels, as ``tier`` applies them. width_bucket gives 0, 1 or 2, how many of the two
    levels (warning, then serious, which the thresholds' constraints keep in that order) a count
    reaches, reading it once."""
    levels = _levels(window)
    counts = {"ew_absences": absences, "ew_incidents": incidents, "ew_failures": failures}
    points = " + ".join(f"width_bucket({counts[name]}, ARRAY[%s, %s])" for name in levels)
    return f"LEAST({points}, %s)", [*(level for name in levels for level in levels[name]), MAX_TIER]


def tier(student: Student, window: Window) -> int:
    """The tier ``tier_sql`` computes, from a student's three counts (``ew_absences``, ``ew_incidents``,
    ``ew_failures``: the profile reads them with the rest of the record)."""
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
