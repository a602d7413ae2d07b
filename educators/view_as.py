"""Support's "view as": a supporter sees Insights as an educator sees it, to help them, and nothing more.

A holder of ``permissions.view_as_educator`` starts a session on /accounts/view-as/ with the
educator's email and a reason (who may view as whom: permissions/view_as.py). For its length
(``VIEW_AS_MINUTES``) every request is the educator's as far as the pages and the policy go
(``request.user``), but:

- it is read-only: nothing but GET and HEAD gets through, apart from stopping, signing out,
  keeping the session alive and the site search (a read sent by POST to keep names out of URLs);
  the admin site is closed;
- restricted notes stay closed whatever the educator may read (the policy sees the mark);
- a banner on every page says whose view it is, until when, with a button to stop;
- every page is recorded with the supporter as the actor and the educator in the event's details
  (audit.middleware reads ``request.audit_actor`` / ``request.audit_details``); starting and
  stopping (by hand or at the time limit) are events of their own.
"""

import datetime
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.events import write_access_event
from audit.models import Outcome
from audit.recorder import Recording, record_details, set_action
from educators.models import Educator
from permissions.holdings import once_per_request
from permissions.view_as import mark_viewed_as, may_start_viewing_as, refusal

SESSION_KEY = "insights.view_as"
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Requests that may still be sent by POST while viewing as someone: none of them writes student data.
ALLOWED_POSTS = frozenset({"educators:view_as_stop", "account_logout", "session_keep_alive", "students:search"})


def _identity(educator) -> dict:
    return {"educator_id": educator.pk, "email": educator.email}


class ViewAsMiddleware:
    """Turns a supporter's request into the viewed educator's, read-only and recorded under both identities.

    Sits after the sign-in, two-factor and session-lifetime middleware (they check the supporter)
    and before the audit recorder.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = request.session.get(SESSION_KEY) if request.user.is_authenticated else None
        if state is None:
            return self.get_response(request)
        supporter = request.user
        target = Educator.objects.filter(pk=state["target"]).first()
        if target is not None:
            once_per_request(target)  # the checks below and the pages then share one lookup of its holdings
        why_not = "the time limit" if time.time() >= state["until"] else None
        if why_not is None:
            why_not = "the account changed" if target is None or refusal(supporter, target) else None
        if why_not is not None:
            _stop(request, supporter, state, why=why_not)
            messages.info(request, f"Viewing as {state['email']} ended: {why_not}.")
            return self.get_response(request)
        mark_viewed_as(target, supporter)
        request.user = target
        request.supporter = supporter
        request.audit_actor = supporter
        request.audit_details = {"viewing_as": _identity(target)}
        request.view_as = {"target": target, "until": datetime.datetime.fromtimestamp(state["until"], tz=datetime.UTC)}
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(request, "supporter", None) is None:
            return None
        match = request.resolver_match
        if "admin" in match.app_names:
            return HttpResponseForbidden("The admin site is closed while you view Insights as someone else.")
        if request.method not in READ_ONLY_METHODS and match.view_name not in ALLOWED_POSTS:
            return HttpResponseForbidden("Viewing as someone else is read-only: nothing can be changed.")
        return None


def _stop(request, supporter, state: dict, *, why: str) -> None:
    """End the session's view-as and record it (the time limit ends it outside any view)."""
    request.session.pop(SESSION_KEY, None)
    stopped = Recording(action="view_as_stop", details={"view_as_stop": {"educator_id": state["target"], "why": why}})
    write_access_event(stopped, actor=supporter, outcome=Outcome.OK, request=request)


def view_as_banner(request):
    """Template value for the banner every page shows during a view-as session."""
    view_as = getattr(request, "view_as", None)
    return {"view_as": view_as} if view_as is not None else {}


class StartForm(forms.Form):
    email = forms.EmailField(label="Educator's email")
    reason = forms.CharField(max_length=200, help_text="Why you need to see what they see: kept in the audit log.")

    def __init__(self, *args, supporter, **kwargs):
        super().__init__(*args, **kwargs)
        self.supporter = supporter
        self.fields["minutes"] = forms.IntegerField(min_value=1, max_value=settings.VIEW_AS_MINUTES, initial=15)

    def clean(self):
        cleaned = super().clean()
        if "email" in cleaned:
            target = Educator.objects.by_email(cleaned["email"]).first()
            why_not = "No educator has this email address." if target is None else refusal(self.supporter, target)
            if why_not:
                raise forms.ValidationError(why_not)
            cleaned["target"] = target
        return cleaned


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def view_as_start(request):
    """The supporter names the educator, a reason and how long; the session then shows Insights as they see it."""
    if not may_start_viewing_as(request.user):
        return HttpResponseForbidden("Viewing as another educator needs the view-as permission.")
    form = StartForm(request.POST or None, supporter=request.user)
    if request.method == "POST" and form.is_valid():
        target, minutes = form.cleaned_data["target"], form.cleaned_data["minutes"]
        until = time.time() + minutes * 60
        request.session[SESSION_KEY] = {"target": target.pk, "email": target.email, "until": until}
        set_action("view_as_start")
        record_details(
            view_as_start={
                **_identity(target),
                "minutes": minutes,
                "until": datetime.datetime.fromtimestamp(until, tz=datetime.UTC).isoformat(),
                "reason": form.cleaned_data["reason"].strip(),
            }
        )
        return redirect("students:home")
    return render(request, "educators/view_as_start.html", {"form": form, "limit": settings.VIEW_AS_MINUTES})


@never_cache
@login_required
@require_POST
def view_as_stop(request):
    """Back to the supporter's own view; recorded under both identities."""
    supporter = getattr(request, "supporter", None)
    if supporter is None:
        return redirect("students:home")
    request.session.pop(SESSION_KEY, None)
    set_action("view_as_stop")
    record_details(view_as_stop={**_identity(request.user), "why": "stopped", "at": timezone.now().isoformat()})
    messages.info(request, f"You stopped viewing Insights as {request.user.full_name}.")
    return redirect("educators:view_as_start")
