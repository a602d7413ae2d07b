"""Database connections: a held lock makes a web request fail fast with a calm 503; jobs and long
commands get longer limits through insights.database.job_timeouts(); temporary tables have room in
memory, and bulk writes stay under the protocol's parameter limit (insights/postgresql)."""

import logging
import threading

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import OperationalError, connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from insights.database import is_timeout, is_unreachable, job_timeouts
from insights.middleware import DatabaseBusyMiddleware
from insights.postgresql.base import MAX_PARAMETERS
from insights.views import server_error
from students.models import EventNote
from tests.database_locks import homeroom_teacher, locked_elsewhere

pytestmark = pytest.mark.django_db


def current_limits() -> tuple[int, int]:
    """The connection's statement and lock timeouts, in seconds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM current_setting('statement_timeout')::interval)::int,"
            " extract(epoch FROM current_setting('lock_timeout')::interval)::int"
        )
        return cursor.fetchone()


WEB_LIMITS = (settings.DATABASE_STATEMENT_TIMEOUT_SECONDS, settings.DATABASE_LOCK_TIMEOUT_SECONDS)


def a_statement_timeout() -> OperationalError:
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT before_sleep")
        cursor.execute("SET LOCAL statement_timeout = '50ms'")
        try:
            cursor.execute("SELECT pg_sleep(2)")
        except OperationalError as error:
            cursor.execute("ROLLBACK TO SAVEPOINT before_sleep")
            return error
    raise AssertionError("the statement was not stopped")


def test_web_connections_start_with_the_web_limits():
    assert current_limits() == WEB_LIMITS


def test_connections_start_with_room_for_an_imports_staging_tables_in_memory():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_bytes(current_setting('temp_buffers'))")
        assert cursor.fetchone()[0] == settings.DATABASE_TEMP_BUFFERS_MB * 1024 * 1024 > 8 * 1024 * 1024


def test_a_page_waiting_on_a_held_lock_answers_a_calm_503_within_the_lock_timeout(caplog):
    teacher, _homeroom = homeroom_teacher()
    client = Client()
    client.force_login(teacher)

    with locked_elsewhere(EventNote), caplog.at_level(logging.WARNING, logger="insights.middleware"):
        response = client.get("/notes/mine/")  # waits the web lock timeout (5 s), then gives up

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Insights is busy for a moment" in page
    assert "If you were saving something, it was not saved" in page
    assert "Traceback" not in page and "LOCK" not in page
    assert "Database busy (lock timeout) on GET /notes/mine/" in caplog.messages


def test_a_statement_stopped_by_the_statement_timeout_is_recognised_as_busy_too(caplog):
    error = a_statement_timeout()
    request = RequestFactory().get("/notes/mine/")
    request.resolver_match = resolve("/notes/mine/")

    with caplog.at_level(logging.WARNING, logger="insights.middleware"):
        response = DatabaseBusyMiddleware(lambda request: None).process_exception(request, error)

    assert is_timeout(error)
    assert response.status_code == 503
    assert caplog.messages == ["Database busy (statement timeout) on GET /notes/mine/"]


def test_other_errors_are_left_to_the_ordinary_error_handling():
    middleware = DatabaseBusyMiddleware(lambda request: None)
    request = RequestFactory().get("/")

    assert middleware.process_exception(request, ValueError("boom")) is None
    assert middleware.process_exception(request, OperationalError("server closed the connection")) is None
    assert middleware(request) is None  # passes the request on untouched


def in_a_worker_thread(work):
    """Run ``work`` in a thread of its own, as a job worker does: it opens its own connection."""
    results = []

    def run():
        try:
            results.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return results[0]


def test_job_timeouts_let_a_statement_run_past_the_web_limit_then_put_the_connections_own_limits_back():
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '100ms'")  # a web limit short enough to test against
        with job_timeouts():
            assert current_limits() == (settings.JOB_STATEMENT_TIMEOUT_SECONDS, settings.JOB_LOCK_TIMEOUT_SECONDS)
            cursor.execute("SELECT pg_sleep(0.3)")
        with pytest.raises(OperationalError), transaction.atomic():
            cursor.execute("SET LOCAL statement_timeout = '100ms'")
            cursor.execute("SELECT pg_sleep(0.3)")

    assert current_limits() == WEB_LIMITS


def test_job_timeouts_as_a_decorator_with_explicit_limits():
    @job_timeouts(statement_seconds=90, lock_seconds=7)
    def long_task():
        return current_limits()

    assert long_task() == (90, 7)
    assert current_limits() == WEB_LIMITS


def test_leaving_a_nested_job_timeouts_block_puts_the_enclosing_blocks_limits_back():
    with job_timeouts(statement_seconds=900, lock_seconds=40):
        with job_timeouts(statement_seconds=60, lock_seconds=5):
            assert current_limits() == (60, 5)
        assert current_limits() == (900, 40)  # not the web limits while the outer block still runs

    assert current_limits() == WEB_LIMITS


def test_a_connection_opened_inside_job_timeouts_gets_the_job_limits():
    def job():
        with job_timeouts(statement_seconds=600, lock_seconds=30):
            return current_limits()  # the thread's first query opens its connection

    assert in_a_worker_thread(job) == (600, 30)


def test_a_connection_closed_inside_job_timeouts_reopens_with_the_web_limits():
    def job():
        with job_timeouts(statement_seconds=600, lock_seconds=30):
            current_limits()
            connection.close()
        return current_limits()

    assert in_a_worker_thread(job) == WEB_LIMITS


@pytest.fixture
def unreachable_database(transactional_db):
    """The default connection pointed at a socket folder nobody listens in, as during a restart; put back after."""
    host = connection.settings_dict["HOST"]
    connection.close()
    connection.settings_dict["HOST"] = "/nonexistent/insights-test-socket"
    yield
    connection.close()
    connection.settings_dict["HOST"] = host


def test_while_the_database_cannot_be_reached_a_page_answers_the_calm_503(unreachable_database):
    response = Client(raise_request_exception=False).get("/healthz")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Insights is busy for a moment" in page
    assert "If you were saving something, it was not saved" in page
    assert "socket" not in page and "Traceback" not in page


def test_only_a_database_that_does_not_answer_counts_as_unreachable(unreachable_database):
    with pytest.raises(OperationalError) as refused:
        connection.ensure_connection()

    assert is_unreachable(refused.value)
    assert not is_timeout(refused.value)
    assert not is_unreachable(ValueError("boom"))


def test_a_statement_stopped_by_a_time_limit_is_busy_but_not_unreachable():
    assert not is_unreachable(a_statement_timeout())


def test_other_server_errors_keep_the_ordinary_500_page():
    try:
        raise ValueError("boom")
    except ValueError:
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_bulk_write_past_the_protocols_parameter_limit_is_cut_into_statements_under_it():
    """Parameters are bound on the server, where one statement carries at most 65,535 of them."""
    count = MAX_PARAMETERS + 1  # one parameter (the name) a row
    before = Group.objects.count()  # the roles' groups
    with CaptureQueriesContext(connection) as captured:
        groups = Group.objects.bulk_create(Group(name=f"group {number}") for number in range(count))
    assert len([query for query in captured if query["sql"].startswith("INSERT")]) == 2
    assert Group.objects.count() - before == count == len({group.pk for group in groups})

    for group in groups:
        group.name += " renamed"
    Group.objects.bulk_update(groups, ["name"])
    assert Group.objects.filter(name__endswith=" renamed").count() == count
