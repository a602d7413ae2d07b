"""Destruction's jobs on the queue (insights/jobs.py): the exit export, and the daily retention sweep."""

from django.conf import settings

from destruction.exits import EXIT_EXPORT_TASK, run_exit_export
from destruction.models import ExitExport
from destruction.retention import sweep
from insights.database import job_timeouts
from insights.jobs import app

QUEUE = "privacy"


@app.task(queue=QUEUE, name=EXIT_EXPORT_TASK, lock="destruction-exit-export")
@job_timeouts()
def exit_export_job(export_id: int) -> str:
    export = ExitExport.objects.get(pk=export_id)
    run_exit_export(export)
    return ExitExport.Status.DONE


@app.periodic(cron="17 3 * * *", periodic_id="daily-retention-sweep")
@app.task(queue=QUEUE, name="destruction.retention_sweep", lock="destruction-retention-sweep")
@job_timeouts()
def retention_sweep_job(timestamp: int) -> int:
    """The daily sweep: a real run unless RETENTION_SWEEP_APPLY is off; returns the sweep's id."""
    return sweep(actor=None, dry_run=not settings.RETENTION_SWEEP_APPLY).pk
