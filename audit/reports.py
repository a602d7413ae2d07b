"""The audit reports a district needs, as plain query functions shared by the admin pages and the commands.

1. Student access: a family asks who saw their child's record.
2. Breach scope: which students an account or a network range exposed in a time window.
3. Sign-in activity: successful and failed sign-ins per identity and day.

They read the audit tables only (and the user model, to find an account by email). A report that
needs the district's organisation, such as weekly usage per school, lives with the app that knows
it (students/audit_reports.py) and is listed in ``settings.AUDIT_REPORT_FORMS``.

Each report is one SQL statement written to use an index on 10 million rows: the GIN index on
student_ids (``@>``), the (actor_id, occurred_at) B-tree, the client_ip B-tree (``<<=``) and the
BRIN index on occurred_at. ``*_query`` functions return the statement so ``make bench`` can EXPLAIN
it. Whoever looks at a report is recorded (``record_viewing``), with the students it names.
"""

import datetime
import ipaddress
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from audit.actions import describe_action
from audit.models import AccessEvent, Outcome, SignInEvent
from audit.recorder import record_details, record_students
from insights.csv import write_csv

ACCESS = AccessEvent._meta.db_table
SIGN_INS = SignInEvent._meta.db_table


@dataclass(frozen=True)
class Report:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple]
    # The students the report reveals something about; recorded when the report is shown.
    student_ids: list[int] = field(default_factory=list)


