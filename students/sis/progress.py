"""Live progress of a run, visible while its transaction is still open.

The run's own transaction cannot publish anything until it commits, so progress is written
through a second, autocommitting connection, at most twice a second. The run row is never
touched by the main transaction until progress has been closed; and progress is best-effort: a
write that would wait on a lock gives up at once (and progress stops), never stalling the import.
"""

import time

import psycopg
from django.db import connection

INTERVAL_SECONDS = 0.5


class Progress:
    """Publishes ``progress_stage`` and ``progress_done`` of ``run``: any model with those columns (an
    import run, an exit export)."""

    def __init__(self, run, on_progress=None):
        self.run = run
        self.on_progress = on_progress
        self.done = 0
        self.label = ""
        self._written_at = 0.0
        self._connection = None
        self._broken = False

    def _publish(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written_at < INTERVAL_SECONDS:
            return
        self._written_at = now
        if self.on_progress is not None:
            self.on_progress(self.label, self.done, self.run.progress_total)
        if self._broken:
            return
        try:
            if self._connection is None:
                params = connection.get_connection_params()
                params.pop("cursor_factory", None)
                params.pop("context", None)
                self._connection = psycopg.connect(**params, autocommit=True)
                self._connection.execute("SET lock_timeout = '200ms'")
                self._connection.execute("SET statement_timeout = '2s'")
            self._connection.execute(
                f"UPDATE {self.run._meta.db_table} SET progress_stage = %s, progress_done = %s "  # noqa: S608
                "WHERE id = %s",
                [self.label[:80], self.done, self.run.pk],
            )
        except psycopg.Error:
            self._broken = True
            self.close()

    def stage(self, label: str) -> None:
        self.label = label
        self._publish(force=True)

    def advance(self, size: int) -> None:
        self.done += size
        self._publish()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
