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

``BENCH_PROFILE=1`` also prints where the trivial page's and the profile's time goes, sampled by
pyinstrument (wall time, so waits on the database show as such).
"""

import os
import time
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path, reverse

from benchmarks.clients import cast_student, serving_pages, signed_in
from benchmarks.district import ensure_bench_district

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
    client: Client
    url: str
    goal: str = ""
    cpu: float = float("inf")
    wall: float = float("inf")

    def measure_round(self) -> None:
        """One round of requests; the layer keeps its quickest round's CPU and wall time per request."""
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        for _ in range(REQUESTS_PER_ROUND):
            self.client.get(self.url)
        self.cpu = min(self.cpu, (time.process_time() - cpu_started) / REQUESTS_PER_ROUND)
        self.wall = min(self.wall, (time.perf_counter() - wall_started) / REQUESTS_PER_ROUND)


def _layer(name: str, key: str, url: str, middleware: list[str] | None = None, goal: str = "") -> Layer:
    """A layer signed in as `key`, its client's handler loading `middleware` (default: the whole stack) for good."""
    client = signed_in(key)
    with override_settings(**({} if middleware is None else {"MIDDLEWARE": middleware})):
        for _ in range(WARM_UP):  # the first request loads the handler's middleware
            assert client.get(url).status_code == 200, url
    return Layer(name, client, url, goal)


def _print_profile(layer: Layer) -> None:
    from pyinstrument import Profiler  # a development tool: only when asked for

    profiler = Profiler()
    with profiler:
        for _ in range(PROFILED_REQUESTS):
            layer.client.get(layer.url)
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
        ]
        for _ in range(ROUNDS):
            for layer in layers:
                layer.measure_round()
        bare = layers[0].cpu
        for layer in layers:
            note = f"wall {layer.wall * 1000:6.2f} ms  {1 / layer.cpu:5.0f} per core-second  {layer.goal}"
            report(f"CPU per request: {layer.name}", layer.cpu, bare, note.rstrip())
        if os.environ.get("BENCH_PROFILE"):
            for layer in layers[-2:]:
                _print_profile(layer)
        transaction.set_rollback(True)
