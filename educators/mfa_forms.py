"""allauth's two-factor forms, with a sign-in record for every attempt refused by the rate limit.

allauth throttles second-factor attempts per account (``login_failed`` under the key
``mfa-auth-user-<id>``) and refuses the throttled ones before checking the code, so no
``authentication_failed`` signal fires for them. These forms write the missing row, so a run of
guesses past the limit shows in the sign-in records instead of going quiet.
"""

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.webauthn.forms import AuthenticateWebAuthnForm, ReauthenticateWebAuthnForm

from audit.events import record_sign_in

THROTTLED = "too_many_login_attempts"


class _RecordsThrottledAttempts:
    """Mixed into an allauth form with a ``user`` and one input field (the code or the credential)."""

    input_field = "code"
    reason = "mfa_rate_limited"

    def clean(self):
        cleaned = super().clean()
        if self.user is not None and self.has_error(self.input_field, THROTTLED):
            user, request = self.user, context.request
            record_sign_in(request=request, identity=user.email, educator=user, succeeded=False, reason=self.reason)
        return cleaned


class RecordedAuthenticateForm(_RecordsThrottledAttempts, AuthenticateForm):
    pass


class RecordedReauthenticateForm(_RecordsThrottledAttempts, ReauthenticateForm):
    reason = "mfa_rate_limited_on_reauthentication"


class RecordedAuthenticateWebAuthnForm(_RecordsThrottledAttempts, AuthenticateWebAuthnForm):
    input_field = "credential"


class RecordedReauthenticateWebAuthnForm(_RecordsThrottledAttempts, ReauthenticateWebAuthnForm):
    input_field = "credential"
    reason = "mfa_rate_limited_on_reauthentication"
