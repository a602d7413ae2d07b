"""A sweep over the whole URL configuration, so a new view cannot forget sign-in, the policy or the recorder.

- Every page outside the public ones (sign-in and the rest of allauth's account pages, the health
  check, the site icon, static files, the admin with its own sign-in) sends an anonymous visitor to sign in.
- Every URL that takes a student, note, service, homeroom, section or school id answers 404 to a
  signed-in educator without access, and records exactly one denied event.
- The same URL, requested by an educator with access, records exactly one event naming the
  student(s) shown or changed.

A new route with an id this sweep does not know fails until it is added to ``ROUTE_OBJECTS``.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit.models import AccessEvent, Outcome
from permissions.policy import visible_students
from students.models import EventNote, Service

LOGIN_URL = reverse("account_login")
PUBLIC_PREFIXES = ("accounts/", "admin/", "healthz", "favicon.ico", "static/")


def all_routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """(route text, view name, parameter names) for every URL pattern, recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_routes(pattern, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, namespace + pattern.name, sorted(pattern.pattern.converters)


APP_ROUTES = [route for route in all_routes() if not route[0].startswith(PUBLIC_PREFIXES)]
# Ids of records that are not a student's (access reviews and their items): who may open those is tested
# with them (tests/permissions/test_access_review_pages.py); here they only send anonymous visitors to sign in.
OTHER_ID_PARAMS = {"review_id", "item_id"}
ROUTES_WITH_IDS = [route for route in APP_ROUTES if route[2] and not set(route[2]) & OTHER_ID_PARAMS]


@pytest.fixture
def objects(demo):
    """The rows each id parameter points at, all belonging to Mateo (5-201, Baker K-8) or Noah (BIO-101-3)."""
    mateo = demo.student("mateo")
    district = demo.educator("district")
    note = EventNote.objects.create(
        student=mateo,
        author=district,
        note_type="counselor",
        restricted_text="Family situation, shared in confidence.",
        is_restricted=True,
        recorded_at=timezone.now(),
    )
    service = Service.objects.create(
        student=mateo, service_type="reading_intervention", date_started=timezone.localdate(), recorded_by=district
    )
    return {
        "student_id": mateo.pk,
        "note_id": note.pk,
        "service_id": service.pk,
        "school_id": demo.school("BAK").pk,
        "homeroom_id": demo.homeroom("5-201").pk,
        "section_id": demo.section("BIO-101-3").pk,
        "expected_student": {"homeroom_id": mateo.pk, "section_id": demo.student("noah").pk},
        "review_id": 1,
        "item_id": 1,
    }


def url_for(name: str, params: list[str], objects: dict) -> str:
    unknown = set(params) - set(objects)
    assert not unknown, f"{name} takes {unknown}: add it to the route sweep's objects"
    return reverse(name, kwargs={param: objects[param] for param in params})


def request(client, url: str):
    """GET, or POST for views that only accept POST (their forms' own validation is tested elsewhere)."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def new_events(since: int):
    return list(AccessEvent.objects.filter(pk__gt=since).order_by("pk"))


def last_event_id() -> int:
    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_sweep_covers_the_educator_pages():
    names = {name for _route, name, _params in APP_ROUTES}
    assert {"students:profile", "students:restricted_note", "students:homeroom", "students:section"} <= names
    assert len(ROUTES_WITH_IDS) >= 10


@pytest.mark.parametrize(("route", "name", "params"), APP_ROUTES, ids=[name for _r, name, _p in APP_ROUTES])
def test_every_page_sends_an_anonymous_visitor_to_sign_in(client, objects, route, name, params):
    url = url_for(name, params, objects)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (302, 401, 405), (method.__name__, response.status_code)
        if response.status_code == 302:
            assert response.url.startswith(LOGIN_URL)
    assert any(method(url).status_code in (302, 401) for method in (client.get, client.post))


@pytest.mark.parametrize(("route", "name", "params"), ROUTES_WITH_IDS, ids=[name for _r, name, _p in ROUTES_WITH_IDS])
def test_an_educator_without_access_gets_404_and_one_denied_event(client_for, objects, route, name, params):
    client = client_for("newhire")
    before = last_event_id()
    response = request(client, url_for(name, params, objects))
    assert response.status_code == 404
    events = new_events(before)
    assert [(event.outcome, event.student_ids) for event in events] == [(Outcome.DENIED, [])]


@pytest.mark.parametrize(("route", "name", "params"), ROUTES_WITH_IDS, ids=[name for _r, name, _p in ROUTES_WITH_IDS])
def test_an_educator_with_access_gets_the_page_and_one_event_naming_the_students(
    client_for, objects, route, name, params
):
    client = client_for("district")
    before = last_event_id()
    response = request(client, url_for(name, params, objects))
    assert response.status_code in (200, 302), response.status_code
    events = new_events(before)
    assert len(events) == 1
    event = events[0]
    assert event.outcome == Outcome.OK
    assert event.actor_email == "district@demo.insights.example"
    expected = next((objects["expected_student"][p] for p in params if p in objects["expected_student"]), None)
    expected = expected or objects["student_id"]
    assert expected in event.student_ids


PAGES_WITHOUT_IDS = [route for route in APP_ROUTES if not route[2]]


@pytest.mark.parametrize(
    ("route", "name", "params"), PAGES_WITHOUT_IDS, ids=[name for _r, name, _p in PAGES_WITHOUT_IDS]
)
def test_pages_without_ids_record_at_most_one_event_and_only_visible_students(
    client_for, demo, objects, route, name, params
):
    client = client_for("teacher.5")
    before = last_event_id()
    request(client, url_for(name, params, objects))
    events = new_events(before)
    assert len(events) <= 1
    visible = set(visible_students(demo.educator("teacher.5")).values_list("pk", flat=True))
    for event in events:
        assert set(event.student_ids) <= visible
