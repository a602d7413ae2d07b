"""Import jobs on the queue (insights/jobs.py): the admin page defers them, the worker runs them.

A lock makes runs wait their turn instead of failing; each job runs with the job time limits
(insights/database.py) and records its own audit event under the educator who asked for it.
"""

from educators.models import Educator
from insights.database import job_timeouts
from insights.jobs import IMPORTS_QUEUE, app
from students.sis.models import ImportRun
from students.sis.runs import approve_run, run_import

LOCK = "sis-import"


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
