"""A privileged educator's first sign-in in a real browser: open the enrolment link, set up TOTP, sign out, sign in
again with a code."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission
from django.core import mail
from playwright.sync_api import expect

from audit.models import GrantChangeEvent, SignInEvent
from educators.enrolment import enrolment_link_issue
from educators.models import Educator
from permissions.models import SchoolGrant
from students.models import School
from tests.accounts.helpers import PASSWORD, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def principal():
    school = School.objects.create(local_id="BAK", name="Baker K-8", school_type="K8")
    educator = Educator.objects.create_user("principal@school.example", PASSWORD, full_name="Priya Natarajan")
    SchoolGrant.objects.create(
        user=educator, permission=Permission.objects.get(codename="view_school_students"), content_object=school
    )
    return educator


def sign_in_with_password(page):
    """Fill and send the sign-in form (the page is already on it, or goes there)."""
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("principal@school.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def follow_enrolment_link(page, educator, live_server):
    """Open the one-time link an admin emails, as the educator would, and continue to sign in."""
    enrolment_link_issue(educator=educator, issued_by=None, base_url=live_server.url)
    page.goto(re.search(re.escape(live_server.url) + r"(/\S+)", mail.outbox[-1].body).group(1))
    page.get_by_role("button", name="Continue").click()


def confirm_password(page):
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()


def test_a_principal_sets_up_totp_signs_out_and_signs_back_in_with_a_code(page, principal, live_server):
    follow_enrolment_link(page, principal, live_server)
    sign_in_with_password(page)

    # Two-factor setup comes first; allauth asks them to confirm their password before showing a secret.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/$"))
    page.get_by_role("link", name="Activate").click()
    confirm_password(page)

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.get_by_role("img")).to_be_visible()  # the QR code, a data: image the CSP allows
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    sign_in_with_password(page)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert not [text for text in page.console_messages if "Content Security Policy" in text]


def add_virtual_passkey_authenticator(page) -> None:
    """Chromium's virtual authenticator (DevTools protocol): a platform passkey that verifies the user at once."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": options})


def test_a_principal_adds_a_passkey_and_signs_in_with_it_as_the_second_factor(page, principal, live_server):
    add_virtual_passkey_authenticator(page)
    follow_enrolment_link(page, principal, live_server)
    sign_in_with_password(page)

    expect(page).to_have_url(re.compile(r"/accounts/2fa/$"))
    page.get_by_role("link", name="Add").click()  # the security keys panel
    confirm_password(page)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/webauthn/add/"))
    page.get_by_label("Name").fill("Laptop passkey")
    page.get_by_role("button", name="Add").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    passkey = Authenticator.objects.get(user=principal, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().name == "Laptop passkey"
    enrolled = GrantChangeEvent.objects.get(grant_kind="second_factor")
    assert enrolled.after == {"type": "webauthn", "via": "enrolment_link"}
    page.get_by_role("button", name="Sign out").click()

    sign_in_with_password(page)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_role("button", name="Use a security key").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    reasons = SignInEvent.objects.filter(succeeded=True, kind=SignInEvent.Kind.SIGN_IN).values_list("reason", flat=True)
    assert list(reasons.order_by("id")) == ["password", "password+webauthn"]
    assert not [text for text in page.console_messages if "Content Security Policy" in text]
