"""The floor: CPU per request of a bare Django view, behind sessions and auth only, and behind the whole stack.

Every page pays for the middleware stack before its own work. This measures, in one run and in
this process's CPU time (the database's own time is not in it), a view that only says "ok" with
no middleware, the same view behind only Django's sessions and authentication (signed in), the
same view behind the full stack, the trivial signed-in page the page ratios divide by, and the
profile, and prints each as a ratio to the bare view. Goals: the trivial signed-in page ≤ 3× the
bare view; the profile's throughput per core ≥ 1/3 of the bare view's (CPU ≤ 3×).
"""

import time

from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path, reverse

from benchmarks.clients import cast_student, serving_pages, signed_in
from benchmarks.district import ensure_bench_district

ROUNDS = 200
WARM_UP = 20
SESSIONS_AND_AUTH = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]


def floor(request):
    """Says "ok", after loading the signed-in educator when there is middleware to do it: the least a page does."""
    user = getattr(request, "user", None)  # no middleware, no user
    return HttpResponse("ok" if user is None or user.is_authenticated else "signed out", content_type="text/plain")


urlpatterns = [path("floor/", floor), path("", include("insights.urls"))]


def cpu_per_request(client: Client, url: str) -> float:
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200, url
    started = time.process_time()
    for _ in range(ROUNDS):
        client.get(url)
    return (time.process_time() - started) / ROUNDS


def _client(key: str) -> Client:
    """A signed-in client whose handler loads the middleware in force now (at its first request)."""
    client = signed_in(key)
    client.get("/healthz")
    return client


def run(report):
    ensure_bench_district()
    with serving_pages(ROOT_URLCONF=__name__), transaction.atomic():
        with override_settings(MIDDLEWARE=[]):
            bare = cpu_per_request(_client("principal.baker"), "/floor/")
        with override_settings(MIDDLEWARE=SESSIONS_AND_AUTH):
            sessions_and_auth = cpu_per_request(_client("principal.baker"), "/floor/")
        full = _client("principal.baker")
        teacher = _client("teacher.5")
        mateo = cast_student("mateo")
        figures = [
            ("floor view, no middleware", bare, ""),
            ("floor view, sessions and auth only", sessions_and_auth, ""),
            ("floor view, the whole middleware stack", cpu_per_request(full, "/floor/"), ""),
            (
                "trivial signed-in page (change password)",
                cpu_per_request(full, reverse("account_change_password")),
                "goal ≤ 3x",
            ),
            (
                "profile, homeroom teacher",
                cpu_per_request(teacher, reverse("students:profile", args=[mateo.pk])),
                "goal ≤ 3x (throughput per core ≥ 1/3)",
            ),
        ]
        for name, seconds, goal in figures:
            report(f"CPU per request: {name}", seconds, bare, f"{1 / seconds:.0f} per core-second  {goal}".rstrip())
        transaction.set_rollback(True)
