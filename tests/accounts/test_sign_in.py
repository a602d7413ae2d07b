"""Signing in by email and password through allauth: one generic failure, nothing to learn about who has an account."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from audit.models import SignInEvent
from educators.models import Educator
from tests.accounts.helpers import LOGIN_URL, PASSWORD, sign_in

pytestmark = pytest.mark.django_db

GENERIC_FAILURE = "The email address and/or password you specified are not correct."


def normalized(response, typed_email: str) -> str:
    """The page with the per-response CSRF token and the echoed email taken out."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html.replace(typed_email, "EMAIL")


def test_an_educator_signs_in_with_email_and_password(client, teacher):
    response = sign_in(client, "Teacher@School.example")
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").context["user"] == teacher


def test_a_wrong_password_is_refused_with_the_generic_message(client, teacher):
    response = sign_in(client, teacher.email, "not the password at all")
    assert response.status_code == 200
    assert GENERIC_FAILURE in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_email_gets_exactly_the_same_page_as_a_wrong_password(client, teacher):
    wrong_password = sign_in(client, teacher.email, "not the password at all")
    unknown_email = sign_in(client, "nobody@school.example", "not the password at all")
    assert unknown_email.status_code == wrong_password.status_code == 200
    assert normalized(unknown_email, "nobody@school.example") == normalized(wrong_password, teacher.email)


def test_an_inactive_educator_cannot_sign_in_and_learns_nothing_more(client, teacher):
    teacher.is_active = False
    teacher.save()
    inactive = sign_in(client, teacher.email)
    unknown_email = sign_in(client, "nobody@school.example", "not the password at all")
    assert "_auth_user_id" not in client.session
    assert normalized(inactive, teacher.email) == normalized(unknown_email, "nobody@school.example")


def test_an_invited_educator_without_a_password_yet_cannot_sign_in(client):
    invited = Educator.objects.create_user("new@school.example", None, full_name="Nora New")
    response = sign_in(client, invited.email, "")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_nobody_can_sign_up(client):
    response = client.post(reverse("account_signup"), {"email": "me@school.example", "password1": PASSWORD})
    assert not Educator.objects.filter(email="me@school.example").exists()
    assert "Sign Up Closed" in response.content.decode()


def test_the_sign_in_form_offers_no_remember_me_and_no_sign_up_link(client):
    html = client.get(LOGIN_URL).content.decode()
    assert 'name="remember"' not in html
    assert reverse("account_signup") not in html
    assert '<label for="id_login">Email address</label>' in html
    assert '<label for="id_password">Password</label>' in html


def test_a_password_reset_request_answers_the_same_for_known_and_unknown_emails(client, teacher):
    known = client.post(reverse("account_reset_password"), {"email": teacher.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@school.example"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert sorted(message.to[0] for message in mail.outbox) == ["nobody@school.example", teacher.email]


def test_every_attempt_is_recorded_with_the_identity_typed_the_reason_the_address_and_the_browser(client, teacher):
    browser = {"HTTP_USER_AGENT": "TestBrowser/1.0", "REMOTE_ADDR": "198.51.100.20"}
    sign_in(client, "nobody@school.example", "whatever it is", **browser)
    sign_in(client, teacher.email, "not the password at all", **browser)
    sign_in(client, teacher.email, **browser)
    events = list(SignInEvent.objects.order_by("id").values("identity", "educator_id", "succeeded", "reason"))
    assert events == [
        {"identity": "nobody@school.example", "educator_id": None, "succeeded": False, "reason": "unknown_account"},
        {"identity": teacher.email, "educator_id": teacher.pk, "succeeded": False, "reason": "wrong_password"},
        {"identity": teacher.email, "educator_id": teacher.pk, "succeeded": True, "reason": "password"},
    ]
    assert set(SignInEvent.objects.values_list("client_ip", "user_agent")) == {("198.51.100.20", "TestBrowser/1.0")}


def test_an_inactive_educators_attempt_is_recorded_as_inactive(client, teacher):
    teacher.is_active = False
    teacher.save()
    sign_in(client, teacher.email)
    assert SignInEvent.objects.get().reason == "inactive"


def test_signing_out_ends_the_session_on_the_server_and_is_recorded(client, teacher):
    sign_in(client, teacher.email)
    session_key = client.session.session_key
    assert Session.objects.filter(session_key=session_key).exists()
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()
    sign_out = SignInEvent.objects.filter(kind=SignInEvent.Kind.SIGN_OUT).get()
    assert sign_out.educator_id == teacher.pk
    assert client.get("/").status_code == 302


def test_the_throttle_and_the_audit_log_take_the_address_from_the_same_trusted_proxy(client, teacher, settings):
    # Both read allauth's account adapter (its throttles key on get_client_ip; so does audit.events.client_ip).
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2  # a CDN in front of the router
    sign_in(client, teacher.email, "not the password at all", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    # A request that skipped the CDN carries one entry: the address the router saw, not an error page.
    response = sign_in(client, teacher.email, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert response.status_code == 302
    assert list(SignInEvent.objects.order_by("id").values_list("client_ip", flat=True)) == [
        "203.0.113.9",
        "198.51.100.8",
    ]
