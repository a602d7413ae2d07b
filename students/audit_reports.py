"""The audit report that needs the district's organisation: weekly usage per school.

The audit core (audit/) reads only its own tables; counting active educators per school also
reads educators' home schools and schoolwide grants, so the report lives here, above both, and
is listed in ``settings.AUDIT_REPORT_FORMS`` for the admin (``manage.py audit_weekly_usage``
prints it). Like every audit report it is one SQL statement over the audit log's indexes.
"""

import datetime

from django.conf import settings

from audit.forms import WindowForm
from audit.models import AccessEvent
from audit.reports import Report, fetch
from educators.models import Educator
from permissions.models import SchoolGrant
from students.models import School


def weekly_usage_query(*, since: datetime.datetime, until: datetime.datetime) -> tuple[str, dict]:
    educators = Educator._meta.db_table
    sql = f"""
        WITH active AS (
            SELECT DISTINCT date_trunc('week', e.occurred_at AT TIME ZONE %(zone)s)::date AS week, e.actor_id
            FROM {AccessEvent._meta.db_table} e
            WHERE e.occurred_at >= %(since)s AND e.occurred_at < %(until)s AND e.actor_id IS NOT NULL
        ),
        educator_school AS (
            SELECT ed.id AS educator_id, ed.home_school_id AS school_id
            FROM {educators} ed WHERE ed.home_school_id IS NOT NULL
            UNION
            SELECT g.user_id, g.content_object_id
            FROM {SchoolGrant._meta.db_table} g JOIN {educators} ed ON ed.id = g.user_id
            WHERE ed.home_school_id IS NULL
        )
        SELECT to_char(a.week, 'IYYY-"W"IW'), a.week, coalesce(sc.name, 'No school'), count(DISTINCT a.actor_id)
        FROM active a
        LEFT JOIN educator_school es ON es.educator_id = a.actor_id
        LEFT JOIN {School._meta.db_table} sc ON sc.id = es.school_id
        GROUP BY a.week, sc.id, sc.name
        ORDER BY a.week, sc.name NULLS LAST"""  # noqa: S608 (names from model metadata)
    return sql, {"zone": settings.TIME_ZONE, "since": since, "until": until}


def weekly_usage(*, since: datetime.datetime, until: datetime.datetime) -> Report:
    """Distinct educators with any recorded access, per ISO week and school (home school, else granted schools).

    Counts only: how much the system is used is reviewed in aggregate, never per person.
    """
    rows = [(row[0], row[1].isoformat(), *row[2:]) for row in fetch(weekly_usage_query(since=since, until=until))]
    return Report(title="Weekly usage", columns=("week", "week starting", "school", "active educators"), rows=rows)


class WeeklyUsageForm(WindowForm):
    name = "weekly_usage"
    title = "Weekly usage"

    def report(self) -> Report:
        since, until = self.window()
        return weekly_usage(since=since, until=until)
