"""The absence summary rebuilt by the queue's job, run by a real worker: every five minutes it brings a
stale summary (absences written, or a new day) up to date, and leaves a current one alone.

The worker reads through its own connection, so these rows are committed (transactional_db)."""

import datetime

import pytest
from django.utils import timezone

from insights.jobs import app, run_worker_until_idle
from students.models import Absence, AbsenceSummary, AbsenceSummaryBuild
from students.models.absence_summary import absence_summary_is_current
from students.tasks import refresh_absence_summary
from tests.factories import StudentFactory


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def scheduled_tick() -> None:
    """What the periodic task does: defer the refresh, and a worker runs it."""
    refresh_absence_summary.defer(timestamp=int(timezone.now().timestamp()))
    run_worker_until_idle()


def summary() -> dict[int, tuple[int, datetime.date]]:
    return {row.student_id: (row.absences, row.first_absence_on) for row in AbsenceSummary.objects.all()}


@pytest.fixture
def absent_students(transactional_db):
    first, second = StudentFactory.create_batch(2)
    Absence.objects.bulk_create(Absence(student=first, occurred_on=days_ago(days)) for days in (1, 2, 3, 60))
    Absence.objects.bulk_create([Absence(student=second, occurred_on=days_ago(10))])
    return first, second


def test_the_worker_builds_the_summary_and_rebuilds_it_after_absences_are_written(absent_students):
    first, second = absent_students
    assert not absence_summary_is_current(timezone.localdate())

    scheduled_tick()
    assert absence_summary_is_current(timezone.localdate())
    assert summary() == {first.pk: (3, days_ago(3)), second.pk: (1, days_ago(10))}

    Absence.objects.create(student=second, occurred_on=days_ago(20))
    assert not absence_summary_is_current(timezone.localdate())
    scheduled_tick()
    assert absence_summary_is_current(timezone.localdate())
    assert summary()[second.pk] == (2, days_ago(20))


def test_a_current_summary_is_left_alone(absent_students):
    scheduled_tick()
    built = AbsenceSummaryBuild.objects.get()
    scheduled_tick()
    assert AbsenceSummaryBuild.objects.get().built_by == built.built_by


def test_a_summary_of_yesterday_is_rebuilt_for_today(absent_students):
    scheduled_tick()
    AbsenceSummaryBuild.objects.update(built_for=days_ago(1))
    assert not absence_summary_is_current(timezone.localdate())
    scheduled_tick()
    assert AbsenceSummaryBuild.objects.get().built_for == timezone.localdate()


def test_the_refresh_is_scheduled_every_five_minutes():
    periodic = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["students.refresh_absence_summary"] == "*/5 * * * *"
