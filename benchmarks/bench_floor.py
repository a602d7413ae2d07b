"""The floor: CPU per request of a bare Django view, behind sessions and auth only, and behind the whole stack.

Every page pays for the middleware stack and the site's layout before its own work. This measures,
in one run, a view that only says "ok" with no middleware, the same view behind only Django's
sessions and authentication (signed in), the same view behind the full stack, an empty page in the
site's layout (base.html) behind the full stack, the trivial signed-in page the page ratios divide
by, and the profile. Each is this process's CPU time per request (the database's own time is not
in it) beside the wall time, as a ratio of CPU to the bare view's. Layers are measured in turns,
several rounds each, and each keeps its quickest round, so a neighbour's burst on a shared machine
skews no single layer. Goals: the trivial signed-in page ≤ 3× the bare view; the profile's
throughput per core ≥ 1/3 of the bare view's (CPU ≤ 3×).

Then the parts of the floor, one call each in the same rounds: the session row and the signed-in
educator's row (the two queries sessions and auth make) through the ORM as Django makes them and
by hand-written SQL, the connection health check production runs before a request's first query
(Django's test client skips it), and one URL reversed, as the layout does for each of its links.

``BENCH_PROFILE=1`` also prints where the trivial page's and the profile's time goes, sampled by
pyinstrument (wall time, so waits on the database show as such).
"""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.test.utils import override_settings
from django.urls import include, path, reverse
from django.utils import timezone

from benchmarks.clients import cast_student, serving_pages, signed_in
from benchmarks.district import ensure_bench_district
from educators.models import Educator

ROUNDS = 5
REQUESTS_PER_ROUND = 40
WARM_UP = 20
PROFILED_REQUESTS = 100
SESSIONS_AND_AUTH = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]


def floor(request):
    """Says "ok", after loading the signed-in educator when there is middleware to do it: the least a page does."""
    user = getattr(request, "user", None)  # no middleware, no user
    return HttpResponse("ok" if user is None or user.is_authenticated else "signed out", content_type="text/plain")


def empty_page(request):
    """The site's layout with nothing in it: what every signed-in page renders around its content."""
    return render(request, "base.html")


urlpatterns = [path("floor/", floor), path("empty/", empty_page), path("", include("insights.urls"))]


@dataclass
class Layer:
    name: str
    call: Callable[[], object]  # one request (or one part of one)
    goal: str = ""
    cpu: float = float("inf")
    wall: float = float("inf")

    def measure_round(self) -> None:
        """One round of calls; the layer keeps its quickest round's CPU and wall time per call."""
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        for _ in range(REQUESTS_PER_ROUND):
            self.call()
        self.cpu = min(self.cpu, (time.process_time() - cpu_started) / REQUESTS_PER_ROUND)
        self.wall = min(self.wall, (time.perf_counter() - wall_started) / REQUESTS_PER_ROUND)


def _layer(name: str, key: str, url: str, middleware: list[str] | None = None, goal: str = "") -> Layer:
    """A layer signed in as `key`, its client's handler loading `middleware` (default: the whole stack) for good."""
    client = signed_in(key)
    with override_settings(**({} if middleware is None else {"MIDDLEWARE": middleware})):
        for _ in range(WARM_UP):  # the first request loads the handler's middleware
            assert client.get(url).status_code == 200, url
    return Layer(f"CPU per request: {name}", lambda: client.get(url), goal)


def _fetch_one(statement: str, params: list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()


def _health_check() -> None:
    """What CONN_HEALTH_CHECKS runs on the raw connection before a request's first query."""
    assert connection.is_usable()


def _parts(key: str) -> list[Layer]:
    """The floor's parts for a signed-in `key`: its two queries both ways, the health check, one reverse()."""
    session_key = signed_in(key).cookies[settings.SESSION_COOKIE_NAME].value
    educator_id = Educator.objects.get(email__startswith=f"{key}@").pk
    session_sql = "SELECT session_data, expire_date FROM django_session WHERE session_key = %s AND expire_date > %s"
    educator_sql = f"SELECT * FROM {Educator._meta.db_table} WHERE id = %s"  # noqa: S608 (the model's table)
    return [
        Layer(
            "CPU per call: session row, through the ORM",
            lambda: Session.objects.get(session_key=session_key, expire_date__gt=timezone.now()),
        ),
        Layer(
            "CPU per call: session row, hand-written SQL",
            lambda: _fetch_one(session_sql, [session_key, timezone.now()]),
        ),
        Layer("CPU per call: educator row, through the ORM", lambda: Educator.objects.get(pk=educator_id)),
        Layer("CPU per call: educator row, hand-written SQL", lambda: _fetch_one(educator_sql, [educator_id])),
        Layer("CPU per call: health check (production only)", _health_check),
        Layer("CPU per call: one reverse() (the layout makes 11)", lambda: reverse("students:home")),
    ]


def _print_profile(layer: Layer) -> None:
    from pyinstrument import Profiler  # a development tool: only when asked for

    profiler = Profiler()
    with profiler:
        for _ in range(PROFILED_REQUESTS):
            layer.call()
    print(f"\n-- where the time of {PROFILED_REQUESTS} requests goes: {layer.name}")
    print(profiler.output_text(show_all=False, short_mode=False))


def run(report):
    ensure_bench_district()
    with serving_pages(ROOT_URLCONF=__name__), transaction.atomic():
        mateo = cast_student("mateo")
        layers = [
            _layer("floor view, no middleware", "principal.baker", "/floor/", middleware=[]),
            _layer("floor view, sessions and auth only", "principal.baker", "/floor/", middleware=SESSIONS_AND_AUTH),
            _layer("floor view, the whole middleware stack", "principal.baker", "/floor/"),
            _layer("empty page in the layout, whole stack", "principal.baker", "/empty/"),
            _layer(
                "trivial signed-in page (change password)",
                "principal.baker",
                reverse("account_change_password"),
                goal="goal ≤ 3x",
            ),
            _layer(
                "profile, homeroom teacher",
                "teacher.5",
                reverse("students:profile", args=[mateo.pk]),
                goal="goal ≤ 3x (throughput per core ≥ 1/3)",
            ),
            *_parts("teacher.5"),
        ]
        for _ in range(ROUNDS):
            for layer in layers:
                layer.measure_round()
        bare = layers[0].cpu
        for layer in layers:
            note = f"wall {layer.wall * 1000:6.2f} ms  {1 / layer.cpu:5.0f} per core-second  {layer.goal}"
            report(layer.name, layer.cpu, bare, note.rstrip())
        if os.environ.get("BENCH_PROFILE"):
            for layer in layers[4:6]:  # the trivial page and the profile
                _print_profile(layer)
        transaction.set_rollback(True)
