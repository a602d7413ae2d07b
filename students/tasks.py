"""The student record's jobs on the queue (insights/jobs.py): keeping the absence summary current."""

from django.utils import timezone

from insights.database import job_timeouts
from insights.jobs import app
from students.models.absence_summary import absence_summary_is_current, rebuild_absence_summary

QUEUE = "summaries"
SUMMARY_LOCK = "students-absence-summary"


# Every five minutes: soon after the district's midnight (when the window moves, whatever the time
# zone's offset that day) and soon after any write to absences (an import, the admin, a correction).
# A current summary costs the check alone; the queueing lock keeps at most one waiting.
@app.periodic(cron="*/5 * * * *", periodic_id="absence-summary")
@app.task(queue=QUEUE, name="students.refresh_absence_summary", lock=SUMMARY_LOCK, queueing_lock=SUMMARY_LOCK)
@job_timeouts()
def refresh_absence_summary(timestamp: int) -> bool:
    """Rebuild the absence summary for today unless it is current; True if it was rebuilt."""
    day = timezone.localdate()
    return not absence_summary_is_current(day) and rebuild_absence_summary(day)
