"""Privacy jobs on the queue (insights/jobs.py): the hourly wipe of download files nobody fetched in time."""

from insights.database import job_timeouts
from insights.jobs import app
from privacy.downloads import purge_expired_downloads

PRIVACY_QUEUE = "privacy"


@app.periodic(cron="17 * * * *")
@app.task(queue=PRIVACY_QUEUE, name="privacy.purge_expired_downloads")
@job_timeouts()
def purge_expired_downloads_job(timestamp: int) -> int:
    """Expired files are wiped within the hour, even if nobody opens the admin."""
    return purge_expired_downloads()
