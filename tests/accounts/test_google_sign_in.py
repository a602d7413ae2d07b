"""Optional Google sign-in: only existing, active educators of the district's Workspace domains get in."""

import pytest
from allauth.core import context
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.urls import reverse

from audit.models import SignInEvent
from tests.accounts.helpers import LOGIN_URL, enroll_totp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def google_configured(settings):
    settings.GOOGLE_WORKSPACE_DOMAINS = ["school.example"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APPS": [{"client_id": "test-client", "secret": "test-secret", "key": ""}]}
    }


def google_sign_in(rf, **claims):
    """Run allauth's real social-login flow for a Google identity token carrying ``claims``."""
    request = rf.get("/accounts/google/login/callback/")
    SessionMiddleware(lambda request: None).process_request(request)
    request.session.save()
    request.user = AnonymousUser()
    request._messages = FallbackStorage(request)
    identity = {"sub": "1234567890", "email_verified": True, "name": "Someone"} | claims
    with context.request_context(request):
        provider = get_adapter().get_provider(request, "google")
        sociallogin = provider.sociallogin_from_response(request, identity)
        sociallogin.state = {"process": "login"}
        response = complete_social_login(request, sociallogin)
    return request, response


def test_an_active_educator_of_the_workspace_domain_signs_in_and_the_account_is_linked(rf, teacher):
    request, response = google_sign_in(rf, email=teacher.email, hd="school.example")
    assert response.status_code == 302
    assert request.user == teacher
    assert SocialAccount.objects.get(provider="google").user == teacher
    assert SignInEvent.objects.get(succeeded=True).reason == "socialaccount"


def test_a_google_account_outside_the_workspace_is_refused_even_with_an_educators_address(rf, teacher):
    request, response = google_sign_in(rf, email=teacher.email)  # a consumer account: no "hd" claim
    assert response.url == LOGIN_URL
    assert not request.user.is_authenticated
    assert not SocialAccount.objects.exists()
    assert SignInEvent.objects.get().reason == "google_domain_not_allowed"


def test_a_workspace_account_with_no_educator_is_refused_and_no_account_is_created(rf, teacher):
    request, response = google_sign_in(rf, email="stranger@school.example", hd="school.example")
    assert response.url == LOGIN_URL
    assert not request.user.is_authenticated
    assert SignInEvent.objects.get().reason == "google_account_not_an_educator"


def test_an_inactive_educator_is_refused(rf, teacher):
    teacher.is_active = False
    teacher.save()
    request, response = google_sign_in(rf, email=teacher.email, hd="school.example")
    assert response.url == LOGIN_URL
    assert not request.user.is_authenticated


def test_an_unverified_address_is_not_matched_to_an_educator(rf, teacher):
    request, response = google_sign_in(rf, email=teacher.email, hd="school.example", email_verified=False)
    assert response.url == LOGIN_URL
    assert not request.user.is_authenticated


def test_a_privileged_educator_signing_in_with_google_still_gives_a_totp_code(rf, principal):
    enroll_totp(principal)
    request, response = google_sign_in(rf, email=principal.email, hd="school.example")
    assert response.url == reverse("mfa_authenticate")
    assert not request.user.is_authenticated


def test_the_sign_in_page_offers_google_only_when_it_is_configured(client, settings):
    assert "/accounts/google/login/" in client.get(LOGIN_URL).content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert "/accounts/google/login/" not in client.get(LOGIN_URL).content.decode()


def test_the_google_sign_in_address_is_missing_when_google_is_not_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert client.post("/accounts/google/login/").status_code == 404
