"""The database itself refuses to change or remove audit rows."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.events import record_grant_change, record_sign_in
from audit.models import AccessEvent, GrantChangeEvent, SignInEvent
from audit.recorder import command_recording, record_students

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


@pytest.mark.parametrize("model", [AccessEvent, SignInEvent, GrantChangeEvent])
def test_truncate_of_an_audit_table_is_refused_by_the_database(one_row_per_table, model):
    with connection.cursor() as cursor:
        # The test database allows TRUNCATE so Django can reset it; a real database does not.
        cursor.execute("SET LOCAL audit.allow_truncate = 'off'")
    assert "TRUNCATE" in run_refused(f"TRUNCATE {model._meta.db_table}")
    assert model.objects.count() == 1


def test_the_orm_cannot_delete_audit_rows_either(one_row_per_table):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.count() == 1


def test_a_purge_cutoff_does_not_let_younger_rows_be_deleted(one_row_per_table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('audit.purge_before', '2000-01-01T00:00:00+00:00', true)")
    assert "DELETE" in run_refused("DELETE FROM audit_accessevent")
    assert AccessEvent.objects.count() == 1
