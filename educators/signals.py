"""Sign-in bookkeeping wired to Django's and allauth's signals.

Every attempt and sign-out goes to the audit app's sign-in records; a successful sign-in also
starts the session clocks (educators.middleware) and may email an unfamiliar-sign-in alert; a
new second factor is a grant change event (educators.enrolment); a password change or reset ends
every session of that educator.
"""

import logging
import time

from allauth.account.authentication import get_authentication_records
from allauth.account.signals import password_changed, password_reset, password_set
from allauth.core import context
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authentication_failed
from allauth.usersessions.models import UserSession
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from audit.events import client_ip, record_sign_in, record_sign_out
from educators.adapters import SECOND_FACTORS, educator_for_identity
from educators.alerts import is_unfamiliar_sign_in, send_sign_in_alert
from educators.enrolment import enrolment_finished
from educators.middleware import LAST_ACTIVITY, SIGNED_IN_AT

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="educators.signed_in")
def signed_in(sender, request, user, **kwargs):
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_ACTIVITY] = now
    unfamiliar = is_unfamiliar_sign_in(educator=user, ip=client_ip(request), now=timezone.now())
    record_sign_in(request=request, identity=user.email, educator=user, succeeded=True, reason=_methods(request, user))
    if unfamiliar:
        try:
            send_sign_in_alert(request=request, educator=user)
        except OSError:  # the mail server is down: the sign-in itself must still work
            logger.warning("Could not email an unfamiliar-sign-in alert to educator %s.", user.pk)


def _methods(request, user) -> str:
    """How this sign-in was proven, e.g. "password+totp" or "socialaccount+recovery_codes"."""
    steps = get_authentication_records(request, user)
    return "+".join(
        step.get("type", "mfa") if step.get("method") == "mfa" else step.get("method", "") for step in steps
    )


@receiver(user_login_failed, dispatch_uid="educators.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    if request is None:  # authenticate() called outside a request (a script): not a sign-in attempt
        return
    identity = (credentials.get("email") or credentials.get("username") or "").strip()
    educator = educator_for_identity(identity)
    if educator is None:
        reason = "unknown_account"
    elif not educator.is_active:
        reason = "inactive"
    elif not educator.has_usable_password():
        reason = "no_password_set"
    else:
        reason = "wrong_password"
    record_sign_in(request=request, identity=identity, educator=educator, succeeded=False, reason=reason)


@receiver(authentication_failed, dispatch_uid="educators.second_factor_failed")
def second_factor_failed(sender, request, user, reauthentication=False, **kwargs):
    reason = "wrong_mfa_code_on_reauthentication" if reauthentication else "wrong_mfa_code"
    record_sign_in(request=request, identity=user.email, educator=user, succeeded=False, reason=reason)


@receiver(post_save, sender=Authenticator, dispatch_uid="educators.second_factor_added")
def second_factor_added(sender, instance, created, **kwargs):
    """Written in the same transaction as the new authenticator (allauth's own signal fires after commit)."""
    if created and instance.type in SECOND_FACTORS:
        enrolment_finished(context.request, educator=instance.user, authenticator_type=instance.type)


@receiver(user_logged_out, dispatch_uid="educators.signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is not None and request is not None:
        record_sign_out(request=request, educator=user)


@receiver(password_changed, dispatch_uid="educators.password_changed")
@receiver(password_set, dispatch_uid="educators.password_set")
@receiver(password_reset, dispatch_uid="educators.password_reset")
def end_every_session(sender, request, user, **kwargs):
    """A new password signs the educator out everywhere, not only in this browser."""
    for user_session in UserSession.objects.filter(user_id=user.pk):
        user_session.end()
