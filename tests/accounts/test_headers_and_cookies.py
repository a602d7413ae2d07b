"""Security headers on every page, and the session cookie's flags in production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from tests.accounts.helpers import LOGIN_URL, sign_in

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[2]
EXPECTED_CSP = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
}


def test_pages_carry_a_strict_content_security_policy_with_nothing_inline(client):
    policy = client.get(LOGIN_URL)["Content-Security-Policy"]
    assert {directive.strip() for directive in policy.split(";")} == EXPECTED_CSP
    assert "unsafe-inline" not in policy


def test_pages_refuse_framing_sniffing_referrers_and_unused_browser_features(client):
    response = client.get(LOGIN_URL)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    features = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in features


@override_settings(SECURE_HSTS_SECONDS=63072000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
def test_https_responses_carry_strict_transport_security(client):
    response = client.get(LOGIN_URL, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"


@override_settings(
    SESSION_COOKIE_SECURE=True,
    SESSION_COOKIE_NAME="__Host-sessionid",
    CSRF_COOKIE_SECURE=True,
    CSRF_COOKIE_NAME="__Host-csrftoken",
)
def test_the_session_cookie_is_host_only_secure_httponly_samesite_and_ends_with_the_browser(client, teacher):
    response = sign_in(client, teacher.email, secure=True)
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # no "remember me": gone when the browser closes


def test_production_settings_name_the_cookies_with_the_host_prefix_and_mark_them_secure():
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "DATABASE_URL", "HOME", "LANG")}
    env.update(
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY="p" * 60,
        FIELD_ENCRYPTION_KEYS=os.environ["FIELD_ENCRYPTION_KEYS"],
        ALLOWED_HOSTS="insights.district.example",
        DJANGO_SETTINGS_MODULE="insights.settings",
    )
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_NAME, s.CSRF_COOKIE_SECURE, s.ACCOUNT_SESSION_REMEMBER, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter running the fixed script above)
        [sys.executable, "-c", script], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "__Host-sessionid",
        "True",
        "True",
        "Lax",
        "__Host-csrftoken",
        "True",
        "False",
        "True",
    ]
