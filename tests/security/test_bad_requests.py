"""A form in an encoding other than UTF-8 gets one plain 400, no traceback and no error report.

Before, Django refused such a body only when the CSRF check first read request.POST, and its 400
handler read the body again inside every middleware layer: one anonymous request made about 18
error reports and ended in a 500. Sent through the WSGI entry point with the full middleware and
the real sentry-sdk sending to memory.
"""

import io
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from insights.middleware import UTF8RequestsOnly

pytestmark = pytest.mark.django_db

CSRF_TOKEN = "k" * 32


def post_through_wsgi(path: str, body: bytes, content_type: str, cookie: str = "") -> tuple[str, bytes]:
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookie,
    }
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO(body)
    statuses = []
    # Like Django's test client: keep the test's database connection open across the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        application = UTF8RequestsOnly(WSGIHandler())  # as insights/wsgi.py serves it
        page = b"".join(application(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return statuses[0], page


@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "base64", "rot13", "bogus-charset", "UTF-7"])
@pytest.mark.parametrize("path", ["/search/?q=Zebulon+Quarrington", "/accounts/login/"])
def test_a_form_declaring_another_charset_answers_400_with_no_error_report(sentry_transport, settings, path, charset):
    body = f"q=Zebulon+Quarrington&login=z.q%40familymail.example&csrfmiddlewaretoken={CSRF_TOKEN}".encode()

    status, page = post_through_wsgi(
        path,
        body,
        f"application/x-www-form-urlencoded; charset={charset}",
        cookie=f"{settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}",
    )

    assert status == "400 Bad Request"
    assert b"forms must be sent as UTF-8" in page
    assert sentry_transport.events() == []


def test_a_multipart_form_or_other_body_declaring_another_charset_answers_400_too(sentry_transport, caplog):
    body = b'--b\r\nContent-Disposition: form-data; name="q"\r\n\r\nZebulon\r\n--b--\r\n'

    multipart, _page = post_through_wsgi("/search/", body, "multipart/form-data; boundary=b; charset=utf-16")
    text, _page = post_through_wsgi("/search/?q=Zebulon", b"Zebulon", "text/plain; charset=base64")

    assert multipart == text == "400 Bad Request"
    assert sentry_transport.events() == []
    assert "Refused a POST request declaring a charset other than UTF-8" in caplog.messages
    assert "Zebulon" not in caplog.text


def test_a_utf_8_form_is_read_as_before(sentry_transport, settings):
    status, _page = post_through_wsgi(
        "/search/",
        f"q=Zebulon&csrfmiddlewaretoken={CSRF_TOKEN}".encode(),
        "application/x-www-form-urlencoded; charset=UTF-8",
        cookie=f"{settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}",
    )

    assert status == "302 Found"  # past the CSRF check, on to sign-in
    assert sentry_transport.events() == []


def test_a_body_django_refuses_to_parse_gets_the_400_page_once_not_a_cascade(sentry_transport, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    body = f"a=1&b=2&c=3&d=4&csrfmiddlewaretoken={CSRF_TOKEN}".encode()

    status, page = post_through_wsgi(
        "/accounts/login/",
        body,
        "application/x-www-form-urlencoded",
        cookie=f"{settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}",
    )

    assert status == "400 Bad Request"
    assert b"This request could not be read" in page
    # One report, from Django's security logger; before, the handler's own re-read made a cascade.
    [event] = sentry_transport.events()
    assert event["logger"] == "django.security.TooManyFieldsSent"
