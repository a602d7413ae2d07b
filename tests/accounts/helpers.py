"""Sign-in helpers for tests: post the allauth forms as a browser does, and compute TOTP codes.

Other test folders may use these too (e.g. ``enroll_totp`` to get a privileged persona past the MFA gate).
"""

import re
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from django.urls import reverse

from educators.enrolment import enrolment_link_issue
from insights.encryption import decrypt

PASSWORD = "correct horse battery staple"
LOGIN_URL = reverse("account_login")


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    """Post the allauth sign-in form, as a browser would."""
    return client.post(LOGIN_URL, {"login": email, "password": password}, **extra)


def totp_code(secret: str, *, offset_periods: int = 0) -> str:
    """The RFC 6238 code an authenticator app shows now (or ``offset_periods`` steps later) for ``secret``."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset_periods))


def stored_totp_secret(educator) -> str:
    """The educator's TOTP secret, decrypted from the database as the app would."""
    authenticator = Authenticator.objects.get(user=educator, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def open_enrolment_sitting(client, educator, *, issued_by=None) -> str:
    """Follow a one-time enrolment link emailed to ``educator`` (as an admin's action sends it); returns its path.

    A privileged educator may set up a second factor only in a sitting opened this way (or by the invitation).
    """
    enrolment_link_issue(educator=educator, issued_by=issued_by, base_url="http://testserver")
    path = re.search(r"http://testserver(/\S+)", mail.outbox[-1].body).group(1)
    client.post(path)
    return path


def activate_totp(client, password: str = PASSWORD) -> str:
    """Walk the signed-in client through TOTP setup (confirming the password first); returns the secret shown."""
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302 and page.url.startswith(reverse("account_reauthenticate")):
        client.post(page.url, {"password": password})
        page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    if response.status_code == 200:  # the 30-second step ended while a loaded machine answered: the next code
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content
    return secret


def enroll_totp(educator) -> str:
    """Give the educator an authenticator app directly (stored encrypted, like the setup page); returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(educator, secret)
    return secret
