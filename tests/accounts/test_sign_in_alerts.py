"""An educator is emailed when their account is signed into from an unfamiliar network after a long absence."""

import datetime
import types

import pytest
from django.core import mail
from django.utils import timezone

from audit import chain
from audit.models import SignInEvent
from educators.alerts import is_unfamiliar_sign_in
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


def past_sign_in(monkeypatch, educator, *, ip: str, days_ago: int) -> None:
    """A successful sign-in recorded ``days_ago`` days ago (the audit chain stamps the time it is given)."""
    then = timezone.now() - datetime.timedelta(days=days_ago)
    monkeypatch.setattr(chain, "timezone", types.SimpleNamespace(now=lambda: then))
    chain.append(
        SignInEvent(kind="sign_in", identity=educator.email, educator_id=educator.pk, succeeded=True, client_ip=ip)
    )
    monkeypatch.undo()


def test_a_first_sign_in_ever_is_not_an_alert(teacher):
    assert is_unfamiliar_sign_in(educator=teacher, ip="203.0.113.5", now=timezone.now()) is False


def test_a_sign_in_after_a_long_absence_from_a_new_network_emails_the_educator(client, teacher, monkeypatch):
    past_sign_in(monkeypatch, teacher, ip="198.51.100.20", days_ago=45)
    sign_in(client, teacher.email, REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Unfamiliar/1.0")
    assert len(mail.outbox) == 1
    alert = mail.outbox[0]
    assert alert.to == [teacher.email]
    assert "signed into from a new network" in alert.subject
    assert "203.0.113.5" in alert.body
    assert "Unfamiliar/1.0" in alert.body


def test_the_same_network_after_a_long_absence_is_not_an_alert(client, teacher, monkeypatch):
    past_sign_in(monkeypatch, teacher, ip="198.51.100.20", days_ago=45)
    sign_in(client, teacher.email, REMOTE_ADDR="198.51.100.99")  # same /24
    assert mail.outbox == []


def test_a_new_network_without_a_long_absence_is_not_an_alert(client, teacher, monkeypatch):
    past_sign_in(monkeypatch, teacher, ip="198.51.100.20", days_ago=3)
    sign_in(client, teacher.email, REMOTE_ADDR="203.0.113.5")
    assert mail.outbox == []


def test_networks_older_than_ninety_days_are_forgotten(teacher, monkeypatch):
    past_sign_in(monkeypatch, teacher, ip="198.51.100.20", days_ago=120)
    assert is_unfamiliar_sign_in(educator=teacher, ip="198.51.100.21", now=timezone.now()) is True


def test_ipv6_addresses_are_compared_by_their_48_bit_prefix(teacher, monkeypatch):
    past_sign_in(monkeypatch, teacher, ip="2001:db8:aaaa:1::5", days_ago=40)
    now = timezone.now()
    assert is_unfamiliar_sign_in(educator=teacher, ip="2001:db8:aaaa:ffff::9", now=now) is False
    assert is_unfamiliar_sign_in(educator=teacher, ip="2001:db8:bbbb::9", now=now) is True


def test_the_sign_in_still_works_when_the_alert_cannot_be_emailed(client, teacher, monkeypatch, settings):
    past_sign_in(monkeypatch, teacher, ip="198.51.100.20", days_ago=45)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    assert sign_in(client, teacher.email, REMOTE_ADDR="203.0.113.5").status_code == 302
    assert client.session["_auth_user_id"] == str(teacher.pk)
