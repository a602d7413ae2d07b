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
