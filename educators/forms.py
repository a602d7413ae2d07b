"""allauth's account forms where the district's sign-in rules need more than its settings."""

from allauth.account.forms import ResetPasswordKeyForm
from allauth.core import context

from educators.enrolment import VIA_INVITATION, allow_enrolment


class InvitationAwareResetPasswordKeyForm(ResetPasswordKeyForm):
    """Choosing the first password through the invitation link also opens the sitting to enrol a second factor.

    Only the first password: a reset of an existing password proves the mailbox but is not the
    invitation, and a privileged educator who lost their second factor gets a new enrolment link
    from an admin instead.
    """

    def save(self) -> None:
        first_password = not self.user.has_usable_password()
        super().save()
        if first_password:
            allow_enrolment(context.request, educator=self.user, via=VIA_INVITATION)