def window(first_day: datetime.date, last_day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """From the start of ``first_day`` to the end of ``last_day`` (inclusive), in the district's time zone."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


def local_time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def fetch(query: tuple[str, dict]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(*query)
        return cursor.fetchall()


def student_access_query(*, student_id: int) -> tuple[str, dict]:
    sql = f"""
        SELECT e.occurred_at, e.actor_name, e.actor_email, array_to_string(e.actor_roles, ' '), e.action, e.method,
               CASE WHEN e.exported_student_ids @> ARRAY[%(student)s]::bigint[] THEN 'exported'
                    WHEN e.changed_student_ids @> ARRAY[%(student)s]::bigint[] THEN 'changed'
                    ELSE 'viewed' END,
               e.outcome, host(e.client_ip)
        FROM {ACCESS} e
        WHERE e.student_ids @> ARRAY[%(student)s]::bigint[]
        ORDER BY e.occurred_at, e.id"""  # noqa: S608 (names from model metadata)
    return sql, {"student": student_id}


def student_access(*, student_id: int, label: str = "") -> Report:
    """Every recorded access to one student's data: who (name, email, roles then), when, what (in words).

    ``label`` names the student in the title, so a report with no rows still says whose it is.
    """
    rows = [
        (local_time(moment), name, email, roles, describe_action(action, method=method), *rest)
        for moment, name, email, roles, action, method, *rest in fetch(student_access_query(student_id=student_id))
    ]
    return Report(
        title=f"Student access: {label}" if label else "Student access",
        columns=("time", "name", "email", "roles", "action", "access", "outcome", "client ip"),
        rows=rows,
        student_ids=[student_id],
    )


def breach_conditions(*, actor_ids: list[int] | None, network: str | None) -> list[str]:
    """The WHERE conditions (over events ``e``) of a breach scope: the window, not denied, the account, the range."""
    conditions = ["e.occurred_at >= %(since)s", "e.occurred_at < %(until)s", "e.outcome <> %(denied)s"]
    if actor_ids is not None:
        conditions.append("e.actor_id = ANY(%(actors)s)")
    if network is not None:
        conditions.append("e.client_ip <<= %(network)s::inet")
    return conditions


def breach_parameters(
    *, actor_ids: list[int] | None, network: str | None, since: datetime.datetime, until: datetime.datetime
) -> dict:
    return {"since": since, "until": until, "denied": Outcome.DENIED, "actors": actor_ids, "network": network}


def breach_scope_query(
    *, actor_ids: list[int] | None, network: str | None, since: datetime.datetime, until: datetime.datetime
) -> tuple[str, dict]:
    conditions = breach_conditions(actor_ids=actor_ids, network=network)
    sql = f"""
        SELECT s.student_id, max(e.actor_name), max(e.actor_email), count(*), min(e.occurred_at), max(e.occurred_at)
        FROM {ACCESS} e CROSS JOIN LATERAL unnest(e.student_ids) AS s(student_id)
        WHERE {" AND ".join(conditions)}
        GROUP BY s.student_id, e.actor_id
        ORDER BY s.student_id, max(e.actor_email)"""  # noqa: S608 (names from model metadata)
    return sql, breach_parameters(actor_ids=actor_ids, network=network, since=since, until=until)


def breach_targets(*, account_email: str | None, network: str | None) -> tuple[list[int] | None, str | None]:
    """The account's ids (every account with that email) and the normalized range; ValueError if unusable."""
    if account_email is None and network is None:
        raise ValueError("Give an account, a network range, or both.")
    actor_ids = None
    if account_email is not None:
        user_model = get_user_model()
        same_address = user_model.objects.filter(email=user_model.normalize_username(account_email))
        actor_ids = list(same_address.values_list("id", flat=True))
        if not actor_ids:
            raise ValueError("No educator has that email address.")
    if network is not None:
        network = str(ipaddress.ip_network(network, strict=False))
    return actor_ids, network


def breach_scope(
    *, account_email: str | None, network: str | None, since: datetime.datetime, until: datetime.datetime
) -> Report:
    """Every student whose data an account and/or an IP range was shown in [since, until), per educator.

    Errors (a page that failed after reading) count as exposure: a notification should err on the
    side of telling a family. Raises ValueError for an unknown account or a malformed range.
    """
    actor_ids, network = breach_targets(account_email=account_email, network=network)
    query = breach_scope_query(actor_ids=actor_ids, network=network, since=since, until=until)
    rows = [(*row[:4], local_time(row[4]), local_time(row[5])) for row in fetch(query)]
    return Report(
        title="Breach scope",
        columns=("student id", "educator", "educator email", "events", "first access", "last access"),
        rows=rows,
        student_ids=list(dict.fromkeys(row[0] for row in rows)),
    )


def sign_in_activity_query(*, since: datetime.datetime, until: datetime.datetime) -> tuple[str, dict]:
    sql = f"""
        SELECT (e.occurred_at AT TIME ZONE %(zone)s)::date AS day, e.identity,
               count(*) FILTER (WHERE e.succeeded), count(*) FILTER (WHERE NOT e.succeeded)
        FROM {SIGN_INS} e
        WHERE e.kind = %(kind)s AND e.occurred_at >= %(since)s AND e.occurred_at < %(until)s
        GROUP BY day, e.identity
        ORDER BY day, e.identity"""  # noqa: S608 (names from model metadata)
    return sql, {"zone": settings.TIME_ZONE, "kind": SignInEvent.Kind.SIGN_IN, "since": since, "until": until}


def sign_in_activity(*, since: datetime.datetime, until: datetime.datetime) -> Report:
    """Successful and failed sign-ins per identity (the email typed) and day."""
    rows = [(row[0].isoformat(), *row[1:]) for row in fetch(sign_in_activity_query(since=since, until=until))]
    return Report(title="Sign-in activity", columns=("day", "identity", "succeeded", "failed"), rows=rows)


def record_viewing(report: Report, *, name: str, parameters: dict, exported: bool) -> None:
    """Tell the open recording that ``report`` was shown (or exported) with these parameters."""
    record_students(report.student_ids, kind="exported" if exported else "viewed")
    record_details(report=name, parameters=parameters, rows=len(report.rows))


def write_report_csv(report: Report, stream) -> None:
    """The report as CSV with a header row, formulas in its cells neutralized (insights.csv)."""
    write_csv(stream, report.columns, report.rows)
