"""The one-time two-factor enrolment link's landing page (educators.enrolment)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from educators.enrolment import VIA_LINK, allow_enrolment, enrolment_link_redeem


@require_http_methods(["GET", "POST"])
def enrolment_link(request, token: str):
    """GET shows a button, POST uses the link up: mail scanners that follow links only GET."""
    if request.method == "GET":
        return render(request, "educators/enrolment_link.html", {"token_fail": False})
    educator = enrolment_link_redeem(request, token)
    if educator is None:
        return render(request, "educators/enrolment_link.html", {"token_fail": True}, status=410)
    if request.user.is_authenticated and request.user.pk != educator.pk:
        logout(request)  # someone else was signed in on this browser: the link is not theirs
        allow_enrolment(request, educator=educator, via=VIA_LINK)
    if request.user.is_authenticated:
        return redirect("mfa_index")
    messages.info(request, "Sign in with your password, then set up two-factor authentication.")
    return redirect_to_login(reverse("mfa_index"), login_url=reverse("account_login"))
