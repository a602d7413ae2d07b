"""Gunicorn settings for Heroku (gunicorn reads ./gunicorn.conf.py on its own).

The access log names the path, never the query string or the referrer: a search term or filter
in a URL may be a student's name, and logs leave the instance for a log service.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"  # noqa: S104 (the dyno's router is the only way in)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Heroku's router terminates TLS and sets X-Forwarded-Proto/-For; requests reach the dyno only through it.
forwarded_allow_ips = "*"
accesslog = "-"
errorlog = "-"
# %(U)s is the path without the query string (%(r)s and %(q)s would include it, %(f)s is the referrer).
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}i)s'

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
