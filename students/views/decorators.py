"""What every page showing student data needs: a signed-in educator and no caching anywhere."""

import functools

from django.contrib.auth.decorators import login_required
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from permissions.holdings import once_per_request


def educator_page(*methods: str):
    """Sign-in required, only the given HTTP methods (GET by default), and never stored by a browser or proxy.

    Pages are shown on shared school computers: "never cache" keeps student data out of the
    browser's cache and its back-button history after sign-out. What the educator holds is looked
    up once for the request (permissions/holdings.py), however many of the page's reads ask.
    """
    allowed = list(methods or ("GET",))

    def decorate(view):
        @functools.wraps(view)
        def holdings_looked_up_once(request, *args, **kwargs):
            once_per_request(request.user)
            return view(request, *args, **kwargs)

        return login_required(never_cache(require_http_methods(allowed)(holdings_looked_up_once)))

    return decorate
