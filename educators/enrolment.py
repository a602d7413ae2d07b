"""Who may set up a second factor: a privileged educator never with a password alone.

Anyone holding the password of a privileged account without a second factor could otherwise
enrol their own authenticator. So a privileged educator enrols only in a sitting that also
proved possession of a link sent to their mailbox:

- the invitation: choosing the first password through the invitation link (educators.invitations);
- a one-time enrolment link a district admin issues from the Educator admin, or the operator with
  ``manage.py send_enrolment_link`` (``enrolment_link_issue``).

Either marks the browser session for that educator for MFA_ENROLMENT_SITTING_SECONDS; the MFA
gate (educators.middleware) lets a privileged educator without a second factor reach the setup
pages only with that mark, and signs them out otherwise. Issuing a link and each enrolment are
recorded as grant change events.
"""

import datetime
import hashlib
import secrets
import time

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.events import record_grant_change
from educators.models import Educator, EnrolmentLink

SESSION_KEY = "insights.mfa_enrolment"
VIA_INVITATION = "invitation"
VIA_LINK = "enrolment_link"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def allow_enrolment(request, *, educator: Educator, via: str) -> None:
    """Let this browser session enrol a second factor for ``educator`` for the next little while.

    The link that got here was emailed to the educator, so their address counts as verified from
    now on (allauth allows no second factor on an unverified address).
    """
    EmailAddress.objects.filter(user_id=educator.pk, email=educator.email).update(verified=True)
    request.session[SESSION_KEY] = {
        "educator_id": educator.pk,
        "via": via,
        "until": time.time() + settings.MFA_ENROLMENT_SITTING_SECONDS,
    }


def enrolment_allowed(request, educator) -> bool:
    """Whether this session may enrol a second factor for ``educator`` (a privileged one without any)."""
    mark = request.session.get(SESSION_KEY)
    return bool(mark) and mark["educator_id"] == educator.pk and mark["until"] > time.time()


def enrolment_finished(request, *, educator, authenticator_type: str) -> None:
    """Record a second factor added, and how the sitting was proven; the session's mark is used up.

    Outside a request (a command, the demo seed) there is no sitting and no actor.
    """
    if request is None:
        actor, via = None, "command"
    else:
        mark = request.session.pop(SESSION_KEY, None)
        actor, via = educator, mark["via"] if mark and mark["educator_id"] == educator.pk else "signed_in"
    record_grant_change(
        actor=actor,
        educator=educator,
        grant_kind="second_factor",
        object_label=authenticator_type,
        before=None,
        after={"type": authenticator_type, "via": via},
        reason=f"enrolled by the educator ({via.replace('_', ' ')})",
    )


def enrolment_link_issue(*, educator: Educator, issued_by: Educator | None, base_url: str) -> EnrolmentLink:
    """Email the educator a one-time enrolment link; recorded, and nothing is kept if the mail fails."""
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + datetime.timedelta(seconds=settings.MFA_ENROLMENT_LINK_SECONDS)
    with transaction.atomic():
        link = EnrolmentLink.objects.create(
            educator=educator, issued_by=issued_by, token_hash=_token_hash(token), expires_at=expires_at
        )
        record_grant_change(
            actor=issued_by,
            educator=educator,
            grant_kind="two_factor_enrolment_link",
            object_label=f"enrolment link {link.pk}",
            before=None,
            after={"expires_at": expires_at.isoformat()},
            reason="one-time two-factor enrolment link issued "
            + ("in the admin" if issued_by is not None else "with manage.py send_enrolment_link"),
        )
        url = base_url.rstrip("/") + reverse("educators:enrolment_link", kwargs={"token": token})
        context = {
            "educator": educator,
            "enrolment_url": url,
            "valid_hours": max(1, settings.MFA_ENROLMENT_LINK_SECONDS // 3600),
            "district_name": settings.DISTRICT_NAME,
        }
        get_adapter().render_mail("account/email/enrolment_link", educator.email, context).send()
    return link


def enrolment_link_redeem(request, token: str) -> Educator | None:
    """Use up a valid link: this session may then enrol for its educator. None if unknown, used or expired."""
    with transaction.atomic():
        link = (
            EnrolmentLink.objects.select_for_update()
            .select_related("educator")
            .filter(token_hash=_token_hash(token), used_at=None, expires_at__gt=timezone.now())
            .first()
        )
        if link is None or not link.educator.is_active:
            return None
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    allow_enrolment(request, educator=link.educator, via=VIA_LINK)
    return link.educator
