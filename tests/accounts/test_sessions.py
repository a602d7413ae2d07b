"""Sessions end on the server: idle timeout, absolute lifetime, sign-out elsewhere, and a password change."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from educators.middleware import LAST_ACTIVITY, SIGNED_IN_AT
from tests.accounts.helpers import LOGIN_URL, PASSWORD, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a different horse battery staple"


@pytest.fixture(params=["db", "cached_db"])
def session_engine(request, settings):
    """Sessions as database rows, and as production keeps them beside Redis: read from a cache shared by
    every process (here one process's memory), written through to the database."""
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{request.param}"
    if request.param == "cached_db":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return request.param


def shift_session(client, key: str, seconds: float) -> None:
    """Move one of the session's clocks into the past, as if that much time had gone by."""
    session = client.session
    session[key] -= seconds
    session.save()


def test_a_signed_in_page_knows_how_long_the_session_has_left(client, teacher, settings):
    sign_in(client, teacher.email)
    response = client.get(reverse("students:home"))
    idle_limit = settings.SESSION_IDLE_TIMEOUT_SECONDS
    assert idle_limit - 5 <= response.context["session_seconds_remaining"] <= idle_limit


def test_thirty_idle_minutes_sign_the_educator_out_on_the_server(client, teacher, settings, session_engine):
    sign_in(client, teacher.email)
    session_key = client.session.session_key
    shift_session(client, LAST_ACTIVITY, settings.SESSION_IDLE_TIMEOUT_SECONDS + 1)
    response = client.get(reverse("students:my_students"))
    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next={reverse('students:my_students')}"
    assert not Session.objects.filter(session_key=session_key).exists()
    page = client.get(response.url)
    assert "You were signed out after 30 minutes without activity." in page.content.decode()


def test_activity_keeps_the_session_alive_short_of_the_idle_limit(client, teacher, settings):
    sign_in(client, teacher.email)
    shift_session(client, LAST_ACTIVITY, settings.SESSION_IDLE_TIMEOUT_SECONDS - 120)
    assert client.get(reverse("students:home")).status_code == 200
    assert client.get(reverse("students:home")).context["session_seconds_remaining"] > 1700


def test_the_absolute_lifetime_ends_even_a_busy_session(client, teacher, settings):
    sign_in(client, teacher.email)
    session_key = client.session.session_key
    shift_session(client, SIGNED_IN_AT, settings.SESSION_COOKIE_AGE + 1)
    response = client.get(reverse("students:home"))
    assert response.url.startswith(LOGIN_URL)
    assert not Session.objects.filter(session_key=session_key).exists()
    assert "sessions last at most 12 hours" in client.get(response.url).content.decode()


def test_near_the_end_of_the_lifetime_the_remaining_time_is_what_is_left_of_it(client, teacher, settings):
    sign_in(client, teacher.email)
    shift_session(client, SIGNED_IN_AT, settings.SESSION_COOKIE_AGE - 300)
    assert client.get(reverse("students:home")).context["session_seconds_remaining"] <= 300


def test_an_educator_sees_their_other_sessions_and_can_end_them(teacher, session_engine):
    laptop, shared_computer = Client(HTTP_USER_AGENT="Laptop"), Client(HTTP_USER_AGENT="Library PC")
    sign_in(laptop, teacher.email)
    sign_in(shared_computer, teacher.email)
    page = laptop.get(reverse("usersessions_list"))
    assert "Library PC" in page.content.decode()
    laptop.post(reverse("usersessions_list"))
    assert shared_computer.get(reverse("students:home")).status_code == 302
    assert laptop.get(reverse("students:home")).status_code == 200


def test_changing_the_password_ends_every_session(teacher, session_engine):
    laptop, shared_computer = Client(), Client()
    sign_in(laptop, teacher.email)
    sign_in(shared_computer, teacher.email)
    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not UserSession.objects.filter(user=teacher).exists()
    assert Session.objects.count() <= 1  # at most the laptop's fresh anonymous session
    assert shared_computer.get(reverse("students:home")).status_code == 302
    assert laptop.get(reverse("students:home")).status_code == 302


def test_the_session_list_learns_of_activity_once_a_minute_not_on_every_request(client, teacher):
    sign_in(client, teacher.email, REMOTE_ADDR="192.0.2.10")
    signed_in_row = UserSession.objects.get(user=teacher)
    with CaptureQueriesContext(connection) as quiet:
        assert client.get(reverse("students:home"), REMOTE_ADDR="198.51.100.7").status_code == 200
    assert not [query for query in quiet.captured_queries if "usersessions_usersession" in query["sql"]]
    assert UserSession.objects.get(user=teacher).last_seen_at == signed_in_row.last_seen_at

    shift_session(client, LAST_ACTIVITY, 61)
    client.get(reverse("students:home"), REMOTE_ADDR="198.51.100.7")
    seen = UserSession.objects.get(user=teacher)
    assert seen.last_seen_at > signed_in_row.last_seen_at
    assert seen.ip == "198.51.100.7"  # a session used from elsewhere shows the new address in the list


def test_beside_a_shared_cache_a_page_reads_its_session_without_a_query(client, teacher, session_engine):
    sign_in(client, teacher.email)
    client.get(reverse("students:home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("students:home")).status_code == 200
    session_reads = [query for query in queries.captured_queries if '"django_session"' in query["sql"]]
    assert len(session_reads) == (0 if session_engine == "cached_db" else 1)
