"""Sign-in and session security that runs on every request.

- PermissionsPolicyMiddleware: turns off browser features no page uses.
- IPRulesMiddleware: 403 for denied networks (recorded), and marks requests from outside the
  allow list, where nobody gets in without a second factor.
- SessionLifetimeMiddleware: idle timeout and absolute lifetime, enforced on the server, and the
  "last seen" time, address and browser of the educator's session list (allauth.usersessions).
- MFARequiredMiddleware: privileged educators set up a second factor before they see any other
  page, in a sitting opened by an invitation or enrolment link (signed out otherwise); outside
  the allow list, educators without one are signed out.
"""

import functools
import ipaddress
import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse

from audit.events import client_ip, write_access_event
from audit.models import Outcome
from audit.recorder import Recording
from educators.adapters import SECOND_FACTORS
from educators.enrolment import enrolment_allowed
from educators.roles import requires_mfa

SIGNED_IN_AT = "insights.signed_in_at"
LAST_ACTIVITY = "insights.last_activity"
# Activity is written to the session (and the session list) at most this often, so most requests
# neither save the session nor update its row in the list.
ACTIVITY_RESOLUTION_SECONDS = 60
# A denied network is recorded at most once per address in this many seconds, so a flood cannot fill the log.
DENIED_RECORD_INTERVAL_SECONDS = 60


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


@functools.lru_cache(maxsize=16)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


def in_networks(ip: str, cidrs: list[str]) -> bool:
    """Whether the address lies in any of the networks (IPv4 never matches an IPv6 network)."""
    address = ipaddress.ip_address(ip)
    return any(address in network for network in _networks(tuple(cidrs)))


class IPRulesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.outside_allowed_networks = False
        if not (settings.IP_DENY_CIDRS or settings.IP_ALLOW_CIDRS):
            # No rules: the client's address (about half a bare Django request's CPU) is not worked out.
            return self.get_response(request)
        ip = client_ip(request)
        if settings.IP_DENY_CIDRS and ip is not None and in_networks(ip, settings.IP_DENY_CIDRS):
            _record_denied_network(request, ip)
            return HttpResponseForbidden("Access from your network is not allowed.", content_type="text/plain")
        request.outside_allowed_networks = bool(settings.IP_ALLOW_CIDRS) and (
            ip is None or not in_networks(ip, settings.IP_ALLOW_CIDRS)
        )
        return self.get_response(request)


def _record_denied_network(request, ip: str) -> None:
    if cache.add(f"insights:ip-denied:{ip}", 1, timeout=DENIED_RECORD_INTERVAL_SECONDS):
        recording = Recording(action="ip_denied", denied=True)
        write_access_event(recording, actor=None, outcome=Outcome.DENIED, request=request, status=403)


class SessionLifetimeMiddleware:
    """Sign out after SESSION_IDLE_TIMEOUT_SECONDS without a request, or SESSION_COOKIE_AGE after signing in.

    Sets ``request.session_seconds_remaining`` for the page's expiry warning. Stands in for
    allauth's UserSessionsMiddleware, which would rewrite the session list's row on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired = self._check(request)
            if expired is not None:
                return expired
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = time.time()
        signed_in_at = session.get(SIGNED_IN_AT)
        if signed_in_at is None:  # a session older than these stamps: its clock starts now
            signed_in_at = session[SIGNED_IN_AT] = now
        last_activity = session.get(LAST_ACTIVITY, now)
        idle_limit = settings.SESSION_IDLE_TIMEOUT_SECONDS
        lifetime_limit = settings.SESSION_COOKIE_AGE
        if now - last_activity >= idle_limit:
            return self._expire(request, f"You were signed out after {idle_limit // 60} minutes without activity.")
        if now - signed_in_at >= lifetime_limit:
            return self._expire(request, f"You were signed out: sessions last at most {lifetime_limit // 3600} hours.")
        if LAST_ACTIVITY not in session or now - last_activity >= ACTIVITY_RESOLUTION_SECONDS:
            session[LAST_ACTIVITY] = last_activity = now
            UserSession.objects.create_from_request(request)  # last seen, address and browser
        request.session_seconds_remaining = int(
            min(idle_limit - (now - last_activity), lifetime_limit - (now - signed_in_at))
        )
        return None

    @staticmethod
    def _expire(request, message: str):
        logout(request)  # flushes the session row; user_logged_out records the sign-out
        messages.info(request, message)
        return redirect_to_login(request.get_full_path(), login_url=reverse("account_login"))


@functools.cache
def _mfa_gate_exempt_prefixes() -> tuple[str, ...]:
    return (reverse("account_logout"), reverse("health"), "/" + settings.STATIC_URL.lstrip("/"))


@functools.cache
def _mfa_setup_prefixes() -> tuple[str, ...]:
    return (
        reverse("mfa_index"),  # two-factor setup (TOTP, passkeys), recovery codes
        reverse("account_reauthenticate"),
    )


class MFARequiredMiddleware:
    """Send educators who must use a second factor, but have none yet, to set one up first.

    A privileged educator may set one up only in a sitting opened by their invitation link or a
    one-time enrolment link (educators.enrolment); with a password alone they are signed out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            not user.is_authenticated
            or request.path.startswith(_mfa_gate_exempt_prefixes())
            or _signed_in_with_second_factor(request, user)
        ):
            return self.get_response(request)
        outside = getattr(request, "outside_allowed_networks", False)
        if not (outside or requires_mfa(user)) or is_mfa_enabled(user, SECOND_FACTORS):
            return self.get_response(request)
        if outside:
            # Enrolling a second factor from outside would let a stolen password enrol its own.
            return _sign_out(
                request,
                "Signing in from outside the district's networks needs two-factor authentication. "
                "Set it up once from a school network, then try again.",
            )
        if not enrolment_allowed(request, user):
            return _sign_out(
                request,
                "Your role needs two-factor authentication, which is set up through your invitation link or a "
                "one-time enrolment link. Ask your district's administrator to email you an enrolment link.",
            )
        if request.path.startswith(_mfa_setup_prefixes()):
            return self.get_response(request)
        messages.info(request, "Set up two-factor authentication to continue: your role requires it.")
        return redirect("mfa_index")


def _sign_out(request, message: str):
    logout(request)
    messages.error(request, message)
    return redirect("account_login")


def _signed_in_with_second_factor(request, user) -> bool:
    """Whether this session's sign-in passed a second factor, which answers the gate without a query."""
    return any(step.get("method") == "mfa" for step in get_authentication_records(request, user))
