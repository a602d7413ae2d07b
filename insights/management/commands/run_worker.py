"""`manage.py run_worker`: the job worker, started again when the database comes back.

Procrastinate's worker stops when its connection to PostgreSQL breaks (a restart, a Heroku Postgres
maintenance or failover) — its notification listener fails and it shuts down as if asked to — and
Heroku restarts a stopped dyno only after a growing delay, so imports, exports and sweeps would
wait. This runs the same worker (every queue, periodic tasks included) and, when it stops without
having been asked to, waits (1 s, doubling up to 30 s) and starts it again. SIGTERM (Heroku's, at
a restart or deploy) or Ctrl-C stops it gracefully, as Procrastinate's own command does.
"""

import asyncio
import logging
import signal
import time

from django.core.management.base import BaseCommand
from procrastinate.contrib.django import app
from procrastinate.exceptions import ConnectorException
from procrastinate.worker import Worker
from psycopg_pool import PoolTimeout

logger = logging.getLogger(__name__)

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
# A worker that ran this long before failing was healthy: its next restart waits the first delay again.
HEALTHY_RUN_SECONDS = 60.0


class Command(BaseCommand):
    help = "Run the job worker (every queue, periodic tasks included), restarting it after a database outage."

    def handle(self, **options):
        with app.replace_connector(app.connector.get_worker_connector()):
            asyncio.run(_supervise())


async def _supervise() -> None:
    stopping = asyncio.Event()
    current: list[Worker] = []

    def stop() -> None:
        stopping.set()
        for worker in current:
            worker.stop()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    app.perform_import_paths()
    delay = FIRST_DELAY_SECONDS
    while not stopping.is_set():
        started = time.monotonic()
        current[:] = [Worker(app=app, **{**app.worker_defaults, "install_signal_handlers": False})]
        try:
            async with app.open_async():
                await current[0].run()
        except (ConnectorException, PoolTimeout):  # lost the database, or could not reach it to start
            pass
        if stopping.is_set():
            return
        if time.monotonic() - started > HEALTHY_RUN_SECONDS:
            delay = FIRST_DELAY_SECONDS
        logger.warning("The job worker stopped unasked (the database went away); starting it again in %.0f s", delay)
        try:
            await asyncio.wait_for(stopping.wait(), timeout=delay)
        except TimeoutError:
            delay = min(delay * 2, MAX_DELAY_SECONDS)
