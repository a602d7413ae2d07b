"""Synthetic events for the benchmark: many rows, in time order, shaped like real traffic."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from audit import synthetic
from audit.models import AccessEvent

pytestmark = pytest.mark.django_db


def test_synthetic_events_are_generated_in_batches_in_time_order(monkeypatch):
    monkeypatch.setattr(synthetic, "BATCH", 300)
    synthetic.generate_access_events(1000, educators=50, students=400, days=30)
    events = list(AccessEvent.objects.order_by("id").values_list("occurred_at", "actor_id", "student_ids"))
    assert len(events) == 1000
    times = [event[0] for event in events]
    assert times == sorted(times)
    assert (times[-1] - times[0]).days == 29
    assert {len(event[2]) for event in events} == {1, 25}
    assert all(1 <= student <= 400 for event in events for student in event[2])
    assert {event[1] for event in events} <= set(range(1, 51))


def test_synthetic_events_are_refused_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(ImproperlyConfigured):
        synthetic.generate_access_events(10)
    assert not AccessEvent.objects.exists()


def test_synthetic_events_can_end_in_the_past_and_land_in_their_months():
    synthetic.generate_access_events(
        40, educators=5, students=1, first_student=777, days=60, ending=datetime.timedelta(days=400)
    )
    times = list(AccessEvent.objects.values_list("occurred_at", flat=True))
    assert max(times) < timezone.now() - datetime.timedelta(days=399)
    assert min(times) > timezone.now() - datetime.timedelta(days=461)
    assert set(AccessEvent.objects.values_list("student_ids", flat=True)[:1][0]) == {777}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_accessevent_default")
        assert cursor.fetchone()[0] == 0
