"""Audit: the cost of recording on a profile page, and the reports over a small and a large log.

- The principal's profile page with the access recorder on and off (two clients, their requests
  interleaved so machine noise hits both alike): goal ≤ 1.10×.
- Breach scope (by account, by network, 30 days) and a family's student-access report over a log
  of BENCH_AUDIT_EVENTS="SMALL,LARGE" synthetic events (default 1 and 10 million; the issue's
  figure is 10 and 100 million, about 40 GB on disk), each timed at both sizes and shown as
  LARGE's time over SMALL's (goal ≤ 2×), with its EXPLAIN plan at the large size. Traffic is
  constant (LARGE events over the 2,555 days of retention), so the small log is the newest days
  of the large one and a 30-day window holds the same events in both. The family's student is
  one first seen 30 days ago (the same rows at both sizes); a student seen over the whole log is
  also shown, whose rows grow with the log. The events go into a scratch database of their own,
  dropped at the end, so the benchmark database keeps nothing of them.
"""

import datetime
import os
import re
import statistics
import time
from contextlib import contextmanager

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
ALIAS = re.compile(r"\be_\d+\b")
PARTITION_NAME = re.compile(r"(audit_accessevent_)(p\d{4}_\d{2}|default)")
SMALL, LARGE = (int(size) for size in os.environ.get("BENCH_AUDIT_EVENTS", "1000000,10000000").split(","))
RETENTION_DAYS = 2555
STUDENTS = 50_000
SEEN_THROUGHOUT = 4242  # a synthetic student, in events over the whole log
NEW_STUDENT = STUDENTS + 1  # first seen 30 days ago: the same rows in the small and the large log
ACTOR = 42
NETWORK = "10.42.0.0/16"  # the networks of every 256th educator
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


@contextmanager
def _scratch_database():
    """A freshly migrated database for the synthetic events, dropped afterwards (they take gigabytes)."""
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


def _generate(count: int, *, ending_days: float, days: float, **shape) -> None:
    started = time.monotonic()
    ending = datetime.timedelta(days=ending_days)
    generate_access_events(count, days=max(1, round(days)), ending=ending, **shape)
    print(f"   generated {count:,} synthetic events in {time.monotonic() - started:.0f}s", flush=True)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _collapsed(plan: list[str]) -> list[str]:
    """The plan with each run of subtrees that differ only by month partition shown once, with its count."""
    generic = [ALIAS.sub("e_N", PARTITION_NAME.sub(r"\1pYYYY_MM", line)) for line in plan]
    lines, start = [], 0
    while start < len(generic):
        end = start + 1
        while end < len(generic) and _indent(generic[end]) > _indent(generic[start]):
            end += 1
        subtree, repeats = generic[start:end], 1
        while generic[start + repeats * len(subtree) : start + (repeats + 1) * len(subtree)] == subtree:
            repeats += 1
        if repeats > 1:
            lines += [f"{subtree[0]}   (x{repeats} partitions)", *subtree[1:]]
            start += repeats * len(subtree)
        else:
            lines.append(plan[start])
            start += 1
    return lines


def _print_plan(plan: list[str]) -> None:
    indexes = {PARTITION_NAME.sub(r"\1pYYYY_MM", name) for line in plan for name in INDEX_IN_PLAN.findall(line)}
    partitions = {match.group(0) for line in plan for match in PARTITION_NAME.finditer(line)}
    print(f"     indexes used: {', '.join(sorted(indexes)) or 'none'}; partitions read: {len(partitions)}")
    for line in _collapsed(plan):
        print(f"       {line}")


def _measure(query: tuple[str, dict]) -> tuple[float, int, list[str]]:
    """Median seconds over REPORT_ROUNDS (after one uncounted run), rows, and the EXPLAIN plan."""
    sql, params = query
    timings = []
    with connection.cursor() as cursor:
        for _ in range(REPORT_ROUNDS + 1):
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            timings.append(time.perf_counter() - started)
        cursor.execute("EXPLAIN (COSTS OFF) " + sql, params)
        plan = [line for (line,) in cursor.fetchall()]
    return statistics.median(timings[1:]), len(rows), plan


def _queries() -> dict[str, tuple[str, dict]]:
    now = timezone.now()
    since, until = now - datetime.timedelta(days=30), now
    return {
        "student access: a student first seen 30 days ago": reports.student_access_query(student_id=NEW_STUDENT),
        "student access: a student seen over the whole log": reports.student_access_query(student_id=SEEN_THROUGHOUT),
        "breach scope: one account, 30 days": reports.breach_scope_query(
            actor_ids=[ACTOR], network=None, since=since, until=until
        ),
        f"breach scope: network {NETWORK}, 30 days": reports.breach_scope_query(
            actor_ids=None, network=NETWORK, since=since, until=until
        ),
    }


def _report_queries(report) -> None:
    assert SMALL < LARGE, "BENCH_AUDIT_EVENTS is SMALL,LARGE"
    per_day = LARGE / RETENTION_DAYS
    small_days = SMALL / per_day
    with _scratch_database():
        _generate(300, ending_days=0, days=30, students=1, first_student=NEW_STUDENT)
        _generate(SMALL, ending_days=0, days=small_days, students=STUDENTS)
        small = {name: _measure(query) for name, query in _queries().items()}
        _generate(LARGE - SMALL, ending_days=small_days, days=RETENTION_DAYS - small_days, students=STUDENTS)
        large = {name: _measure(query) for name, query in _queries().items()}
        print(f"   {LARGE:,} events ({per_day:,.0f} a day over {RETENTION_DAYS} days) vs the newest {SMALL:,}")
        for name, (seconds, rows, plan) in large.items():
            small_seconds, small_rows, _ = small[name]
            report(f"{name} ({rows:,} vs {small_rows:,} rows)", seconds, small_seconds, note="goal ≤ 2x")
            _print_plan(plan)


def run(report):
    ensure_bench_district()
    _recording_overhead(report)
    _report_queries(report)
