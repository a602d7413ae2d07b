"""Admin actions for the Educator admin (plugged in by educators/admin.py)."""

import functools

from django.contrib import admin, messages

from educators.enrolment import enrolment_link_issue
from educators.invitations import invitation_send


def _email_each_active(modeladmin, request, queryset, *, send, what: str) -> None:
    """Call ``send(educator=…, base_url=…)`` for each selected active educator and report what happened."""
    base_url = request.build_absolute_uri("/")
    sent, failed = 0, []
    for educator in queryset.filter(is_active=True):
        try:
            send(educator=educator, base_url=base_url)
        except OSError:  # the mail server refused or could not be reached: report it, carry on with the rest
            failed.append(educator.email)
        else:
            sent += 1
    skipped = queryset.count() - sent - len(failed)
    modeladmin.message_user(request, f"Emailed {sent} {what}(s).", messages.SUCCESS)
    if failed:
        modeladmin.message_user(request, f"Could not email: {', '.join(failed)}.", messages.ERROR)
    if skipped:
        modeladmin.message_user(request, f"Skipped {skipped} inactive educator(s).", messages.WARNING)


@admin.action(description="Email a link to set their password (invitation)", permissions=["change"])
def send_invitations(modeladmin, request, queryset):
    """Email each selected active educator a one-time set-password link; inactive ones are skipped."""
    _email_each_active(modeladmin, request, queryset, send=invitation_send, what="invitation link")


@admin.action(description="Email a one-time link to set up two-factor authentication", permissions=["change"])
def send_enrolment_links(modeladmin, request, queryset):
    """Email each selected active educator a one-time, expiring two-factor enrolment link, each one recorded."""
    issue = functools.partial(enrolment_link_issue, issued_by=request.user)
    _email_each_active(modeladmin, request, queryset, send=issue, what="two-factor enrolment link")
