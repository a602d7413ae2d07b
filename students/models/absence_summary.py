"""Each student's absences in the current attention window, kept so a district's "absent often" list
need not count 130,000 absences on every home page.

The summary is correct or known to be stale, never silently wrong. A statement-level trigger on the
absences table (migration 0008) notes every transaction that writes absences, by any path (imports,
the admin, privacy corrections, destruction, SQL by hand), in ``students_absence_write``. A build
records the snapshot it counted from and forgets the writes that snapshot saw; the summary is
current for a day when it was built for that day and no noted write is missing from its snapshot
(nor came after the build in the build's own transaction). Readers fall back to counting live while
it is not, and the queue rebuilds it (students/tasks.py).
"""

import datetime

from django.db import connection, models, transaction

from students.models.attendance import Absence

# The window the home page's "may need attention" list counts absences over, ending today.
ABSENCE_WINDOW_DAYS = 45
BUILD_ROW = 1


class AbsenceSummary(models.Model):
    """A student's absences on or after the window's first day, and the first of them (students with
    none in the window have no row)."""

    student = models.OneToOneField(
        "students.Student", on_delete=models.CASCADE, primary_key=True, related_name="absence_summary"
    )
    absences = models.PositiveIntegerField()
    first_absence_on = models.DateField()

    class Meta:
        # The most absent first: the home page reads candidates in this order until it has enough.
        indexes = [models.Index(fields=["absences"], name="absence_summary_count_idx")]

    def __str__(self):
        return f"AbsenceSummary #{self.pk}"


class AbsenceSummaryBuild(models.Model):
    """The one row saying what the summary was counted from: the day (its window ends there), the
    snapshot of the absences it read, and the transaction that wrote it."""

    built_for = models.DateField(null=True, help_text="Empty until the first build.")
    snapshot = models.TextField(blank=True, help_text="pg_current_snapshot() of the count, as text.")
    built_by = models.BigIntegerField(null=True, help_text="The building transaction's id (xid8).")
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"AbsenceSummaryBuild #{self.pk}"


def window_start(day: datetime.date) -> datetime.date:
    """The first day counted for a window ending on `day`."""
    return day - datetime.timedelta(days=ABSENCE_WINDOW_DAYS)


_COUNT = """
WITH seen AS (SELECT pg_current_snapshot() AS snapshot, pg_current_xact_id() AS xact),
counted AS (
    INSERT INTO {summary} (student_id, absences, first_absence_on)
    SELECT student_id, count(*), min(occurred_on) FROM {absence} WHERE occurred_on >= %s GROUP BY student_id
),
forgotten AS (
    DELETE FROM students_absence_write w USING seen
    WHERE pg_visible_in_snapshot(w.xact, seen.snapshot) OR w.xact = seen.xact
)
UPDATE {build} SET built_for = %s, snapshot = seen.snapshot::text, built_by = seen.xact::text::bigint,
    built_at = now()
FROM seen WHERE {build}.id = %s
"""

_CURRENT = """
EXISTS (
    SELECT 1 FROM {build} b WHERE b.id = %s AND b.built_for = %s AND NOT EXISTS (
        SELECT 1 FROM students_absence_write w
        WHERE NOT pg_visible_in_snapshot(w.xact, b.snapshot::pg_snapshot) OR w.xact = b.built_by::text::xid8
    )
)"""


def _tables() -> dict[str, str]:
    return {
        "summary": AbsenceSummary._meta.db_table,
        "absence": Absence._meta.db_table,
        "build": AbsenceSummaryBuild._meta.db_table,
    }


def rebuild_absence_summary(day: datetime.date) -> bool:
    """Count every student's absences in the window ending on `day`; False if a build for a later day
    already stands (the window never moves back).

    One build at a time (the build row is locked first), so a slower build never overwrites a newer
    one; the count, the snapshot it saw and the forgetting of the writes it covers are one statement,
    so they agree. Runs in the caller's transaction if there is one: its own earlier writes are
    counted (a snapshot never shows its own transaction as visible, so they are forgotten by id),
    and a write it makes after the build is noted again under the build's id, which makes it stale.
    """
    tables = _tables()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {tables['build']} (id, built_for, snapshot, built_by, built_at) "  # noqa: S608 (model tables)
            "VALUES (%s, NULL, '', NULL, now()) ON CONFLICT (id) DO NOTHING",
            [BUILD_ROW],
        )
        cursor.execute(f"SELECT built_for FROM {tables['build']} WHERE id = %s FOR UPDATE", [BUILD_ROW])  # noqa: S608
        (built_for,) = cursor.fetchone()
        if built_for is not None and built_for > day:
            return False
        cursor.execute(f"DELETE FROM {tables['summary']}")  # noqa: S608
        cursor.execute(_COUNT.format(**tables), [window_start(day), day, BUILD_ROW])
    return True


def current_condition(day: datetime.date) -> tuple[str, list]:
    """The SQL condition "the summary counts the window ending on `day` from every absence this
    statement can see", and its parameters: a reader that asks it in the statement reading the
    summary gets both from one snapshot."""
    return _CURRENT.format(**_tables()), [BUILD_ROW, day]


def absence_summary_is_current(day: datetime.date) -> bool:
    """Whether the summary counts the window ending on `day` from every absence this transaction can see."""
    condition, params = current_condition(day)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {condition}", params)
        return cursor.fetchone()[0]
