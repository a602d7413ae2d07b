"""The job worker outlives a database outage: `manage.py run_worker` starts it again, and jobs run.

A real worker process on the test database; the outage is real too: the database refuses new
connections and the worker's own connections are cut, as a PostgreSQL restart does to them.
"""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob
from psycopg import sql

from tests.processes import database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 120


def _worker_backends(*, listening: bool = False) -> list[int]:
    """The worker's connections (every one but the test's own); with ``listening``, only its LISTEN one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND (NOT %s OR query LIKE 'LISTEN%%')",
            [listening],
        )
        return [pid for (pid,) in cursor.fetchall()]


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def worker_process(transactional_db, tmp_path):
    """`manage.py run_worker` on the test database, its log in a file; stopped after the test."""
    url = database_url()
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker"],
            cwd=PROJECT_DIR,
            env={**os.environ, "DATABASE_URL": url},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield process, log_path
    if process.poll() is None:
        process.kill()
        process.wait()


@contextmanager
def database_outage(database: str):
    """Refuse new connections and cut the worker's ones, as a restart does, until the block ends.

    A database cannot refuse connections to itself, so this is said from the server's `postgres` database.
    """
    with psycopg.connect(database_url("postgres"), autocommit=True) as server:
        server.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(database)))
        try:
            for pid in _worker_backends():
                server.execute("SELECT pg_terminate_backend(%s)", [pid])
            yield
        finally:
            server.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(database)))


def test_after_a_database_outage_the_worker_starts_again_and_runs_jobs(worker_process):
    process, log_path = worker_process
    _wait_for(lambda: "Starting worker" in log_path.read_text(), "the worker to start")
    _wait_for(lambda: _worker_backends(listening=True), "the worker to listen for new jobs")

    with database_outage(connection.settings_dict["NAME"]):
        # Its listener checks its connection every 30 s; finding it gone with no database, Procrastinate stops.
        _wait_for(lambda: "starting it again" in log_path.read_text(), "the worker to notice the outage")
    job_id = app.configure_task("procrastinate.builtin_tasks.remove_old_jobs").defer(max_hours=1)

    _wait_for(
        lambda: ProcrastinateJob.objects.filter(id=job_id, status="succeeded").exists(),
        "the job to run after the outage",
    )
    assert process.poll() is None, "the worker process is still running"
    process.terminate()
    assert process.wait(timeout=30) == 0, "SIGTERM stops it cleanly"
