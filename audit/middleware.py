"""Writes one AccessEvent per request that touched student data, was denied, or showed a recorded admin page.

It sits innermost in MIDDLEWARE, right around the view: a view that raises has already been
turned into a 500 response when control comes back here, and a policy 404 into a 404 response,
so the event is written in every case. If the event cannot be written the error propagates and
the person gets an error page instead of unrecorded student data.

A request that may change data (any method but GET, HEAD, OPTIONS and TRACE) runs its view and
writes its event in one transaction, so a change and its audit row commit together: if the event
cannot be written, or the view's own database work (a grant change's audit row, say) fails, the
change is rolled back and the person is told nothing was saved (a retry then saves it once). A
view that fails with a 5xx has its writes rolled back too, and its event (outcome "error") is
written after the rollback.

A request made on someone else's behalf says so before it gets here: ``request.audit_actor`` is
the person acting (a supporter viewing Insights as an educator, while ``request.user`` is the
educator) and ``request.audit_details`` names the other identity; such a request is always
recorded, page by page.
"""

import logging

from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.template.loader import render_to_string

from audit.admin_pages import record_admin_page, recorded_admin_page
from audit.events import write_access_event
from audit.recorder import Recording, recording

logger = logging.getLogger(__name__)

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
NOT_SAVED_TEMPLATE = "audit/not_saved.html"


def _actor(request):
    # A request made for someone else (support viewing Insights as an educator) names the person acting.
    acting = getattr(request, "audit_actor", None)
    if acting is not None:
        return acting
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _not_saved() -> HttpResponse:
    # Rendered without the request: no context processor may need the database now.
    return HttpResponse(render_to_string(NOT_SAVED_TEMPLATE), status=503)


class _ViewFailed(Exception):
    """Raised inside the request's transaction to roll back the writes of a view that answered 5xx."""

    def __init__(self, response):
        super().__init__("the view answered with a server error")
        self.response = response


class AccessRecorderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with recording() as opened:
            opened.details.update(getattr(request, "audit_details", {}))  # e.g. the identity viewed as
            if request.method in READ_ONLY_METHODS:
                response = self.get_response(request)
                self._record(request, opened, response)
                return response
            try:
                with transaction.atomic():
                    response = self.get_response(request)
                    if response.status_code >= 500:
                        raise _ViewFailed(response)
                    self._record(request, opened, response)
            except _ViewFailed as failed:
                try:
                    self._record(request, opened, failed.response)
                except DatabaseError:  # the database is failing: the person still gets the failed page
                    logger.exception("The audit event of a failed request could not be written.")
                return failed.response
            except DatabaseError:
                logger.exception("The audit event could not be written; the request's changes were rolled back.")
                return _not_saved()
            return response

    def process_exception(self, request, exception):
        """A writing view whose database work failed (its own audit row included) is rolled back: say so plainly."""
        if request.method not in READ_ONLY_METHODS and isinstance(exception, DatabaseError):
            logger.error("A change failed in the database and was rolled back.", exc_info=exception)
            return _not_saved()
        return None

    def _record(self, request, opened: Recording, response) -> None:
        match = request.resolver_match
        actor = _actor(request)
        admin_page = recorded_admin_page(request, match) if actor is not None else None
        if admin_page is not None:
            record_admin_page(request, match, *admin_page, response)
        if admin_page is not None or opened.touched_anything:
            if not opened.action:
                opened.action = match.view_name if match is not None else ""
            if response.status_code == 403:  # the admin's refusals, which do not call record_denied()
                opened.denied = True
            outcome = opened.outcome(failed=response.status_code >= 500)
            write_access_event(opened, actor=actor, outcome=outcome, request=request, status=response.status_code)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Before an admin POST changes or deletes rows, note whose rows they are: afterwards they may be gone."""
        if request.method == "POST" and _actor(request) is not None:
            admin_page = recorded_admin_page(request, request.resolver_match)
            if admin_page is not None:
                record_admin_page(request, request.resolver_match, *admin_page, response=None)
