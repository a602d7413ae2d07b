"""Synthetic events for the benchmark: many rows, in time order, shaped like real traffic."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import ProgrammingError, connection, transaction
from django.utils import timezone

from audit import synthetic
from audit.models import AccessEvent
from audit.partitions import monthly_partitions

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


def _index_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass", [table])
        return cursor.fetchone()[0]


def test_synthetic_events_are_added_to_months_already_holding_some_with_every_index_and_trigger_kept():
    synthetic.generate_access_events(60, educators=5, students=10, days=20)
    synthetic.generate_access_events(60, educators=5, students=10, days=50, ending=datetime.timedelta(days=10))
    assert AccessEvent.objects.count() == 120
    partitions = monthly_partitions(AccessEvent._meta.db_table)
    filled = [
        partition
        for partition in partitions
        if AccessEvent.objects.filter(occurred_at__gte=partition.starts, occurred_at__lt=partition.ends).exists()
    ]
    assert len(filled) >= 2
    for partition in filled:
        assert _index_count(partition.name) == _index_count(AccessEvent._meta.db_table) == 5
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        AccessEvent.objects.filter(pk=AccessEvent.objects.earliest("occurred_at").pk).update(path="/changed/")


def test_synthetic_events_are_shaped_like_traffic():
    synthetic.generate_access_events(200, educators=300, students=50, first_student=1000, days=5)
    events = list(AccessEvent.objects.order_by("id"))
    first_id = events[0].id
    for event in events:
        row = event.id - first_id + 1
        assert len(event.student_ids) == (25 if row % 20 == 0 else 1)
        assert all(1000 <= student < 1050 for student in event.student_ids)
        assert event.client_ip == f"10.{event.actor_id % 256}.{row % 256}.1"
        assert event.actor_email == f"educator{event.actor_id}@synthetic.invalid"
        assert event.outcome == AccessEvent.Outcome.OK
