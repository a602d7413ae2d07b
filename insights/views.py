"""Site-wide views that belong to no app: the health check and the session keep-alive."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST


@require_GET
@never_cache
def health(request):
    """For the platform's router and uptime checks: the app is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_POST
@never_cache
def session_keep_alive(request):
    """The session warning's "stay signed in" button: any signed-in request counts as activity
    (educators.middleware.SessionLifetimeMiddleware), so this only answers how long is left."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    return JsonResponse({"signed_in": True, "seconds_remaining": request.session_seconds_remaining})
