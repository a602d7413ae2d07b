"""The worker process that the Procfile and `make run` start runs the SFTP schedule by itself."""

import datetime
import os
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection
from django.utils import timezone

from students.sis.models import ImportRun
from tests.processes import database_url
from tests.sis.sftp.conftest import make_source, write_package

WAIT_SECONDS = 180


def finished_pull() -> ImportRun | None:
    running = (ImportRun.Status.RECEIVED, ImportRun.Status.RUNNING)
    return ImportRun.objects.filter(source="sftp nightly").exclude(status__in=running).first()


def test_the_procfile_worker_pulls_a_due_source_on_its_own(server, outbox, importer):
    write_package(outbox, "insights-2026-12-01.zip")
    now = timezone.now()
    make_source(
        server,
        run_at=(timezone.localtime(now) - datetime.timedelta(minutes=30)).time(),
        last_scheduled_for=now - datetime.timedelta(days=1),
    )
    with connection.cursor() as cursor:  # Procrastinate's tables outlive each test: forget earlier ticks
        cursor.execute("DELETE FROM procrastinate_periodic_defers WHERE task_name = 'sis.pull_due_sources'")

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        cwd=settings.BASE_DIR,
        env=os.environ | {"DATABASE_URL": database_url()},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while (run := finished_pull()) is None and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=60)

    assert run is not None, output[-3000:]
    assert run.status == ImportRun.Status.APPLIED and run.triggered_by is None, run.error
