"""A privileged educator's first sign-in in a real browser: set up TOTP, sign out, sign in again with a code."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

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
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("principal@school.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_principal_sets_up_totp_signs_out_and_signs_back_in_with_a_code(page, principal):
    sign_in_with_password(page)

    # The gate sends them to two-factor setup; allauth first asks them to confirm their password.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

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
