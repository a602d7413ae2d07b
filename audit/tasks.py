"""The audit log's job on the queue (insights/jobs.py): each day, the coming months' partitions."""

from audit.partitions import create_partitions
from insights.database import job_timeouts
from insights.jobs import app


@app.periodic(cron="41 2 * * *", periodic_id="audit-partitions-ahead")
@app.task(name="audit.create_partitions_ahead", lock="audit-partitions")
@job_timeouts()
def create_partitions_ahead_job(timestamp: int) -> list[str]:
    """Create the audit tables' partitions for this month and the next MONTHS_AHEAD ones; returns those created."""
    return create_partitions()
