"""Cross-cutting request middleware that belongs to no app."""

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
