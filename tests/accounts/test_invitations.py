"""Invitations: the account exists without a password until the educator uses a one-time, expiring link."""

import datetime
import re
from io import StringIO

import pytest
from allauth.account.forms import default_token_generator
from django.contrib.admin.sites import site as admin_site
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import mail
from django.core.management import CommandError, call_command

from educators.admin_actions import send_invitations
from educators.models import Educator
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "maple syrup lantern quartz"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://insights.district.example"


def invite(*args) -> str:
    out = StringIO()
    call_command("invite_educator", *args, stdout=out)
    return out.getvalue()


def emailed_link() -> str:
    link = re.search(r"https://insights\.district\.example(\S+)", mail.outbox[-1].body).group(1)
    return link


def choose_password(client, link: str):
    """Follow the emailed link as a browser does (allauth moves the key into the session) and set a password."""
    landing = client.get(link)
    if landing.status_code != 302:
        return landing
    return client.post(landing.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def test_the_command_creates_an_account_without_a_password_and_emails_a_link(school):
    output = invite("Nora.Quinn@School.example", "--name", "Nora Quinn", "--school", "BAK")
    educator = Educator.objects.get(email="nora.quinn@school.example")
    assert educator.full_name == "Nora Quinn"
    assert educator.home_school == school
    assert not educator.has_usable_password()
    assert mail.outbox[0].to == ["nora.quinn@school.example"]
    assert "expires in 3 days" in mail.outbox[0].body
    assert "nora.quinn@school.example" in output
    assert emailed_link() not in output  # the link is a secret for the educator alone


def test_the_link_sets_the_password_once_and_then_signs_in_works(client):
    invite("nora@school.example", "--name", "Nora Quinn")
    link = emailed_link()
    assert choose_password(client, link).status_code == 302
    assert sign_in(client, "nora@school.example", NEW_PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    reused = choose_password(client, link)
    assert "This link no longer works" in reused.content.decode()


def test_an_expired_link_does_not_work(client, monkeypatch, settings):
    invite("nora@school.example", "--name", "Nora Quinn")
    link = emailed_link()
    later = datetime.datetime.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    assert "This link no longer works" in choose_password(client, link).content.decode()
    assert not Educator.objects.get(email="nora@school.example").has_usable_password()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["teacher@school.example", "--name", "Again"], "already exists"),
        (["not-an-email", "--name", "Someone"], "Enter a valid email address."),
        (["new@school.example", "--name", "   "], "full name is required"),
        (["new@school.example", "--name", "Someone", "--school", "NOPE"], "No school has the SIS local id 'NOPE'"),
    ],
)
def test_bad_input_is_a_clear_error_and_creates_nothing(teacher, args, message):
    with pytest.raises(CommandError, match=message):
        invite(*args)
    assert Educator.objects.count() == 1
    assert mail.outbox == []


def test_when_the_mail_server_cannot_be_reached_no_account_is_created(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    with pytest.raises(CommandError, match="Could not send the invitation email, so no account was created"):
        invite("new@school.example", "--name", "Someone")
    assert not Educator.objects.filter(email="new@school.example").exists()


def test_the_command_needs_to_know_the_sites_address(settings):
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="SITE_URL must be set"):
        invite("new@school.example", "--name", "Someone")


def test_the_admin_action_emails_active_educators_and_skips_inactive_ones(rf, teacher, settings):
    settings.ALLOWED_HOSTS = ["insights.district.example"]
    invited = Educator.objects.create_user("invited@school.example", None, full_name="Ivy Invited")
    gone = Educator.objects.create_user("gone@school.example", None, full_name="Gail Gone", is_active=False)
    request = rf.post("/admin/educators/educator/", HTTP_HOST="insights.district.example", secure=True)
    request.user = Educator.objects.create_superuser("admin@school.example", "x" * 20, full_name="Avery Admin")
    request._messages = CookieStorage(request)
    queryset = Educator.objects.filter(pk__in=[invited.pk, gone.pk])
    send_invitations(admin_site._registry[Educator], request, queryset)
    assert [message.to for message in mail.outbox] == [["invited@school.example"]]
    assert "https://insights.district.example/accounts/password/reset/key/" in mail.outbox[0].body
    assert [str(message) for message in request._messages._queued_messages] == [
        "Emailed 1 invitation link(s).",
        "Skipped 1 inactive educator(s).",
    ]


def test_the_admin_action_reports_the_addresses_it_could_not_email(rf, settings):
    settings.ALLOWED_HOSTS = ["insights.district.example"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    invited = Educator.objects.create_user("invited@school.example", None, full_name="Ivy Invited")
    request = rf.post("/admin/educators/educator/", HTTP_HOST="insights.district.example", secure=True)
    request._messages = CookieStorage(request)
    send_invitations(admin_site._registry[Educator], request, Educator.objects.filter(pk=invited.pk))
    assert [str(message) for message in request._messages._queued_messages] == [
        "Emailed 0 invitation link(s).",
        "Could not email: invited@school.example.",
    ]
