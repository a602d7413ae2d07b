"""Breach notification: the package for an account shown most of the district, as a ratio to COPY of the contacts.

The issue's promise is a notification package "within minutes" for 50,000 students. A misused
account is given a week of audit events (roster pages of 25 students over SHARE of the district,
and a profile view of every tenth of them), then the package job runs whole as the worker runs it
(privacy/runs.py: the affected students' query over the audit log, the mail-merge CSV, the letters
PDF, the zip, the encrypted one-time download). The baseline is PostgreSQL's COPY of the same
students' guardian contacts as CSV, the floor any such list has. Everything, the events included,
is written in one transaction rolled back at the end, so the benchmark database keeps nothing.
"""

import datetime
import io

from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from audit.forms import BreachScopeForm
from audit.models import AccessEvent, Outcome
from benchmarks.district import BENCH_STUDENTS, ensure_bench_district
from benchmarks.timing import interleaved_medians
from educators.models import Educator
from privacy.breach import affected_students
from privacy.models import PackageKind, PackageRun
from privacy.runs import run_package
from students.models import School, Student

SHARE = 0.8  # of the district the account was shown
ROSTER_PAGE = 25
ROUNDS = 3
DAYS = 7
ACCOUNT = "bench.breach.account@district.example"
OFFICER = "bench.breach.officer@district.example"

EVENTS = f"""
    WITH shown AS (
        SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM {Student._meta.db_table} ORDER BY id LIMIT %(count)s
    ), pages AS (
        SELECT n / {ROSTER_PAGE} AS page, array_agg(id) AS ids FROM shown GROUP BY n / {ROSTER_PAGE}
        UNION ALL
        SELECT 1000000 + n, ARRAY[id] FROM shown WHERE n %% 10 = 0
    )
    INSERT INTO {AccessEvent._meta.db_table} (
        occurred_at, prev_hash, row_hash, actor_id, actor_email, actor_name, actor_roles, action, path, method,
        status, outcome, student_ids, changed_student_ids, exported_student_ids, object_ids, details, client_ip,
        user_agent, request_id, session_hash)
    SELECT now() - interval '{DAYS} days' * random(), '', '', %(actor)s, %(email)s, 'Bench breach account',
           ARRAY['districtwide'], CASE WHEN page >= 1000000 THEN 'students:profile' ELSE 'students:school_roster' END,
           '/students/', 'GET', 200, %(ok)s, ids, '{{}}', '{{}}', '{{}}', '{{}}', '203.0.113.7'::inet,
           'bench', md5(page::text), ''
    FROM pages
"""  # noqa: S608 (table names from model metadata)

CONTACTS = f"""
    COPY (
        SELECT st.first_name || ' ' || st.last_name, st.local_id, sc.name, st.grade, st.guardian_name,
               st.primary_email, st.primary_phone, st.address
        FROM {Student._meta.db_table} st LEFT JOIN {School._meta.db_table} sc ON sc.id = st.school_id
        WHERE st.id IN (SELECT id FROM {Student._meta.db_table} ORDER BY id LIMIT {{count}})
        ORDER BY sc.name, st.last_name, st.first_name
    ) TO STDOUT WITH (FORMAT csv)
"""  # noqa: S608 (table names from model metadata; the count is an int)


def _educators() -> tuple[Educator, Educator]:
    account = Educator.objects.create_user(ACCOUNT, None, full_name="Bench breach account")
    officer = Educator.objects.create_user(OFFICER, None, full_name="Bench privacy officer")
    officer.user_permissions.add(
        Permission.objects.get(content_type__app_label="privacy", codename="privacy_operations")
    )
    return account, officer


def _copy_contacts(count: int) -> None:
    buffer = io.BytesIO()
    with connection.cursor() as cursor, cursor.copy(CONTACTS.format(count=int(count))) as copy:
        for block in copy:
            buffer.write(block)


def _package(officer: Educator, parameters: dict) -> PackageRun:
    return run_package(PackageRun.objects.create(kind=PackageKind.BREACH, requested_by=officer, parameters=parameters))


def run(report):
    ensure_bench_district()
    count = int(BENCH_STUDENTS * SHARE)
    email = {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    with override_settings(**email), transaction.atomic():
        account, officer = _educators()
        with connection.cursor() as cursor:
            params = {"count": count, "actor": account.pk, "email": ACCOUNT, "ok": Outcome.OK}
            cursor.execute(EVENTS, params)
            cursor.execute(f"ANALYZE {AccessEvent._meta.db_table}")
        today = timezone.localdate()
        scope = BreachScopeForm(
            data={"account": ACCOUNT, "since": today - datetime.timedelta(days=DAYS), "until": today}
        )
        assert scope.is_valid(), scope.errors
        parameters, (since, until) = scope.parameters(), scope.window()
        finished, affected = [], []
        baseline, package, query = interleaved_medians(
            [
                lambda: _copy_contacts(count),
                lambda: finished.append(_package(officer, parameters)),
                lambda: affected.append(
                    affected_students(actor_ids=[account.pk], network=None, since=since, until=until)
                ),
            ],
            rounds=ROUNDS,
            warm_up=0,
        )
        package_run, students = finished[-1], affected[-1]
        assert package_run.status == "ready" and package_run.student_count == count == len(students.student_ids)
        report(f"breach package job, {count:,} students", package, baseline, note="baseline: COPY")
        report("  of it: the affected students' query", query, baseline, note="baseline: COPY")
        transaction.set_rollback(True)
