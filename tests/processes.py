"""For tests that start a process of their own (the job worker): where it finds the test database."""

import os
from urllib.parse import urlsplit

from django.db import connection


def database_url(name: str | None = None) -> str:
    """The test database's address, or another database's on the same server."""
    database = name or connection.settings_dict["NAME"]
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl()
