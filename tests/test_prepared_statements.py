"""Prepared statements: on unless DATABASE_PREPARED_STATEMENTS=false, the pages' statements among them,
and pages keep working when another connection changes the type of a column those statements return."""

import contextlib

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.db import NotSupportedError, connection, transaction
from django.test import Client
from django.urls import reverse

from educators.models import Educator
from tests.database_locks import homeroom_teacher
from tests.factories import StudentFactory
from tests.test_settings import PRODUCTION_ENV, manage

# Runs one statement three times in a fresh process on DATABASE_URL, then counts the connection's
# prepared statements with that text.
COUNT_PREPARED = """
from django.db import connection
with connection.cursor() as cursor:
    for _ in range(3):
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname = %s", ["pg_type"])
    cursor.execute(
        "SELECT count(*) FROM pg_prepared_statements WHERE statement = %s",
        ["SELECT count(*) FROM pg_class WHERE relname = $1"],
    )
    print("prepared:", cursor.fetchone()[0])
"""


def prepared_in_a_new_process(**env: str) -> str:
    result = manage(
        "shell",
        "-c",
        COUNT_PREPARED,
        env={**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(), **env},
    )
    return next((line for line in result.stdout.splitlines() if line.startswith("prepared:")), result.stderr)


def test_a_statement_run_again_is_prepared_unless_the_setting_turns_preparation_off():
    assert prepared_in_a_new_process() == "prepared: 1"
    assert prepared_in_a_new_process(DATABASE_PREPARED_STATEMENTS="false") == "prepared: 0"
    assert prepared_in_a_new_process(DATABASE_PREPARED_STATEMENTS="true") == "prepared: 1"


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
def test_the_profiles_record_the_session_the_educator_and_the_audit_row_are_prepared_once_the_page_is_seen_again(
    teacher_on_a_profile,
):
    client, profile, _teacher = teacher_on_a_profile
    for _ in range(2):
        assert client.get(profile).status_code == 200

    statements = prepared_statements()
    for start in (
        PROFILE_RECORD,
        'SELECT "django_session"."session_key"',
        'SELECT "educators_educator"."id"',
        'INSERT INTO "audit_accessevent"',
    ):
        assert any(start in statement for statement in statements), start
    # Every value is a parameter: viewing the page again prepares nothing new.
    assert client.get(profile).status_code == 200
    assert sorted(prepared_statements()) == sorted(statements)


@contextlib.contextmanager
def column_type_changed_elsewhere(table: str, column: str, new_type: str, old_type: str):
    """Another connection changes a column's type (as a release's migration would), and changes it back after."""
    params = connection.get_connection_params()
    with psycopg.connect(
        **{key: params[key] for key in ("dbname", "user", "host", "port") if key in params}, autocommit=True
    ) as other:
        other.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {new_type}')
        try:
            yield
        finally:
            other.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {old_type}')
            # This connection's statements are stale again: later tests get a fresh connection.
            connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_page_still_works_after_another_connection_changes_the_type_of_a_column_it_reads(teacher_on_a_profile):
    client, profile, _teacher = teacher_on_a_profile
    for _ in range(2):
        assert client.get(profile).status_code == 200
    assert any('FROM "educators_educator"' in statement for statement in prepared_statements())

    with column_type_changed_elsewhere("educators_educator", "full_name", "varchar(201)", "varchar(200)"):
        response = client.get(profile)

        assert response.status_code == 200
        assert not any('FROM "educators_educator"' in statement for statement in prepared_statements())
        assert client.get(profile).status_code == 200
        assert client.get(profile).status_code == 200
        assert any('FROM "educators_educator"' in statement for statement in prepared_statements())


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_stale_statement_fails_once_and_the_rollback_forgets_it(teacher_on_a_profile):
    _client, _profile, teacher = teacher_on_a_profile
    for _ in range(2):
        Educator.objects.get(pk=teacher.pk)

    with column_type_changed_elsewhere("educators_educator", "full_name", "varchar(201)", "varchar(200)"):
        with pytest.raises(NotSupportedError, match="cached plan must not change result type"), transaction.atomic():
            Educator.objects.get(pk=teacher.pk)

        assert prepared_statements() == []
        with transaction.atomic():
            assert Educator.objects.get(pk=teacher.pk) == teacher
