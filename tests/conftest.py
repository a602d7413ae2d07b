"""Shared fixtures: every test runs against the real PostgreSQL started by `make test`."""

import fcntl
import functools
from importlib import import_module

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

# Django's own advice for tests: production's PBKDF2 spends most of a second on each password on
# purpose, and the suite signs in thousands of times. Tests marked production_password_hashing get
# the production hashers back (tests/accounts/test_password_hashing.py).
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def collected_static_files(request):
    """Pages render with the production static storage, whose manifest collectstatic writes.

    Parallel test processes (pytest-xdist) share the project's STATIC_ROOT: one collects while the
    others wait on a lock, and a stamp with the run's id tells them the files are already fresh.
    """
    run_id = getattr(request.config, "workerinput", {}).get("testrunuid")
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    stamp = settings.STATIC_ROOT / ".collected-for-test-run"
    with open(settings.STATIC_ROOT / ".collectstatic.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if run_id is None or not stamp.exists() or stamp.read_text() != run_id:
            call_command("collectstatic", interactive=False, verbosity=0)
            stamp.write_text(run_id or "")


# The settings WhiteNoise builds its table of static files from (whitenoise/middleware.py).
STATIC_FILE_SETTINGS = (
    "DEBUG",
    "STATIC_URL",
    "STATIC_ROOT",
    "STORAGES",
    "FORCE_SCRIPT_NAME",
    "WHITENOISE_AUTOREFRESH",
    "WHITENOISE_MAX_AGE",
    "WHITENOISE_ALLOW_ALL_ORIGINS",
    "WHITENOISE_CHARSET",
    "WHITENOISE_MIMETYPES",
    "WHITENOISE_ADD_HEADERS_FUNCTION",
    "WHITENOISE_INDEX_FILE",
    "WHITENOISE_IMMUTABLE_FILE_TEST",
    "WHITENOISE_USE_FINDERS",
    "WHITENOISE_STATIC_PREFIX",
    "WHITENOISE_ROOT",
)


@pytest.fixture(scope="session", autouse=True)
def static_files_read_once_per_process(collected_static_files):
    """WhiteNoise reads the whole static folder when its middleware starts: once per process in
    production, but once per test client here (each Client loads the middleware again), a third of a
    second each time. The folder does not change after collectstatic, so the table WhiteNoise builds
    is kept per process and per combination of the settings it is built from.
    """
    read = WhiteNoiseMiddleware.update_files_dictionary
    tables: dict[str, dict] = {}

    def update_files_dictionary(middleware, root, prefix):
        key = repr([root, prefix, *(getattr(settings, name, None) for name in STATIC_FILE_SETTINGS)])
        if key not in tables:
            earlier, middleware.files = middleware.files, {}
            read(middleware, root, prefix)
            tables[key], middleware.files = middleware.files, earlier
        middleware.files.update(tables[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoiseMiddleware, "update_files_dictionary", update_files_dictionary)
        yield


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Every test hashes passwords with a fast hasher unless it asks for production's (see above).

    Yields production's hashers, for the tests that ask for them.
    """
    production_hashers = list(settings.PASSWORD_HASHERS)
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield production_hashers


@pytest.fixture(autouse=True)
def production_password_hashing(request, fast_password_hashing):
    """Tests marked production_password_hashing hash with the hashers production uses."""
    if request.node.get_closest_marker("production_password_hashing") is None:
        yield
        return
    with override_settings(PASSWORD_HASHERS=fast_password_hashing):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let Django empty the append-only audit tables between transactional tests, on the test database only.

    The audit triggers refuse TRUNCATE whatever a session sets (audit/migrations/0003); as the
    tables' owner the suite disables the TRUNCATE triggers of its throwaway database, which is
    exactly what the owner of a real database could do too (docs/audit.md says what catches it).
    Tests of the TRUNCATE rule enable the trigger again inside their own transaction.
    """
    with django_db_blocker.unblock():
        disable_truncate_triggers()


def disable_truncate_triggers() -> None:
    """Switch off every audit TRUNCATE trigger (again, after a test rebuilt the tables)."""
    with connection.cursor() as cursor:
        cursor.execute(NO_TRUNCATE_TRIGGERS)
        for table, trigger in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")


@functools.cache
def migrated_apps():
    """The models as the migrations leave them, for running the migrations' own seeding functions again."""
    return MigrationExecutor(connection).loader.project_state().apps


# (app, migration, function): the data migrations whose rows a flush removes.
SEEDING_MIGRATIONS = (
    ("students", "0003_program_codes", "seed_defaults"),
    ("students", "0005_code_mappings", "seed_defaults"),
    ("permissions", "0003_seed_role_templates", "seed"),
    ("permissions", "0004_access_reviews", "principals_review"),
)


@pytest.fixture(autouse=True)
def seeded_rows_restored(request):
    """A transactional test's flush empties the tables data migrations seeded (code mappings, role
    templates and their groups): seed them again, with the same functions, before such a test."""
    marker = request.node.get_closest_marker("django_db")
    by_marker = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if not (by_marker or {"transactional_db", "live_server"} & set(request.fixturenames)):
        return
    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        for app_label, migration, function in SEEDING_MIGRATIONS:
            seed = getattr(import_module(f"{app_label}.migrations.{migration}"), function)
            seed(migrated_apps(), None)


NO_TRUNCATE_TRIGGERS = """
    SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE t.tgname LIKE 'audit%%_no_truncate' ORDER BY c.relname
"""


def refuse_inserts(table: str) -> None:
    """Make the database refuse every new row of an audit table, as a lock timeout or a full disk would.

    A real trigger, created inside the test's transaction (so it vanishes with it): the failure
    happens where a real one would, in PostgreSQL, after the view's own writes.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE OR REPLACE FUNCTION pg_temp.refuse_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit insert refused for the test'; END; $$
            """
        )
        cursor.execute(
            f"CREATE TRIGGER refuse_audit_insert BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_audit_insert()"
        )


@pytest.fixture
def audit_inserts_fail(db):
    """No AccessEvent can be written during the test."""
    refuse_inserts("audit_accessevent")


@pytest.fixture
def grant_change_inserts_fail(db):
    """No GrantChangeEvent can be written during the test."""
    refuse_inserts("audit_grantchangeevent")
