"""The database itself refuses to change or remove audit rows, whatever a session sets."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from audit.checkpoints import take_checkpoints
from audit.events import record_grant_change, record_sign_in
from audit.models import AccessEvent, Checkpoint, GrantChangeEvent, SignInEvent
from audit.recorder import command_recording, record_students
from audit.retention import MINIMUM_RETENTION_DAYS

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_row_per_table(make_educator, rf):
    educator = make_educator("teacher@district.example")
    with command_recording(actor=educator, action="test"):
        record_students([1])
    record_sign_in(request=rf.get("/"), identity=educator.email, educator=educator, succeeded=True, reason="password")
    record_grant_change(
        actor=None, educator=educator, grant_kind="school", object_label="School #1", before=None, after={}, reason=""
    )
    take_checkpoints()


def run_refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(refused.value)


@pytest.mark.parametrize("model", [AccessEvent, SignInEvent, GrantChangeEvent])
def test_update_of_an_audit_row_is_refused_by_the_database(one_row_per_table, model):
    message = run_refused(f"UPDATE {model._meta.db_table} SET occurred_at = now()")  # noqa: S608
    assert "append-only" in message
    assert "UPDATE" in message


@pytest.mark.parametrize("model", [AccessEvent, SignInEvent, GrantChangeEvent])
def test_delete_of_an_audit_row_is_refused_by_the_database(one_row_per_table, model):
    assert "DELETE" in run_refused(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
    assert model.objects.count() == 1


@pytest.mark.parametrize("model", [AccessEvent, SignInEvent, GrantChangeEvent, Checkpoint])
@pytest.mark.parametrize("setting", ["", "SET LOCAL audit.allow_truncate = 'on'"])
def test_truncate_of_an_audit_table_is_refused_by_the_database_whatever_the_session_sets(
    one_row_per_table, model, setting
):
    table = model._meta.db_table
    rows = model.objects.count()
    with connection.cursor() as cursor:
        # The test database disables the TRUNCATE trigger so Django can reset it (tests/conftest.py).
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_truncate")
        if setting:
            cursor.execute(setting)
    assert "TRUNCATE" in run_refused(f"TRUNCATE {table}")
    assert model.objects.count() == rows > 0


def test_the_orm_cannot_delete_audit_rows_either(one_row_per_table):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("setting", "value"), [("audit.purge_before", "2100-01-01T00:00:00+00:00"), ("audit.allow_truncate", "on")]
)
def test_no_session_setting_lets_younger_rows_be_deleted(one_row_per_table, setting, value):
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [setting, value])
    assert "DELETE" in run_refused("DELETE FROM audit_accessevent")
    assert AccessEvent.objects.count() == 1


def test_only_rows_older_than_a_year_by_the_databases_clock_can_be_deleted(clock, make_educator):
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        database_now = cursor.fetchone()[0]
    for days_ago in (MINIMUM_RETENTION_DAYS + 1, MINIMUM_RETENTION_DAYS - 1):
        clock(database_now - datetime.timedelta(days=days_ago))
        with command_recording(actor=None, action=f"test_{days_ago}"):
            record_students([1])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE action = %s", [f"test_{MINIMUM_RETENTION_DAYS + 1}"])
    assert list(AccessEvent.objects.values_list("action", flat=True)) == [f"test_{MINIMUM_RETENTION_DAYS - 1}"]
    assert "DELETE" in run_refused("DELETE FROM audit_accessevent")


def test_a_checkpoint_cannot_be_changed_or_deleted(one_row_per_table):
    assert "UPDATE" in run_refused("UPDATE audit_checkpoint SET row_count = 0")
    assert "DELETE" in run_refused("DELETE FROM audit_checkpoint")
    assert Checkpoint.objects.count() == 3
