"""The job queue: Procrastinate, on the district's own PostgreSQL.

Why Procrastinate: it needs nothing but PostgreSQL (no Redis or second datastore to run, secure
and back up per district), a job is deferred in the same transaction as the write that asks for
it, it has periodic tasks (nightly imports and sweeps) and job locks (one import at a time), and
it is maintained with a Django integration (its models in the admin, its migrations, and
``manage.py procrastinate worker``). Django 5.2 has no task framework of its own, and the
django-tasks database backend has neither locks nor periodic tasks.

Tasks live in each app's ``tasks.py`` (found by Procrastinate's autodiscovery) and are deferred
with ``task.defer(...)``; the ``worker`` process (Procfile, ``make run``) runs them.
"""

import threading

from django.db import connections
from procrastinate.contrib.django import app

IMPORTS_QUEUE = "imports"


def run_worker_until_idle(*, queues: list[str] | None = None) -> None:
    """Run a worker in this process until the queue is empty (tests, and one-off catch-up runs).

    The worker runs its event loop in a thread of its own, so a caller whose thread already has a
    loop running (Playwright's sync API keeps one) can still use it; its errors are raised here.
    """
    failures: list[BaseException] = []

    def work() -> None:
        try:
            with app.replace_connector(app.connector.get_worker_connector()):
                app.run_worker(queues=queues, wait=False, install_signal_handlers=False, listen_notify=False)
        except BaseException as error:  # handed to the caller's thread below
            failures.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=work, name="procrastinate-worker")
    worker.start()
    worker.join()
    if failures:
        raise failures[0]
