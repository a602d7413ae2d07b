"""Errors raised in real views while showing students reach Sentry with no student data in them.

Each test drives a request through Django's middleware (including ScrubbingMiddleware) into a
test-only view that remembers every seeded student, as the selectors do, and then fails. The real
sentry-sdk builds the event; the in-memory transport shows exactly what would leave the process.
"""

from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from tests.security.conftest import leaked_values

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("privacy_stack")]


def fail_request(path: str, educator) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(educator)
    assert client.get(path).status_code == 500


def the_error_event(transport) -> dict:
    events = [event for event in transport.events() if event.get("exception")]
    assert len(events) == 1
    return events[0]


def assert_useful_and_clean(event: dict, *, exception_type: str, route: str) -> None:
    exception = event["exception"]["values"][-1]
    assert exception["type"] == exception_type
    frames = exception["stacktrace"]["frames"]
    assert frames
    assert all(frame["filename"] and frame["function"] and frame["lineno"] for frame in frames)
    assert not any("vars" in frame for frame in frames)
    assert any(frame["filename"].endswith("tests/security/urls.py") for frame in frames)
    assert event["transaction"] == route
    assert event["request"]["url"].endswith(route)
    assert event["tags"]["district"] == "wrenfield"
    assert event["tags"]["release"] == "0123abcd"


@pytest.mark.parametrize("student_index", [0, 1])
def test_an_integrity_error_quoting_a_students_local_id_is_reported_without_it(
    sentry_transport, seeded_students, educator, student_index
):
    student = seeded_students[student_index]
    fail_request(f"/students/{student.pk}/duplicate/", educator)

    event = the_error_event(sentry_transport)
    assert_useful_and_clean(event, exception_type="IntegrityError", route="/students/<int:student_id>/duplicate/")
    assert "Key (local_id)=([redacted]) already exists" in event["exception"]["values"][-1]["value"]
    assert leaked_values(sentry_transport.serialized(), seeded_students) == []


def test_a_value_error_naming_a_student_is_reported_without_the_name_or_anything_the_view_attached(
    sentry_transport, seeded_students, educator
):
    fail_request(f"/students/{seeded_students[0].pk}/summary/", educator)

    event = the_error_event(sentry_transport)
    assert_useful_and_clean(event, exception_type="ValueError", route="/students/<int:student_id>/summary/")
    assert event["exception"]["values"][-1]["value"] == "Cannot summarise [redacted], born [redacted]"
    assert event["tags"]["student"] == "[redacted]"
    assert any(crumb.get("category") == "tests.security" for crumb in event["breadcrumbs"]["values"])
    assert leaked_values(sentry_transport.serialized(), seeded_students) == []


def test_a_failing_template_rendering_a_student_is_reported_without_the_students_values(
    sentry_transport, seeded_students, educator
):
    fail_request(f"/students/{seeded_students[1].pk}/card/", educator)

    event = the_error_event(sentry_transport)
    assert_useful_and_clean(event, exception_type="NoReverseMatch", route="/students/<int:student_id>/card/")
    assert leaked_values(sentry_transport.serialized(), seeded_students) == []


def test_the_reported_user_is_a_hashed_id_and_a_role_never_a_name_or_email(sentry_transport, seeded_students, educator):
    fail_request(f"/students/{seeded_students[0].pk}/summary/", educator)
    fail_request(f"/students/{seeded_students[1].pk}/card/", educator)

    users = [event["user"] for event in sentry_transport.events() if event.get("exception")]
    assert users[0] == users[1]
    assert set(users[0]) == {"id", "role"}
    assert users[0]["role"] == "counselor"
    assert len(users[0]["id"]) == 16
    assert users[0]["id"] != str(educator.pk)
    serialized = sentry_transport.serialized().lower()
    assert educator.email not in serialized
    assert "holloway" not in serialized


def test_a_report_from_the_wsgi_entry_point_keeps_no_query_string_cookie_or_revealing_header(
    sentry_transport, seeded_students, educator, client, settings
):
    client.force_login(educator)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    environ = {
        "PATH_INFO": f"/students/{seeded_students[0].pk}/summary/",
        "QUERY_STRING": "search=Zebulon+Quarrington&page=2",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={session_cookie}",
        "HTTP_REFERER": "http://testserver/students/?q=Zebulon",
        "HTTP_USER_AGENT": "Mozilla/5.0 (privacy test)",
        "HTTP_X_REQUEST_ID": "req-abc",
    }
    setup_testing_defaults(environ)
    statuses = []
    # Like Django's test client: keep the test's database connection open across the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        b"".join(WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    assert statuses == ["500 Internal Server Error"]
    event = the_error_event(sentry_transport)
    assert event["request"] == {
        "url": "http://testserver/students/<int:student_id>/summary/",
        "method": "GET",
        "headers": {"Host": "testserver", "User-Agent": "Mozilla/5.0 (privacy test)", "X-Request-Id": "req-abc"},
    }
    serialized = sentry_transport.serialized()
    assert "Zebulon" not in serialized
    assert session_cookie not in serialized
    assert event["user"]["role"] == "counselor"
    assert leaked_values(serialized, seeded_students) == []


def test_reports_from_one_route_share_one_transaction_name_and_carry_their_request_ids(
    sentry_transport, seeded_students, educator
):
    client = Client(raise_request_exception=False)
    client.force_login(educator)
    request_ids = ["6f1c2d3e-4a5b-4c6d-8e7f-901234567890", "0a9b8c7d-6e5f-4a3b-9c1d-234567890123"]
    for student, request_id in zip(seeded_students, request_ids, strict=True):
        assert client.get(f"/students/{student.pk}/summary/", HTTP_X_REQUEST_ID=request_id).status_code == 500

    events = [event for event in sentry_transport.events() if event.get("exception")]
    assert [event["transaction"] for event in events] == ["/students/<int:student_id>/summary/"] * 2
    assert [event["tags"]["request_id"] for event in events] == request_ids
