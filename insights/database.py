"""Database time limits: short ones for web requests, longer ones for jobs and long commands.

Every connection starts with the web limits (``DATABASE_STATEMENT_TIMEOUT_SECONDS`` and
``DATABASE_LOCK_TIMEOUT_SECONDS``, passed as connection options in settings.py), so nothing can
hold a web worker past Heroku's 30-second router timeout by accident. Work that is allowed to run
longer says so: job tasks and long management commands run inside ``job_timeouts()``, as a
``with`` block or a decorator, which raises the limits to ``JOB_STATEMENT_TIMEOUT_SECONDS`` and
``JOB_LOCK_TIMEOUT_SECONDS`` on the current connection (and on any connection opened meanwhile)
and puts the connection's own limits back afterwards.
"""

from contextlib import ContextDecorator
from contextvars import ContextVar

from django.conf import settings
from django.db import connection
from django.db.utils import OperationalError

# SQLSTATEs of a statement stopped by a time limit: lock_not_available (lock_timeout) and
# query_canceled (statement_timeout).
TIMEOUT_SQLSTATES = frozenset(("55P03", "57014"))

# SQLSTATEs of a server going away: admin_shutdown, crash_shutdown, cannot_connect_now (starting up).
SHUTDOWN_SQLSTATES = frozenset(("57P01", "57P02", "57P03"))

_job_limits: ContextVar[tuple[int, int] | None] = ContextVar("insights_job_timeouts", default=None)


def is_timeout(error: BaseException) -> bool:
    """Whether the error is a statement the database stopped because of a time limit."""
    return isinstance(error, OperationalError) and getattr(error.__cause__, "sqlstate", None) in TIMEOUT_SQLSTATES


def is_unreachable(error: BaseException | None) -> bool:
    """Whether the error is the database not answering at all: no connection, or a server shutting down.

    A connection that cannot be made fails in the client, without a SQLSTATE; a server going away
    reports a connection_exception (class 08) or a shutdown state.
    """
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in SHUTDOWN_SQLSTATES


def _apply(cursor, statement_seconds: int, lock_seconds: int) -> None:
    cursor.execute(
        "SELECT set_config('statement_timeout', %s, false), set_config('lock_timeout', %s, false)",
        [f"{statement_seconds}s", f"{lock_seconds}s"],
    )


def apply_job_limits_to_new_connection(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver (connected in InsightsConfig.ready): a connection opened
    inside ``job_timeouts()`` gets the job limits too."""
    limits = _job_limits.get()
    if limits is not None:
        with connection.cursor() as cursor:
            _apply(cursor, *limits)


class job_timeouts(ContextDecorator):  # noqa: N801 (used like contextlib's context managers)
    """Run the block (or the decorated function) under the job time limits, then restore the web ones."""

    def __init__(self, *, statement_seconds: int | None = None, lock_seconds: int | None = None):
        self.limits = (
            statement_seconds if statement_seconds is not None else settings.JOB_STATEMENT_TIMEOUT_SECONDS,
            lock_seconds if lock_seconds is not None else settings.JOB_LOCK_TIMEOUT_SECONDS,
        )

    def __enter__(self):
        self._token = _job_limits.set(self.limits)
        if connection.connection is not None:
            with connection.cursor() as cursor:
                _apply(cursor, *self.limits)
        return self

    def __exit__(self, *exc_info):
        _job_limits.reset(self._token)
        # A closed connection reopens with the web limits, and a transaction rolled back undoes the
        # change by itself; otherwise an enclosing block's limits are put back, or RESET goes back
        # to the limits the connection started with.
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                if (enclosing := _job_limits.get()) is not None:
                    _apply(cursor, *enclosing)
                else:
                    cursor.execute("RESET statement_timeout")
                    cursor.execute("RESET lock_timeout")
