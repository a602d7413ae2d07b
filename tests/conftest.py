"""Shared fixtures: every test runs against the real PostgreSQL started by `make test`."""

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    """Pages render with the production static storage, whose manifest collectstatic writes."""
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let Django empty the append-only audit tables between transactional tests, on the test database only.

    The audit trigger refuses TRUNCATE unless the database sets ``audit.allow_truncate`` (see
    audit/migrations/0002_append_only.py); sessions opened after this see the setting.
    """
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            database = connection.ops.quote_name(connection.settings_dict["NAME"])
            cursor.execute(f"ALTER DATABASE {database} SET audit.allow_truncate = 'on'")
        connection.close()


@pytest.fixture
def audit_inserts_fail(db):
    """Make the database refuse every new AccessEvent, as a lock timeout or a full disk would.

    A real trigger, created inside the test's transaction (so it vanishes with it): the failure
    happens where a real one would, in PostgreSQL, after the view's own writes.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION pg_temp.refuse_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit insert refused for the test'; END; $$;
            CREATE TRIGGER refuse_audit_insert BEFORE INSERT ON audit_accessevent
                FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_audit_insert();
            """
        )
