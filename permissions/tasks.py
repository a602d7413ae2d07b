"""Access-review jobs on the queue (insights/jobs.py), run by the worker on a schedule.

Opening runs on ``settings.ACCESS_REVIEW_CRON`` (quarterly by default); reminders and the expiry of
unreviewed grants run every morning. Each run is recorded as one audit event (no person behind it);
the expiries are grant change events of their own. permissions/reviews.py says what each step does.
"""

from django.conf import settings

from audit.recorder import command_recording, record_details
from insights.database import job_timeouts
from insights.jobs import app
from permissions.reviews import expire_unreviewed, open_reviews, send_reminders

LOCK = "access-reviews"


def _open() -> int:
    with command_recording(actor=None, action="access_reviews_open"):
        opened = open_reviews()
        record_details(reviews_opened=len(opened))
    return len(opened)


@app.periodic(cron=settings.ACCESS_REVIEW_CRON, periodic_id="quarterly")
@app.task(lock=LOCK, name="permissions.open_access_reviews")
@job_timeouts()
def open_access_reviews(timestamp: int) -> int:
    """The quarter's round of reviews, on schedule."""
    return _open()


@app.task(lock=LOCK, name="permissions.open_access_reviews_now")
@job_timeouts()
def open_access_reviews_now() -> int:
    """A round of reviews a district admin asked for now (the reviews page's button)."""
    return _open()


@app.periodic(cron="15 6 * * *", periodic_id="daily")
@app.task(lock=LOCK, name="permissions.follow_up_access_reviews")
@job_timeouts()
def follow_up_access_reviews(timestamp: int) -> dict:
    """Every morning: remind reviewers of reviews due soon, expire what went unreviewed past the grace period."""
    with command_recording(actor=None, action="access_reviews_follow_up"):
        done = {"reminders_sent": send_reminders(), "grants_expired": expire_unreviewed()}
        record_details(**done)
    return done
