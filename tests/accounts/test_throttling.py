"""Sign-in throttling on the shared cache: per address, per (account, network) and an account ceiling.

Sliding windows, no permanent lockout, and no lockout of the owner by a stranger on another network.
"""

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from audit.models import SignInEvent
from educators.throttling import network_of
from tests.accounts.helpers import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts. Try again later."
SCHOOL_NAT = {"REMOTE_ADDR": "198.51.100.7"}
WRONG = "a wrong guess"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip,4/5m/key"}
    settings.SIGNIN_ACCOUNT_FAILURE_CEILING = 20
    settings.SIGNIN_ACCOUNT_DELAY_SECONDS = 30


class Clock:
    """A wall clock the test moves by hand (the rate limits read time.time())."""

    def __init__(self):
        self.now = time.time()

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(time, "time", lambda: fake.now)
    return fake


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


def test_guesses_from_addresses_of_one_network_share_its_allowance(teacher):
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


@pytest.mark.parametrize(
    ("ip", "network"),
    [("198.51.100.7", "198.51.100.0/24"), ("2001:db8:1:ab12:5::9", "2001:db8:1:ab00::/56")],
)
def test_a_network_is_the_ipv4_slash_24_or_the_ipv6_slash_56(ip, network):
    assert network_of(ip) == network


def test_a_stranger_guessing_every_three_seconds_from_one_network_does_not_keep_the_owner_out(teacher, clock, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "30/m/ip,5/5m/key"}
    attacker = {"REMOTE_ADDR": "198.51.100.7"}
    owner_signed_in = []
    for second in range(0, 390, 3):  # 6.5 minutes of one wrong password every 3 seconds
        attempt = sign_in(Client(), teacher.email, "a wrong guess", **attacker)
        assert attempt.status_code == 200
        if second % 30 == 0:  # the owner signs in from home every half minute meanwhile
            owner = Client()
            sign_in(owner, teacher.email, REMOTE_ADDR="203.0.113.50")
            owner_signed_in.append(owner.session.get("_auth_user_id") == str(teacher.pk))
        clock.advance(3)
    assert owner_signed_in == [True] * 13
    checked = SignInEvent.objects.filter(identity=teacher.email, reason="wrong_password").count()
    refused = SignInEvent.objects.filter(identity=teacher.email, reason="rate_limited").count()
    assert checked <= 10  # five per five minutes reach the password check; the other guesses are refused
    assert checked + refused == 130


def test_the_account_ceiling_stops_guesses_spread_over_many_networks_with_a_growing_delay(teacher, clock):
    def guess_from(network: int, password: str = WRONG):
        return sign_in(Client(), teacher.email, password, REMOTE_ADDR=f"192.0.{network}.10")

    for network in range(20):  # one guess from each of 20 networks reaches the ceiling
        assert TOO_MANY not in guess_from(network).content.decode()
        clock.advance(1)
    # Past the ceiling even the right password from a fresh network waits 30 s after the last failure.
    assert TOO_MANY in guess_from(100, PASSWORD).content.decode()
    waits = []
    for step in range(4):
        waited = 0
        while TOO_MANY in guess_from(101 + step).content.decode():
            clock.advance(5)
            waited += 5
        waits.append(waited)
    assert waits == [30, 60, 120, 240]  # each further failure doubles the wait
    for network in range(110, 115):  # refused attempts do not count, so they do not stretch the wait
        assert TOO_MANY in guess_from(network).content.decode()
    clock.advance(480)
    owner = Client()
    assert sign_in(owner, teacher.email, REMOTE_ADDR="203.0.113.50").status_code == 302


def test_the_account_ceiling_forgets_failures_older_than_its_window(teacher, clock, settings):
    for network in range(20):
        sign_in(Client(), teacher.email, "a wrong guess", REMOTE_ADDR=f"192.0.{network}.10")
    clock.advance(settings.SIGNIN_ACCOUNT_FAILURE_WINDOW_SECONDS + 1)
    owner = Client()
    assert sign_in(owner, teacher.email, REMOTE_ADDR="203.0.113.50").status_code == 302


def test_resetting_the_password_lets_the_owner_past_the_account_ceiling(teacher, clock):
    for network in range(20):
        sign_in(Client(), teacher.email, WRONG, REMOTE_ADDR=f"192.0.{network}.10")
    owner = Client(REMOTE_ADDR="203.0.113.50")
    assert TOO_MANY in sign_in(owner, teacher.email).content.decode()
    owner.post(reverse("account_reset_password"), {"email": teacher.email})
    link = re.search(r"http://testserver(/\S+)", mail.outbox[-1].body).group(1)
    landing = owner.get(link)
    owner.post(landing.url, {"password1": "maple syrup lantern quartz", "password2": "maple syrup lantern quartz"})
    assert sign_in(owner, teacher.email, "maple syrup lantern quartz").status_code == 302
