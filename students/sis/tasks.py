"""Import jobs on the queue (insights/jobs.py): the admin page defers them, the worker runs them.

A lock makes runs wait their turn instead of failing; each job runs with the job time limits
(insights/database.py) and records its own audit event under the educator who asked for it.
Configured SFTP sources are pulled on their schedule by a periodic task, which every worker
runs: ``pull_due_sources`` looks every few minutes for sources whose time of day has come.
"""

import datetime

from educators.models import Educator
from insights.database import job_timeouts
from insights.jobs import IMPORTS_QUEUE, app
from students.sis.models import ImportRun
from students.sis.runs import approve_run, run_import
from students.sis.sftp.models import ImportSource
from students.sis.sftp.pulls import check_connection, claim_due_sources, pull_source

LOCK = "sis-import"
SOURCES_CRON = "*/5 * * * *"  # how often the worker looks for due sources: a pull starts within 5 minutes


@app.task(queue=IMPORTS_QUEUE, lock=LOCK, name="sis.run_import")
@job_timeouts()
def run_import_job(run_id: int, actor_id: int) -> str:
    run = run_import(ImportRun.objects.get(pk=run_id), actor=Educator.objects.get(pk=actor_id))
    return run.status


@app.task(queue=IMPORTS_QUEUE, lock=LOCK, name="sis.approve_import")
@job_timeouts()
def approve_import_job(run_id: int, actor_id: int) -> str:
    run = approve_run(ImportRun.objects.get(pk=run_id), actor=Educator.objects.get(pk=actor_id))
    return run.status


@app.task(queue=IMPORTS_QUEUE, lock=LOCK, name="sis.pull_source")
@job_timeouts()
def pull_source_job(source_id: int, actor_id: int | None = None) -> str:
    """Fetch and import a source's newest package; no actor is the schedule's own pull."""
    source = ImportSource.objects.filter(pk=source_id).first()
    if source is None:
        return "source deleted"  # removed in the admin after the pull was asked for
    actor = Educator.objects.get(pk=actor_id) if actor_id is not None else None
    return pull_source(source, actor=actor).status


@app.task(queue=IMPORTS_QUEUE, name="sis.check_source_connection")
@job_timeouts()
def check_connection_job(source_id: int, actor_id: int) -> bool:
    source = check_connection(ImportSource.objects.get(pk=source_id), actor=Educator.objects.get(pk=actor_id))
    return bool(source.last_test_ok)


@app.periodic(cron=SOURCES_CRON, periodic_id="sis-sources-due")
@app.task(queue=IMPORTS_QUEUE, name="sis.pull_due_sources", queueing_lock="sis-pull-due-sources")
def pull_due_sources(timestamp: int) -> int:
    """Every few minutes: start the pull of each source whose time of day has come (Procfile's worker runs it)."""
    due = claim_due_sources(datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC))
    for source in due:
        pull_source_job.defer(source_id=source.pk)
    return len(due)
