"""Deny and allow lists of networks: denied requests get 403 and are recorded; outside the allow list, MFA for all."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from tests.accounts.helpers import LOGIN_URL, enroll_totp, sign_in, totp_code

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_a_denied_network_gets_403_on_every_page_and_is_recorded_once_a_minute(client, settings):
    settings.IP_DENY_CIDRS = ["192.0.2.0/24", "2001:db8::/32"]
    for _ in range(3):
        assert client.get(LOGIN_URL, REMOTE_ADDR="192.0.2.44").status_code == 403
    assert client.get(LOGIN_URL, REMOTE_ADDR="2001:db8::5").status_code == 403
    assert client.get(LOGIN_URL, REMOTE_ADDR="198.51.100.1").status_code == 200
    events = AccessEvent.objects.filter(action="ip_denied").order_by("id")
    assert [(event.client_ip, event.status, event.outcome) for event in events] == [
        ("192.0.2.44", 403, "denied"),
        ("2001:db8::5", 403, "denied"),
    ]


def test_outside_the_allow_list_a_teacher_without_a_second_factor_is_signed_out(client, teacher, settings):
    settings.IP_ALLOW_CIDRS = ["198.51.100.0/24"]
    sign_in(client, teacher.email, REMOTE_ADDR="203.0.113.9")
    response = client.get(reverse("students:home"), REMOTE_ADDR="203.0.113.9")
    assert response.url == LOGIN_URL
    assert "_auth_user_id" not in client.session
    # ... and may not enrol a second factor from outside either.
    assert client.get(reverse("mfa_activate_totp"), REMOTE_ADDR="203.0.113.9").url.startswith(LOGIN_URL)


def test_outside_the_allow_list_a_teacher_signs_in_with_a_second_factor(client, teacher, settings):
    settings.IP_ALLOW_CIDRS = ["198.51.100.0/24"]
    secret = enroll_totp(teacher)
    assert sign_in(client, teacher.email, REMOTE_ADDR="203.0.113.9").url == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}, REMOTE_ADDR="203.0.113.9")
    assert client.get(reverse("students:home"), REMOTE_ADDR="203.0.113.9").status_code == 200


def test_inside_the_allow_list_a_teacher_signs_in_with_a_password_alone(client, teacher, settings):
    settings.IP_ALLOW_CIDRS = ["198.51.100.0/24"]
    sign_in(client, teacher.email, REMOTE_ADDR="198.51.100.77")
    assert client.get(reverse("students:home"), REMOTE_ADDR="198.51.100.77").status_code == 200


def test_a_malformed_network_stops_the_app_with_a_clear_message():
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "DATABASE_URL", "HOME", "LANG")}
    env.update(DEBUG="true", IP_DENY_CIDRS="192.0.2.0/24, not-a-network")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "IP_DENY_CIDRS has 'not-a-network'" in result.stderr
