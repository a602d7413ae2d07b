"""Two-factor codes past the rate limit are refused and still recorded, one sign-in row per attempt."""

import pytest
from django.urls import reverse

from audit.models import SignInEvent
from tests.accounts.helpers import enroll_totp, sign_in, totp_code

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts. Try again later."


def reasons(educator) -> list[str]:
    rows = SignInEvent.objects.filter(educator_id=educator.pk, succeeded=False).order_by("id")
    return list(rows.values_list("reason", flat=True))


def test_every_code_after_the_fifth_wrong_one_is_refused_and_recorded(client, principal):
    secret = enroll_totp(principal)
    sign_in(client, principal.email)
    for _ in range(5):
        wrong = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, offset_periods=9)})
        assert "Incorrect code" in wrong.content.decode()
    for code in ("000000", "123456", totp_code(secret)):  # even the right code waits now
        throttled = client.post(reverse("mfa_authenticate"), {"code": code})
        assert TOO_MANY in throttled.content.decode()
    assert "_auth_user_id" not in client.session
    assert reasons(principal) == ["wrong_mfa_code"] * 5 + ["mfa_rate_limited"] * 3
    throttled_row = SignInEvent.objects.filter(reason="mfa_rate_limited").first()
    assert throttled_row.identity == principal.email
    assert throttled_row.client_ip == "127.0.0.1"


def test_throttled_codes_on_reauthentication_are_recorded_too(client, principal):
    secret = enroll_totp(principal)
    sign_in(client, principal.email)
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}).status_code == 302
    for _ in range(6):
        client.post(reverse("mfa_reauthenticate"), {"code": "000000"})
    assert reasons(principal) == ["wrong_mfa_code_on_reauthentication"] * 5 + ["mfa_rate_limited_on_reauthentication"]
    assert client.session["_auth_user_id"] == str(principal.pk)
