"""WSGI entry point for gunicorn.

The web process runs the security system checks before it serves anything, so a deployment whose
encryption keys or mail are misconfigured refuses to start instead of failing later. Requests
declaring a charset other than UTF-8 are refused before Django builds them (insights.middleware).
"""

import os

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from insights.middleware import UTF8RequestsOnly

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insights.settings")
application = UTF8RequestsOnly(get_wsgi_application())

_problems = [problem for problem in checks.run_checks(tags=[checks.Tags.security]) if problem.is_serious()]
if _problems:
    raise ImproperlyConfigured("; ".join(f"{problem.id}: {problem.msg}" for problem in _problems))
