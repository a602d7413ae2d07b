"""Cross-cutting request middleware that belongs to no app."""

from django.utils.cache import add_never_cache_headers

from insights import scrubbing


class ScrubbingMiddleware:
    """Gives each request its own, empty collection of sensitive values, cleared when it ends.

    Selectors fill it with ``scrubbing.remember_student``; error reports and log lines written
    while the request runs are scrubbed of those values. Sits right after AuthenticationMiddleware
    so reports can name the user's role (never the user) and the route (never the URL).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with scrubbing.collection(request):
            return self.get_response(request)


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
