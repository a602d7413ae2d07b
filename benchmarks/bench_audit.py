"""Audit: the cost of recording on a profile page, and the reports over 10 million events.

- The principal's profile page with the access recorder on and off (two clients, their requests
  interleaved so machine noise hits both alike): goal ≤ 1.10×.
- Breach scope (by account, by network) and a family's student-access report over
  BENCH_AUDIT_EVENTS synthetic events (default 10 million, generated once into the benchmark
  database and reused), each with its EXPLAIN plan so the indexes in use can be seen.
"""

import datetime
import os
import re
import statistics
import time

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from audit import reports
from audit.models import AccessEvent
from audit.synthetic import generate_access_events
from benchmarks.clients import cast_student, serving_pages, signed_in
from benchmarks.district import ensure_bench_district
from benchmarks.timing import interleaved_medians

RECORDER = "audit.middleware.AccessRecorderMiddleware"
INDEX_IN_PLAN = re.compile(r"Index (?:Only )?Scan (?:using|on) (\S+)")
EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", "10000000"))
ROUNDS = 30
WARM_UP = 3
REPORT_ROUNDS = 5


def _profile_medians(first: Client, second: Client, url: str) -> tuple[float, float]:
    """Median seconds of each client's GET of url, their requests interleaved after WARM_UP uncounted rounds."""

    def fetch(client: Client) -> None:
        assert client.get(url).status_code == 200, url

    first_seconds, second_seconds = interleaved_medians(
        [lambda: fetch(first), lambda: fetch(second)], rounds=ROUNDS, warm_up=WARM_UP
    )
    return first_seconds, second_seconds


def _recording_overhead(report) -> None:
    with serving_pages(), transaction.atomic():
        mateo = cast_student("mateo")
        url = reverse("students:profile", args=[mateo.pk])
        recording = signed_in("principal.baker")
        not_recording = signed_in("principal.baker")
        without_recorder = [name for name in settings.MIDDLEWARE if name != RECORDER]
        with override_settings(MIDDLEWARE=without_recorder):
            not_recording.get(url)  # the client builds its middleware chain now, without the recorder
        events_before = AccessEvent.objects.count()
        on, off = _profile_medians(recording, not_recording, url)
        assert AccessEvent.objects.count() - events_before == WARM_UP + ROUNDS  # only the recording client wrote events
        report("profile with access recording on (vs off)", on, off, note="goal ≤ 1.10x")
        transaction.set_rollback(True)


def _ensure_events() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [AccessEvent._meta.db_table])
        estimate = cursor.fetchone()[0]
    if estimate < EVENTS * 0.9:
        started = time.monotonic()
        generate_access_events(EVENTS - max(estimate, 0))
        print(f"   generated {EVENTS:,} synthetic events in {time.monotonic() - started:.0f}s", flush=True)


def _timed_report(report, name: str, query: tuple[str, dict]) -> None:
    sql, params = query
    timings = []
    with connection.cursor() as cursor:
        for _ in range(REPORT_ROUNDS):
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            timings.append(time.perf_counter() - started)
        cursor.execute("EXPLAIN " + sql, params)
        plan = [line for (line,) in cursor.fetchall()]
    report(f"{name} ({len(rows):,} rows)", statistics.median(timings))
    uses = sorted({match for line in plan for match in INDEX_IN_PLAN.findall(line)})
    print(f"     indexes used: {', '.join(uses) or 'none'}")
    for line in plan:
        print(f"       {line}")


def _report_queries(report) -> None:
    _ensure_events()
    now = timezone.now()
    month = (now - datetime.timedelta(days=30), now)
    busiest = AccessEvent.objects.order_by("-id").values_list("actor_id", "client_ip").first()
    print(f"   over about {EVENTS:,} events", flush=True)
    _timed_report(report, "student access report", reports.student_access_query(student_id=4242))
    _timed_report(
        report,
        "breach scope: one account, 30 days",
        reports.breach_scope_query(actor_ids=[busiest[0]], network=None, since=month[0], until=month[1]),
    )
    network = ".".join(busiest[1].split(".")[:2]) + ".0.0/16"
    _timed_report(
        report,
        f"breach scope: network {network}, 30 days",
        reports.breach_scope_query(actor_ids=None, network=network, since=month[0], until=month[1]),
    )


def run(report):
    ensure_bench_district()
    _recording_overhead(report)
    _report_queries(report)
