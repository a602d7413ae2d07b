"""Writes one AccessEvent per request that touched student data, was denied, or showed a recorded admin page.

It sits innermost in MIDDLEWARE, right around the view: a view that raises has already been
turned into a 500 response when control comes back here, and a policy 404 into a 404 response,
so the event is written in every case. If the event cannot be written the error propagates and
the person gets an error page instead of unrecorded student data.
"""

from audit.admin_pages import record_admin_page, recorded_admin_page
from audit.events import write_access_event
from audit.recorder import recording


def _actor(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class AccessRecorderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with recording() as opened:
            response = self.get_response(request)
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
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Before an admin POST changes or deletes rows, note whose rows they are: afterwards they may be gone."""
        if request.method == "POST" and _actor(request) is not None:
            admin_page = recorded_admin_page(request, request.resolver_match)
            if admin_page is not None:
                record_admin_page(request, request.resolver_match, *admin_page, response=None)
