"""Template values for the session-expiry warning (set by educators.middleware.SessionLifetimeMiddleware)."""

from django.conf import settings


def session_expiry(request):
    """Seconds until this session ends if nothing else happens, and the idle limit, for signed-in pages."""
    remaining = getattr(request, "session_seconds_remaining", None)
    if remaining is None:
        return {}
    return {
        "session_seconds_remaining": remaining,
        "session_idle_timeout_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS,
    }
