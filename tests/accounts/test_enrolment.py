"""A privileged account cannot be enrolled with a password alone: only the invitation or an admin's one-time link."""

import datetime
import re
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.models import Permission
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import GrantChangeEvent
from educators.admin_actions import send_enrolment_links
from educators.invitations import educator_invite
from educators.models import Educator, EnrolmentLink
from permissions.models import SchoolGrant
from tests.accounts.helpers import PASSWORD, activate_totp, open_enrolment_sitting, sign_in, totp_code

pytestmark = pytest.mark.django_db

ASK_FOR_A_LINK = "Ask your district&#x27;s administrator to email you an enrolment link."
NEW_PASSWORD = "maple syrup lantern quartz"


@pytest.fixture
def district_admin():
    return Educator.objects.create_superuser("admin@school.example", PASSWORD, full_name="Avery Admin")


def has_totp(educator) -> bool:
    return Authenticator.objects.filter(user=educator, type=Authenticator.Type.TOTP).exists()


def emailed_path(base: str = "http://testserver") -> str:
    return re.search(re.escape(base) + r"(/\S+)", mail.outbox[-1].body).group(1)


def test_with_a_password_alone_a_privileged_educator_is_signed_out_and_cannot_enrol(client, principal):
    sign_in(client, principal.email)
    refused = client.get(reverse("students:home"), follow=True)
    assert ASK_FOR_A_LINK in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Going straight to the setup page, or posting a code to it, does not get around the gate either.
    sign_in(client, principal.email)
    assert client.get(reverse("mfa_activate_totp")).url == reverse("account_login")
    sign_in(client, principal.email)
    client.post(reverse("mfa_activate_totp"), {"code": "123456"})
    sign_in(client, principal.email)
    assert client.get(reverse("mfa_add_webauthn")).url == reverse("account_login")
    assert not has_totp(principal)


def test_a_teacher_may_still_add_an_authenticator_with_their_password(client, teacher):
    sign_in(client, teacher.email)
    activate_totp(client)
    assert has_totp(teacher)


def test_the_invitation_opens_the_sitting_link_password_and_totp_in_one_go(client, school, settings):
    settings.SITE_URL = "https://insights.district.example"
    educator = educator_invite(email="nora@school.example", full_name="Nora Quinn", base_url=settings.SITE_URL)
    SchoolGrant.objects.create(
        user=educator, permission=Permission.objects.get(codename="view_school_students"), content_object=school
    )
    landing = client.get(emailed_path(settings.SITE_URL))
    client.post(landing.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    sign_in(client, educator.email, NEW_PASSWORD)
    assert client.get(reverse("students:home")).url == reverse("mfa_index")
    activate_totp(client, NEW_PASSWORD)
    assert client.get(reverse("students:home")).status_code == 200
    event = GrantChangeEvent.objects.get(grant_kind="second_factor")
    assert (event.educator_id, event.actor_id, event.after) == (
        educator.pk,
        educator.pk,
        {"type": "totp", "via": "invitation"},
    )


def test_resetting_an_existing_password_does_not_open_the_sitting(client, principal):
    client.post(reverse("account_reset_password"), {"email": principal.email})
    landing = client.get(emailed_path())
    client.post(landing.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    sign_in(client, principal.email, NEW_PASSWORD)
    assert ASK_FOR_A_LINK in client.get(reverse("students:home"), follow=True).content.decode()
    assert not has_totp(principal)


def test_an_admin_emails_a_one_time_link_and_both_steps_are_recorded(rf, client, principal, district_admin, settings):
    settings.ALLOWED_HOSTS = ["insights.district.example", "testserver"]
    request = rf.post("/admin/educators/educator/", HTTP_HOST="insights.district.example", secure=True)
    request.user = district_admin
    request._messages = CookieStorage(request)
    send_enrolment_links(admin_site._registry[Educator], request, Educator.objects.filter(pk=principal.pk))
    assert [str(message) for message in request._messages._queued_messages] == [
        "Emailed 1 two-factor enrolment link(s)."
    ]
    assert mail.outbox[-1].to == [principal.email]
    issued = GrantChangeEvent.objects.get(grant_kind="two_factor_enrolment_link")
    assert (issued.actor_id, issued.educator_id) == (district_admin.pk, principal.pk)
    path = emailed_path("https://insights.district.example")
    assert EnrolmentLink.objects.get().token_hash not in mail.outbox[-1].body  # only a hash is stored

    assert client.get(path).status_code == 200  # a mail scanner's GET does not use the link up
    after_link = client.post(path)
    assert after_link.url.startswith(reverse("account_login"))
    sign_in(client, principal.email)
    secret = activate_totp(client)
    assert client.get(reverse("students:home")).status_code == 200
    enrolled = GrantChangeEvent.objects.get(grant_kind="second_factor")
    assert enrolled.after == {"type": "totp", "via": "enrolment_link"}

    # The link worked once: a second browser cannot use it again.
    assert Client().post(path).status_code == 410
    assert totp_code(secret)


def test_an_expired_link_does_not_open_the_sitting(client, principal):
    path = open_enrolment_sitting(Client(), principal)
    EnrolmentLink.objects.update(used_at=None, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert client.post(path).status_code == 410
    sign_in(client, principal.email)
    assert ASK_FOR_A_LINK in client.get(reverse("students:home"), follow=True).content.decode()


def test_the_sitting_is_for_the_linked_educator_only_and_passes(client, principal, teacher, settings):
    sign_in(client, teacher.email)
    open_enrolment_sitting(client, principal)  # the teacher signed in on this browser is signed out
    assert "_auth_user_id" not in client.session
    other = Educator.objects.create_user("other@school.example", PASSWORD, full_name="Other Principal")
    other.is_staff = True
    other.save()
    sign_in(client, other.email)  # a different privileged account cannot use the principal's sitting
    assert ASK_FOR_A_LINK in client.get(reverse("students:home"), follow=True).content.decode()

    settings.MFA_ENROLMENT_SITTING_SECONDS = -1  # a sitting that has already passed
    later = Client()
    open_enrolment_sitting(later, principal)
    sign_in(later, principal.email)
    assert ASK_FOR_A_LINK in later.get(reverse("students:home"), follow=True).content.decode()


def test_when_the_link_cannot_be_emailed_no_link_is_kept(rf, principal, district_admin, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    request = rf.post("/admin/educators/educator/")
    request.user = district_admin
    request._messages = CookieStorage(request)
    send_enrolment_links(admin_site._registry[Educator], request, Educator.objects.filter(pk=principal.pk))
    assert not EnrolmentLink.objects.exists()
    assert not GrantChangeEvent.objects.filter(grant_kind="two_factor_enrolment_link").exists()


def test_the_operator_command_sends_a_link_for_the_first_superuser(settings):
    settings.SITE_URL = "https://insights.district.example"
    superuser = Educator.objects.create_superuser("first@school.example", PASSWORD, full_name="First Admin")
    out = StringIO()
    call_command("send_enrolment_link", "First@School.example", stdout=out)
    assert "Emailed first@school.example" in out.getvalue()
    assert mail.outbox[-1].to == [superuser.email]
    issued = GrantChangeEvent.objects.get(grant_kind="two_factor_enrolment_link")
    assert (issued.actor_id, issued.educator_id) == (None, superuser.pk)
    assert "send_enrolment_link" in issued.reason
    with pytest.raises(CommandError, match="No active educator"):
        call_command("send_enrolment_link", "nobody@school.example", stdout=StringIO())
