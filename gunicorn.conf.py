"""Gunicorn settings for Heroku (gunicorn reads ./gunicorn.conf.py on its own).

The access log names the path, never the query string or the referrer: a search term or filter
in a URL may be a student's name, and logs leave the instance for a log service.
"""

import os
import time

from gunicorn import glogging

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"  # noqa: S104 (the dyno's router is the only way in)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Heroku's router terminates TLS and sets X-Forwarded-Proto/-For; requests reach the dyno only through it.
forwarded_allow_ips = "*"
accesslog = "-"
errorlog = "-"
# %(U)s is the path without the query string (%(r)s and %(q)s would include it, %(f)s is the referrer).
# %(M)s is the time the worker spent on the request (the router's queue not included), cpu= the CPU
# time it used: together they tell a slow page from a busy machine.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms cpu=%(cpu)sms request_id=%({x-request-id}i)s'


def pre_request(worker, req):
    """Notes the worker's CPU clock as it takes a request (a sync worker serves one at a time)."""
    req.cpu_started = time.process_time()


class AccessLogger(glogging.Logger):
    """Gunicorn's logger, with the CPU time the worker used on the request as the access log's ``cpu`` atom.

    Both times are written with thousands separators (12,345ms): the scrubbing filter masks any run
    of five digits or more, which would hide exactly the slowest requests.
    """

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["M"] = f"{atoms['M']:,}"
        started = getattr(req, "cpu_started", None)
        atoms["cpu"] = "-" if started is None else f"{(time.process_time() - started) * 1000:,.1f}"
        return atoms


logger_class = AccessLogger

# Both of gunicorn's own logs go through the project's scrubbing filter (insights/scrubbing.py), like
# every Django handler: the error log would otherwise print "Error handling request
# /search/?q=<a student's name>" and its traceback as they are. Replaces gunicorn's default
# handlers (same streams and formats); nothing propagates to a handler without the filter.
logconfig_dict = {
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
    },
    "filters": {"scrub": {"()": "insights.scrubbing.ScrubbingFilter"}},
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "error",
            "filters": ["scrub"],
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "access",
            "filters": ["scrub"],
        },
    },
    "formatters": {
        "error": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
        "access": {"format": "%(message)s"},
    },
}
