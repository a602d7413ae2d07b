"""Sign-in throttling on the shared cache: per address and per account, sliding windows, no permanent lockout."""

import time

import pytest
from django.test import Client

from audit.models import SignInEvent
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts. Try again later."
SCHOOL_NAT = {"REMOTE_ADDR": "198.51.100.7"}


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip,4/5m/key"}


def test_the_failure_after_the_per_address_limit_is_refused_across_separate_clients(teacher):
    first_browser, second_browser = Client(), Client()
    sign_in(first_browser, "a@school.example", "wrong password one", **SCHOOL_NAT)
    sign_in(first_browser, "b@school.example", "wrong password two", **SCHOOL_NAT)
    sign_in(second_browser, "c@school.example", "wrong password three", **SCHOOL_NAT)
    refused = sign_in(second_browser, teacher.email, **SCHOOL_NAT)  # even the right password now waits
    assert TOO_MANY in refused.content.decode()
    assert "_auth_user_id" not in second_browser.session
    assert SignInEvent.objects.filter(reason="rate_limited", identity=teacher.email, educator_id=teacher.pk).exists()


def test_another_address_is_not_blocked_by_someone_elses_failures(teacher):
    for attempt in range(4):
        sign_in(Client(), f"x{attempt}@school.example", "wrong password", **SCHOOL_NAT)
    elsewhere = Client()
    response = sign_in(elsewhere, teacher.email, REMOTE_ADDR="203.0.113.50")
    assert response.status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(teacher.pk)


def test_the_address_is_the_one_herokus_router_appended_to_x_forwarded_for(teacher):
    router = {"REMOTE_ADDR": "10.1.2.3"}
    for attempt in range(3):
        sign_in(Client(), f"x{attempt}@school.example", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7", **router)
    # A forged left-hand entry does not escape the limit; a different real address is not blocked by it.
    forged = sign_in(Client(), teacher.email, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7", **router)
    assert TOO_MANY in forged.content.decode()
    other = sign_in(Client(), teacher.email, HTTP_X_FORWARDED_FOR="203.0.113.50", **router)
    assert other.status_code == 302


def test_one_account_is_limited_whichever_addresses_the_guesses_come_from(teacher):
    for attempt in range(4):
        sign_in(Client(), teacher.email, f"guess {attempt}", REMOTE_ADDR=f"203.0.113.{attempt + 1}")
    refused = sign_in(Client(), teacher.email, REMOTE_ADDR="203.0.113.99")
    assert TOO_MANY in refused.content.decode()


def test_the_limits_are_windows_that_pass_not_permanent_lockouts(teacher, monkeypatch):
    for attempt in range(4):
        sign_in(Client(), teacher.email, f"guess {attempt}", **SCHOOL_NAT)
    assert TOO_MANY in sign_in(Client(), teacher.email, **SCHOOL_NAT).content.decode()
    later = time.time() + 5 * 60 + 1
    monkeypatch.setattr("allauth.core.internal.ratelimit.time.time", lambda: later)
    assert sign_in(Client(), teacher.email, **SCHOOL_NAT).status_code == 302
