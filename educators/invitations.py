"""Invitations: district admins create accounts, and the educator chooses a password through a one-time link.

The link is allauth's password-reset link. Its token is derived from the educator's current
password hash and last sign-in, so it stops working once a password is set, and it expires after
PASSWORD_RESET_TIMEOUT (Django's default: three days).
"""

from urllib.parse import quote

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from educators.emails import normalize_email, validate_new_account_email
from educators.models import Educator
from students.models import School


def invitation_url(*, educator: Educator, base_url: str) -> str:
    """The one-time set-password link for this educator, on the site at ``base_url``."""
    key = f"{user_pk_to_url_str(educator)}-{default_token_generator.make_token(educator)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return base_url.rstrip("/") + path.replace("UID-KEY", quote(key))


def invitation_send(*, educator: Educator, base_url: str) -> None:
    """Email the educator a link to choose their password (and so activate their account)."""
    context = {
        "educator": educator,
        "invitation_url": invitation_url(educator=educator, base_url=base_url),
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "district_name": settings.DISTRICT_NAME,
        "site_url": base_url.rstrip("/"),
    }
    get_adapter().render_mail("account/email/invitation", educator.email, context).send()


def educator_invite(*, email: str, full_name: str, school_local_id: str | None = None, base_url: str) -> Educator:
    """Create an educator with no usable password and email them the set-password link.

    Raises ValidationError (with a message fit to show the admin) for a malformed or taken email,
    an empty name or an unknown school; nothing is created then, nor if the email cannot be sent.
    """
    email = normalize_email(email)
    full_name = full_name.strip()
    validate_email(email)
    validate_new_account_email(email)
    if not full_name:
        raise ValidationError("The educator's full name is required.")
    if Educator.objects.by_email(email).exists():
        raise ValidationError("An educator with this email address already exists.")
    home_school = None
    if school_local_id:
        home_school = School.objects.filter(local_id=school_local_id).first()
        if home_school is None:
            raise ValidationError(f"No school has the SIS local id {school_local_id!r}.")
    with transaction.atomic():
        educator = Educator.objects.create_user(email, None, full_name=full_name, home_school=home_school)
        invitation_send(educator=educator, base_url=base_url)
    return educator
