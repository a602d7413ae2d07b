"""What every page showing student data needs: a signed-in educator and no caching anywhere."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods


def educator_page(*methods: str):
    """Sign-in required, only the given HTTP methods (GET by default), and never stored by a browser or proxy.

    Pages are shown on shared school computers: "never cache" keeps student data out of the
    browser's cache and its back-button history after sign-out.
    """
    allowed = list(methods or ("GET",))

    def decorate(view):
        return login_required(never_cache(require_http_methods(allowed)(view)))

    return decorate
