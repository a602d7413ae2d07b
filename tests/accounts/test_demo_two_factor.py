"""Demo mode: privileged demo accounts come with the published authenticator secret; demo_totp prints its code."""

from io import StringIO
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from educators.models import Educator
from insights.encryption import decrypt
from students.demo import cast
from students.demo.two_factor import DEMO_TOTP_SECRET
from tests.accounts.helpers import sign_in, totp_code

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "insights-demo-password"


@pytest.fixture
def seeded(settings):
    settings.DEMO_MODE, settings.DEMO_PASSWORD = True, DEMO_PASSWORD
    call_command("seed_demo", "--students", "40", "--today", "2026-11-28", stdout=StringIO())


def demo_totp(login: str) -> str:
    out = StringIO()
    call_command("demo_totp", login, stdout=out)
    return out.getvalue()


def test_the_privileged_demo_accounts_are_enrolled_with_the_published_secret(seeded):
    enrolled = Authenticator.objects.filter(type=Authenticator.Type.TOTP).select_related("user")
    assert {authenticator.user.email.split("@")[0] for authenticator in enrolled} == {
        "admin", "privacy", "district", "principal.baker", "counselor.baker", "counselor.riverside",
        "el.baker", "sped.ashford", "data.riverside", "inactive",
    }  # fmt: skip
    assert {decrypt(authenticator.data["secret"]) for authenticator in enrolled} == {DEMO_TOTP_SECRET}
    assert (
        DEMO_TOTP_SECRET in (Path(__file__).parents[2] / "README.md").read_text()
    )  # the secret is published where newcomers look


def test_a_newcomer_signs_in_as_the_principal_with_the_code_demo_totp_prints(seeded):
    output = demo_totp("principal.baker")
    code = output.split()[0]
    assert code == totp_code(DEMO_TOTP_SECRET) or code == totp_code(DEMO_TOTP_SECRET, offset_periods=-1)
    assert "each code signs in once" in output
    client = Client()
    assert sign_in(client, f"principal.baker@{cast.EMAIL_DOMAIN}", DEMO_PASSWORD).url == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)}).status_code == 302
    assert client.get(reverse("students:home")).status_code == 200


@pytest.mark.parametrize(
    ("login", "message"),
    [
        ("teacher.k", "has no authenticator app set up"),
        ("nobody.here", "No demo account 'nobody.here'"),
    ],
)
def test_demo_totp_explains_what_it_cannot_do(seeded, login, message):
    with pytest.raises(CommandError, match=message):
        demo_totp(login)


def test_demo_totp_refuses_for_an_account_with_its_own_authenticator(seeded):
    principal = Educator.objects.get(email=f"principal.baker@{cast.EMAIL_DOMAIN}")
    Authenticator.objects.filter(user=principal, type=Authenticator.Type.TOTP).delete()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(principal, generate_totp_secret())
    with pytest.raises(CommandError, match="uses its own authenticator app"):
        demo_totp("principal.baker")


def test_demo_totp_refuses_outside_demo_mode(seeded, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only runs in demo mode"):
        demo_totp("principal.baker")
