"""Prepared statements: the marked statements every page runs are prepared unless
DATABASE_PREPARED_STATEMENTS=false, no other statement is, and pages keep working when another
connection changes the schema under them."""

import contextlib

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.db import NotSupportedError, connection, transaction
from django.test import Client
from django.urls import reverse
from psycopg.sql import SQL, Identifier

from educators.models import Educator
from insights.prepared_statements import prepared, run_marked_statements_prepared
from tests.database_locks import homeroom_teacher
from tests.factories import StudentFactory
from tests.test_settings import PRODUCTION_ENV, manage

# Runs a marked and an unmarked statement three times each in a fresh process on DATABASE_URL, then
# counts the connection's prepared statements of either text.
COUNT_PREPARED = """
from django.db import connection
from insights.prepared_statements import prepared
with connection.cursor() as cursor:
    for _ in range(3):
        cursor.execute(prepared("SELECT count(*) FROM pg_class WHERE relname = %s"), ["pg_type"])
        cursor.execute("SELECT count(*) FROM pg_type WHERE typname = %s", ["int4"])
    cursor.execute(
        "SELECT count(*) FILTER (WHERE statement LIKE %s), count(*) FILTER (WHERE statement LIKE %s)"
        " FROM pg_prepared_statements",
        ["%FROM pg_class WHERE relname = $1", "%FROM pg_type WHERE typname = $1"],
    )
    print("prepared: marked %s, unmarked %s" % cursor.fetchone())
"""


def prepared_in_a_new_process(**env: str) -> str:
    result = manage(
        "shell",
        "-c",
        COUNT_PREPARED,
        env={**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(), **env},
    )
    return next((line for line in result.stdout.splitlines() if line.startswith("prepared:")), result.stderr)


def test_a_marked_statement_is_prepared_unless_the_setting_turns_preparation_off_and_no_other_statement_is():
    assert prepared_in_a_new_process() == "prepared: marked 1, unmarked 0"
    assert prepared_in_a_new_process(DATABASE_PREPARED_STATEMENTS="false") == "prepared: marked 0, unmarked 0"
    assert prepared_in_a_new_process(DATABASE_PREPARED_STATEMENTS="true") == "prepared: marked 1, unmarked 0"


def test_a_malformed_setting_is_a_clear_error():
    assert "DATABASE_PREPARED_STATEMENTS must be true or false" in prepared_in_a_new_process(
        DATABASE_PREPARED_STATEMENTS="sometimes"
    )


