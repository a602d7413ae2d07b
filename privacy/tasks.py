"""Privacy jobs on the queue (insights/jobs.py): building packages, and the hourly wipe of unfetched files."""

from insights.database import job_timeouts
from insights.jobs import app
from privacy.downloads import purge_expired_downloads
from privacy.models import PackageRun
from privacy.runs import BUILD_TASK, PRIVACY_QUEUE, run_package


@app.task(queue=PRIVACY_QUEUE, name=BUILD_TASK)
@job_timeouts()
def build_package_job(run_id: int) -> str:
    """A family's record or a breach package, built under the person who asked for it."""
    return run_package(PackageRun.objects.get(pk=run_id)).status


@app.periodic(cron="17 * * * *")
@app.task(queue=PRIVACY_QUEUE, name="privacy.purge_expired_downloads")
@job_timeouts()
def purge_expired_downloads_job(timestamp: int) -> int:
    """Expired files are wiped within the hour, even if nobody opens the admin."""
    return purge_expired_downloads()
