"""Site-wide views that belong to no app: the health check, the icon, the session keep-alive and the error pages."""

import sys

from django.db import connection
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from insights import database

RETRY_AFTER_SECONDS = 30


@require_GET
@never_cache
def health(request):
    """For the platform's router and uptime checks: the app is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (the admin, a downloaded PDF): the site's icon.

    A temporary redirect, as the icon's address changes with its content hash on each deploy."""
    return HttpResponseRedirect(static("img/favicon.svg"))


@require_POST
@never_cache
def session_keep_alive(request):
    """The session warning's "stay signed in" button: any signed-in request counts as activity
    (educators.middleware.SessionLifetimeMiddleware), so this only answers how long is left."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    return JsonResponse({"signed_in": True, "seconds_remaining": request.session_seconds_remaining})


def bad_request(request, exception):
    """Django's 400 handler, without its CSRF decorator: that one reads request.POST again, so a body
    Django refused to parse raised once more inside the handler of every middleware layer (about 18
    error reports for one request). Rendered without the request: nothing here may read it."""
    return HttpResponseBadRequest(render_to_string("400.html"))


def server_error(request):
    """Django's 500 handler. While the database cannot be reached (a restart, a failover), the person
    gets the calm 503 page saying nothing was saved and to try again, not "something went wrong":
    Django calls this inside its exception handler, so the error is the one being handled."""
    if database.is_unreachable(sys.exc_info()[1]):
        return busy_page()
    return HttpResponseServerError(render_to_string("500.html"))


def busy_page() -> HttpResponse:
    """503 with the calm page: the database did not answer in time or at all, nothing was saved."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