def prepared_statements() -> list[str]:
    """The statements this connection has prepared, except the one reading them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall() if "pg_prepared_statements" not in statement]


PROFILE_RECORD = "json_agg(n ORDER BY n.recorded_at DESC, n.id DESC)"  # students/selectors/profile_lists.py


@pytest.fixture
def teacher_on_a_profile() -> tuple[Client, str, Educator]:
    """A homeroom teacher signed in, and the profile of a student in their homeroom."""
    teacher, homeroom = homeroom_teacher()
    student = StudentFactory(school=homeroom.school, homeroom=homeroom)
    client = Client()
    client.force_login(teacher)
    return client, reverse("students:profile", args=[student.pk]), teacher


@pytest.mark.django_db
def test_the_profiles_record_what_the_educator_holds_and_the_audit_row_are_prepared_and_stay_so(teacher_on_a_profile):
    client, profile, _teacher = teacher_on_a_profile
    assert client.get(profile).status_code == 200

    statements = prepared_statements()
    for part in (
        PROFILE_RECORD,
        "SELECT ARRAY(SELECT g.content_object_id FROM permissions_districtgrant g",  # what the educator holds
        "SELECT row_hash, occurred_at, ids FROM",  # the audit chain's head
        'INSERT INTO "audit_accessevent"',
    ):
        assert any(part in statement for statement in statements), part
    assert not any('FROM "django_session"' in statement for statement in statements)
    # Every value is a parameter: viewing the page again prepares nothing new.
    for _ in range(2):
        assert client.get(profile).status_code == 200
    assert sorted(prepared_statements()) == sorted(statements)


def other_connection_params() -> dict:
    params = connection.get_connection_params()
    return {key: params[key] for key in ("dbname", "user", "host", "port") if key in params}


@contextlib.contextmanager
def column_type_changed_elsewhere(table: str, column: str, new_type: str, old_type: str):
    """Another connection changes a column's type (as a release's migration would), and changes it back after."""
    with psycopg.connect(**other_connection_params(), autocommit=True) as other:
        other.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {new_type}')
        try:
            yield
        finally:
            other.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {old_type}')
            # This connection's statements are stale again: later tests get a fresh connection.
            connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_page_still_works_after_another_connection_changes_the_tables_its_prepared_statements_read(
    teacher_on_a_profile,
):
    client, profile, _teacher = teacher_on_a_profile
    for _ in range(2):
        assert client.get(profile).status_code == 200
    before = prepared_statements()
    assert any(PROFILE_RECORD in statement for statement in before)

    with column_type_changed_elsewhere("educators_educator", "full_name", "varchar(201)", "varchar(200)"):
        with psycopg.connect(**other_connection_params(), autocommit=True) as other:
            other.execute('ALTER TABLE "students_student" ADD COLUMN scratch integer')
            try:
                for _ in range(2):
                    assert client.get(profile).status_code == 200
            finally:
                other.execute('ALTER TABLE "students_student" DROP COLUMN scratch')
        assert sorted(prepared_statements()) == sorted(before)


EDUCATOR_NAME = prepared('SELECT id, full_name FROM "educators_educator" WHERE id = %s')


def educator_name(educator_id: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(EDUCATOR_NAME, [educator_id])
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_a_prepared_statement_whose_result_type_changed_elsewhere_runs_again_outside_a_transaction(
    teacher_on_a_profile,
):
    _client, _profile, teacher = teacher_on_a_profile
    assert educator_name(teacher.pk) == (teacher.pk, teacher.full_name)

    with column_type_changed_elsewhere("educators_educator", "full_name", "varchar(201)", "varchar(200)"):
        assert educator_name(teacher.pk) == (teacher.pk, teacher.full_name)
        assert educator_name(teacher.pk) == (teacher.pk, teacher.full_name)


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_stale_statement_fails_once_and_the_rollback_forgets_it(teacher_on_a_profile):
    _client, _profile, teacher = teacher_on_a_profile
    assert educator_name(teacher.pk) == (teacher.pk, teacher.full_name)

    with column_type_changed_elsewhere("educators_educator", "full_name", "varchar(201)", "varchar(200)"):
        with pytest.raises(NotSupportedError, match="cached plan must not change result type"), transaction.atomic():
            educator_name(teacher.pk)

        assert prepared_statements() == []
        with transaction.atomic():
            assert educator_name(teacher.pk) == (teacher.pk, teacher.full_name)


@pytest.mark.django_db
def test_a_failure_other_than_a_stale_plan_is_not_run_again():
    connection.ensure_connection()
    calls = []

    def failing(sql, params, many, context):
        calls.append(sql)
        raise NotSupportedError("not this one")

    with pytest.raises(NotSupportedError):
        run_marked_statements_prepared(failing, EDUCATOR_NAME, [1], False, {"connection": connection})
    assert calls == [EDUCATOR_NAME]


@pytest.mark.django_db
def test_a_statement_composed_with_psycopg_runs_unprepared():
    """Statements composed with psycopg.sql (an identifier quoted by the driver) pass through as they are."""
    statement = SQL("SELECT {} FROM {}").format(Identifier("full_name"), Identifier("educators_educator"))
    with connection.cursor() as cursor:
        cursor.execute(statement)
        assert sorted(cursor.fetchall()) == sorted(Educator.objects.values_list("full_name"))
    assert prepared_statements() == []
