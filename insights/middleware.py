"""Cross-cutting request middleware that belongs to no app."""

import logging

from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.http import parse_header_parameters

from insights import database, scrubbing, views

logger = logging.getLogger(__name__)


UTF_8 = frozenset(("utf-8", "utf8"))


class UTF8RequestsOnly:
    """WSGI wrapper: a request declaring any charset but UTF-8 is refused with a plain 400.

    Every page here sends UTF-8. Django applies a declared charset while it builds the request,
    before any middleware runs: a codec that is not a text encoding (``charset=base64``) raised
    out of the WSGI handler, so gunicorn logged the URL with its query string and a traceback;
    another encoding (``utf-16``) made the CSRF check raise and Django's 400 handler raise again in
    every middleware layer (about 18 error reports for one request); an unknown one was silently
    read as UTF-8. This answers one 400 instead, logs a warning and reports nothing.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        _content_type, params = parse_header_parameters(environ.get("CONTENT_TYPE", ""))
        charset = params.get("charset")
        if charset is None or charset.lower() in UTF_8:
            return self.application(environ, start_response)
        logger.warning("Refused a %s request declaring a charset other than UTF-8", environ.get("REQUEST_METHOD"))
        page = render_to_string("400.html").encode()
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(page))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        start_response("400 Bad Request", headers)
        return [page]


class ScrubbingMiddleware:
    """Gives each request its own, empty collection of sensitive values, cleared when it ends.

    Selectors fill it with ``scrubbing.remember_student``; error reports and log lines written
    while the request runs are scrubbed of those values. Sits right after AuthenticationMiddleware
    so reports can name the route (never the URL) and, once the view is about to run, the user's
    role (never the user).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with scrubbing.collection(request):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The outer middleware have loaded the user by now (the session checks look at it): no query.
        scrubbing.remember_user(request.user)


class NoStoreMiddleware:
    """Every page the app renders is ``Cache-Control: no-store, private``: no browser or proxy keeps a copy.

    Signed-in pages show student data, and allauth's pages show TOTP secrets, recovery codes,
    sessions and email addresses; the only pages without a signed-in person are sign-in steps,
    which carry CSRF tokens and a half-finished sign-in. A shared school computer's back button
    or disk cache must not bring any of them back. Static files are served (and cached) by
    WhiteNoise ahead of this middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class DatabaseBusyMiddleware:
    """A page stopped by the database's web time limits answers 503 with a calm page, not a 500.

    A held lock or a runaway statement hits ``lock_timeout`` / ``statement_timeout`` (see
    insights/database.py) within seconds, so one slow transaction cannot stall every worker; the
    person is told nothing was saved and to try again. It is an operating condition, not a bug:
    logged as a warning with the route, not sent as an error report.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database.is_timeout(exception):
            return None
        reason = "lock timeout" if exception.__cause__.sqlstate == "55P03" else "statement timeout"
        # A view raised, so the URL was resolved: its route pattern names the page without any id.
        logger.warning("Database busy (%s) on %s /%s", reason, request.method, request.resolver_match.route)
        return views.busy_page()
