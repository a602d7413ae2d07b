"""Pages: median server time of the profile, roster, home, dashboards and notes search, as ratios to a trivial page.

Measured with Django's test Client (the whole middleware stack, audit recording included, no
network) on the benchmark district. The profile is of a student given six school years of
history; the roster is a whole school (about 600 students at 50,000). Goals: profile ≤ 3×,
roster ≤ 10× the trivial page; the school dashboards and the notes search (a POST, as people send it)
are reported beside them. Everything this adds (history, audit rows) is rolled back.
"""

import datetime
import statistics
import time

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from benchmarks.clients import cast_student, serving_pages, signed_in
from benchmarks.district import ensure_bench_district
from educators.models import Educator
from students.demo import cast
from students.models import Absence, DisciplineIncident, EventNote, School, StarResult, Student, Tardy
from students.tasks import refresh_absence_summary

ROUNDS = 15
# Past a prepared statement's first runs (PostgreSQL plans each of its first five for their values
# before it keeps one plan): the steady state a worker serves.
WARM_UP = 7
EXTRA_HISTORY_YEARS = 2  # on top of the generator's four: six school years in all


def median_seconds(client: Client, url: str, post: dict | None = None) -> float:
    """The median time of GET url, or of POSTing `post` to it."""

    def fetch():
        return client.get(url) if post is None else client.post(url, post)

    for _ in range(WARM_UP):
        assert fetch().status_code == 200, url
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = fetch()
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, url
    return statistics.median(timings)


def _add_older_history(student: Student, author: Educator) -> None:
    """Two more school years before the generated four: attendance, notes, incidents, STAR."""
    first = min(Absence.objects.filter(student=student).values_list("occurred_on", flat=True), default=None)
    first = first or timezone.localdate()
    days = [first - datetime.timedelta(days=offset) for offset in range(1, 365 * EXTRA_HISTORY_YEARS, 3)]
    moments = [timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))) for day in days]
    Absence.objects.bulk_create(Absence(student=student, occurred_on=day) for day in days[::4])
    Tardy.objects.bulk_create(Tardy(student=student, occurred_on=day) for day in days[1::4])
    EventNote.objects.bulk_create(
        EventNote(student=student, author=author, note_type="sst", text="Checked in.", recorded_at=moment)
        for moment in moments[::6]
    )
    DisciplineIncident.objects.bulk_create(
        DisciplineIncident(student=student, incident_code="Disruption", occurred_at=moment) for moment in moments[::20]
    )
    StarResult.objects.bulk_create(
        StarResult(student=student, subject="Math", taken_at=moment, percentile_rank=50) for moment in moments[::40]
    )


def run(report):
    ensure_bench_district()
    with serving_pages(), transaction.atomic():
        baker = School.objects.get(local_id=cast.BAKER)
        principal = signed_in("principal.baker")
        teacher = signed_in("teacher.5")
        district = signed_in("district")
        mateo = cast_student("mateo")
        _add_older_history(mateo, Educator.objects.get(email=f"counselor.baker@{cast.EMAIL_DOMAIN}"))
        # What the queue's job does after absences are written: the home pages read a current summary.
        refresh_absence_summary(timestamp=int(time.time()))

        trivial = median_seconds(principal, reverse("account_change_password"))
        report("trivial signed-in page (change password)", trivial)
        profile = reverse("students:profile", args=[mateo.pk])
        report("profile, 6 years of history, homeroom teacher", median_seconds(teacher, profile), trivial, "goal ≤ 3x")
        report(
            "profile, principal (with who-has-access panel)", median_seconds(principal, profile), trivial, "goal ≤ 3x"
        )
        report(
            "profile, principal, every year shown",
            median_seconds(principal, profile + "?history=all"),
            trivial,
            note="goal ≤ 3x",
        )
        roster_size = Student.objects.filter(school=baker, enrollment_status="Active").count()
        roster = reverse("students:school_roster", args=[baker.pk])
        report(f"school roster, {roster_size} students", median_seconds(principal, roster), trivial, note="goal ≤ 10x")
        report(
            "school roster sorted by absences",
            median_seconds(principal, roster + "?sort=absences"),
            trivial,
            note="goal ≤ 10x",
        )
        report("home, schoolwide principal", median_seconds(principal, reverse("students:home")), trivial)
        report(
            f"home, districtwide ({Student.objects.count():,} students)",
            median_seconds(district, reverse("students:home")),
            trivial,
        )
        for measure in ("absences", "tardies", "discipline"):
            dashboard = reverse(f"students:{measure}_dashboard", args=[baker.pk])
            report(f"{measure} dashboard, one school, principal", median_seconds(principal, dashboard), trivial)
        report("district page, districtwide", median_seconds(district, reverse("students:district")), trivial)
        search = reverse("students:note_search")
        for key, client in (("principal", principal), ("districtwide", district)):
            seconds = median_seconds(client, search, post={"q": "family attendance"})
            report(f"notes search, {key}", seconds, trivial)
        transaction.set_rollback(True)
