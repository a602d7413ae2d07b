"""Nothing shown to a signed-in person is kept by a browser or proxy cache: every page is no-store."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.accounts.helpers import PASSWORD, enroll_totp, sign_in, totp_code
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

# Routes that change something on a GET or need an emailed key are reached through their own flows.
NOT_SWEPT = {"account_logout", "health"}


def takes_arguments(pattern) -> bool:
    return bool(pattern.pattern.converters) or "(?P<" in str(pattern.pattern)


def routes_without_arguments(patterns=None, namespace=""):
    """Every named URL that takes no arguments (nor does a prefix it is included under), as (name, path)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if takes_arguments(pattern):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes_without_arguments(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace + pattern.name not in NOT_SWEPT:
            yield namespace + pattern.name, reverse(namespace + pattern.name)


@pytest.fixture
def signed_in_principal(client, principal):
    secret = enroll_totp(principal)
    sign_in(client, principal.email)
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}).status_code == 302
    return principal


def assert_no_store(response, path):
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= cache_control, f"{path} answered {response.status_code} with {cache_control}"


def test_every_allauth_page_and_app_page_is_no_store_for_a_signed_in_educator(client, signed_in_principal, school):
    routes = dict(routes_without_arguments())
    # allauth's pages that show secrets or account details are among them.
    for name in (
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "usersessions_list",
        "account_email",
        "account_change_password",
        "students:home",
        "students:search",
        "admin:index",
    ):
        assert name in routes
    rendered = 0
    for path in routes.values():
        response = client.get(path)
        assert_no_store(response, path)
        rendered += response.status_code == 200
    assert rendered >= 10  # the sweep saw pages, not only redirects


def test_a_student_profile_and_a_missing_page_are_no_store(client, signed_in_principal, school):
    student = StudentFactory(school=school)
    profile = client.get(reverse("students:profile", args=[student.pk]))
    assert profile.status_code == 200
    assert_no_store(profile, "profile")
    assert_no_store(client.get("/students/999999999/"), "missing student")


def test_the_totp_setup_page_which_shows_the_secret_is_no_store(client, teacher):
    sign_in(client, teacher.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert response.context["form"].secret in response.content.decode()
    assert_no_store(response, "totp activation")


def test_sign_in_steps_are_no_store_too(client):
    assert_no_store(client.get(reverse("account_login")), "login")
