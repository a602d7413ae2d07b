"""allauth adapters: invite-only accounts, MFA secrets encrypted at rest, Google limited to known educators.

Accounts are created by district admins only (educators.invitations), never by signing up, and
a Google sign-in can only reach an existing, active educator of the district's Workspace domains.
"""

import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect

from audit.events import record_sign_in
from educators import throttling
from educators.emails import normalize_email
from educators.models import Educator
from educators.roles import requires_mfa
from insights import encryption

# Authenticators that count as a second factor on their own (recovery codes are only a fallback).
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def educator_for_identity(identity: str) -> Educator | None:
    """The educator a typed sign-in identity (an email, in any spelling) names, if any, for the sign-in records."""
    return Educator.objects.by_email(identity).first() if identity else None


def _normalized(credentials: dict) -> dict:
    """The sign-in credentials with the typed email in its one stored spelling."""
    if credentials.get("email"):
        return {**credentials, "email": normalize_email(credentials["email"])}
    return credentials


def _login_of(credentials: dict) -> str:
    return normalize_email(credentials.get("email") or credentials.get("username") or "")


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def clean_email(self, email: str) -> str:
        return normalize_email(super().clean_email(email))

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth's per-key failure limit counts per (account, network): see educators.throttling."""
        return f"{_login_of(credentials)}|{throttling.client_network(request)}"

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        """After a password reset allauth clears this network's count; the account's ceiling goes too."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        throttling.clear_account_failures(_login_of(credentials))

    def pre_authenticate(self, request, **credentials):
        """Refuse throttled attempts (per address, per account and network, the account's ceiling) and record them.

        Throttled attempts never reach Django's authenticate(), so no other record of them is written.
        """
        login = _login_of(credentials)
        try:
            super().pre_authenticate(request, **credentials)
            if throttling.account_wait_seconds(login) > 0:
                self._rollback_login_failed_rl_usage()  # refused: it uses none of the network's allowance
                raise self.validation_error("too_many_login_attempts")
        except ValidationError:
            record_sign_in(
                request=request,
                identity=login,
                educator=educator_for_identity(login),
                succeeded=False,
                reason="rate_limited",
            )
            raise

    def get_client_ip(self, request):
        """allauth's client address (ALLAUTH_TRUSTED_PROXY_COUNT entries from the right of X-Forwarded-For),
        read by its throttles and, through audit.events.client_ip, by the audit log. A request carrying
        fewer entries than there are trusted proxies skipped one: its leftmost entry, not an error page."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            leftmost = request.headers["x-forwarded-for"].split(",")[0].strip()
            try:
                return ipaddress.ip_address(leftmost).compressed
            except ValueError:
                raise PermissionDenied("Unable to determine client IP address") from None

    def authenticate(self, request, **credentials):
        """An inactive educator with the right password gets the same generic failure, not allauth's "inactive" page."""
        user = super().authenticate(request, **_normalized(credentials))
        if user is not None and not user.is_active:
            return None
        return user

    def authentication_failed(self, request, **credentials):
        """A wrong password counts toward the account's ceiling, whichever network it came from."""
        throttling.record_account_failure(_login_of(credentials))


class EncryptedMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored as Fernet tokens under FIELD_ENCRYPTION_KEYS."""

    def encrypt(self, text: str) -> str:
        return encryption.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return encryption.decrypt(encrypted_text, label="an MFA secret")

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """A privileged educator may replace a second factor but never remove the last one."""
        if authenticator.type not in SECOND_FACTORS or not requires_mfa(authenticator.user):
            return True
        others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=SECOND_FACTORS)
        return others.exclude(pk=authenticator.pk).exists()


class WorkspaceSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Google sign-in for existing, active educators whose Workspace domain the district lists."""

    def is_open_for_signup(self, request, sociallogin):
        return False

    def get_app(self, request, provider, client_id=None):
        """A provider that is not configured (Google sign-in off) is a missing page, not a server error."""
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("This sign-in method is not set up.") from None

    def pre_social_login(self, request, sociallogin):
        account_data = sociallogin.account.extra_data or {}
        workspace_domain = str(account_data.get("hd", "")).lower()
        emails = [normalize_email(address.email) for address in sociallogin.email_addresses if address.verified]
        identity = emails[0] if emails else f"{sociallogin.account.provider}:{sociallogin.account.uid}"
        if workspace_domain not in settings.GOOGLE_WORKSPACE_DOMAINS:
            self._refuse(request, identity, "google_domain_not_allowed")
        if sociallogin.is_existing:
            if not sociallogin.user.is_active:
                self._refuse(request, identity, "inactive", educator=sociallogin.user)
            return
        allowed = [email for email in emails if email.rpartition("@")[2] in settings.GOOGLE_WORKSPACE_DOMAINS]
        educator = Educator.objects.filter(email__in=allowed, is_active=True).first()
        if educator is None:
            self._refuse(request, identity, "google_account_not_an_educator")
        sociallogin.connect(request, educator)

    @staticmethod
    def _refuse(request, identity: str, reason: str, educator=None):
        record_sign_in(request=request, identity=identity, educator=educator, succeeded=False, reason=reason)
        messages.error(request, "That Google account cannot sign in here. Use your district email and password.")
        raise ImmediateHttpResponse(redirect("account_login"))
