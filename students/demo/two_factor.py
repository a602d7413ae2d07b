"""The demo's privileged accounts come with an authenticator already set up, from a published secret.

So a newcomer can sign in as a principal or admin without an authenticator app:
`make manage ARGS="demo_totp principal.baker"` prints the current code (demo mode only). The
secret is published in the README: it protects nothing, the demo is fictional.
"""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from educators.models import Educator
from educators.roles import requires_mfa
from students.demo import cast

DEMO_TOTP_SECRET = "INSIGHTSDEMOTOTPSECRETNOTFORREAL"  # noqa: S105 (published in the README on purpose)


def enrol_privileged_cast() -> int:
    """Give every privileged demo educator a TOTP authenticator with the demo secret; returns how many."""
    enrolled = 0
    for educator in Educator.objects.filter(email__in=[person.email for person in cast.EDUCATORS]):
        already = Authenticator.objects.filter(user=educator, type=Authenticator.Type.TOTP).exists()
        if requires_mfa(educator) and not already:
            TOTP.activate(educator, DEMO_TOTP_SECRET)
            enrolled += 1
    return enrolled


def current_demo_code() -> tuple[str, int]:
    """The code an authenticator app holding the demo secret shows now, and the seconds it stays current."""
    period = mfa_settings.TOTP_PERIOD
    now = int(time.time())
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // period)), period - now % period
