"""Admin actions for the Educator admin (plugged in by educators/admin.py)."""

from django.contrib import admin, messages

from educators.invitations import invitation_send


@admin.action(description="Email a link to set their password (invitation)", permissions=["change"])
def send_invitations(modeladmin, request, queryset):
    """Email each selected active educator a one-time set-password link; inactive ones are skipped."""
    base_url = request.build_absolute_uri("/")
    sent, failed = 0, []
    for educator in queryset.filter(is_active=True):
        try:
            invitation_send(educator=educator, base_url=base_url)
        except OSError:  # the mail server refused or could not be reached: report it, carry on with the rest
            failed.append(educator.email)
        else:
            sent += 1
    skipped = queryset.count() - sent - len(failed)
    modeladmin.message_user(request, f"Emailed {sent} invitation link(s).", messages.SUCCESS)
    if failed:
        modeladmin.message_user(request, f"Could not email: {', '.join(failed)}.", messages.ERROR)
    if skipped:
        modeladmin.message_user(request, f"Skipped {skipped} inactive educator(s).", messages.WARNING)
