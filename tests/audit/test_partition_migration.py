"""Migration 0004 partitions a log that already holds rows, keeps every row and the chain, and can be undone."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.chain import append
from audit.events import record_sign_in
from audit.models import AccessEvent, SignInEvent
from audit.recorder import command_recording, record_students
from audit.verify import verify
from tests.conftest import disable_truncate_triggers

PLAIN = ("audit", "0003_checkpoints_and_narrow_delete")
PARTITIONED = ("audit", "0004_monthly_partitions")


def migrate(target: tuple[str, str]) -> None:
    MigrationExecutor(connection).migrate([target])
    disable_truncate_triggers()  # the rebuilt tables' triggers are on: let the test's flush empty them


def table_kind(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def rows_by_partition() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, tableoid::regclass::text FROM audit_accessevent")
        return dict(cursor.fetchall())


@pytest.fixture
def plain_log_with_rows(clock, rf):
    """The log as it was before partitioning, holding rows of three months."""
    migrate(PLAIN)
    try:
        moments = [datetime.datetime(2019, 5, 2, tzinfo=datetime.UTC), timezone.now() - datetime.timedelta(days=40)]
        for number, moment in enumerate(moments, start=1):
            clock(moment)
            with command_recording(actor=None, action="before partitioning"):
                record_students([number])
        record_sign_in(request=rf.get("/"), identity="a@district.example", educator=None, succeeded=True, reason="")
        clock(moments[-1] + datetime.timedelta(days=40))
        yield list(AccessEvent.objects.order_by("id"))
    finally:
        migrate(PARTITIONED)


@pytest.mark.django_db(transaction=True)
def test_existing_rows_move_into_their_months_and_the_chain_still_verifies(plain_log_with_rows):
    assert table_kind("audit_accessevent") == "r"
    migrate(PARTITIONED)

    assert table_kind("audit_accessevent") == "p" and table_kind("audit_signinevent") == "p"
    old, recent = plain_log_with_rows
    assert rows_by_partition() == {
        old.id: "audit_accessevent_p2019_05",
        recent.id: f"audit_accessevent_p{recent.occurred_at:%Y_%m}",
    }
    assert SignInEvent.objects.count() == 1
    assert [check.problem for check in verify()] == [None, None, None]
    newer = append(AccessEvent(action="after partitioning", outcome="ok"))
    assert newer.id > recent.id and verify()[0].rows == 3


@pytest.mark.django_db(transaction=True)
def test_undoing_the_migration_keeps_every_row_in_a_plain_table(plain_log_with_rows):
    migrate(PARTITIONED)
    migrate(PLAIN)
    assert table_kind("audit_accessevent") == "r"
    assert set(rows_by_partition().values()) == {"audit_accessevent"}
    assert list(AccessEvent.objects.order_by("id")) == plain_log_with_rows
    assert [check.problem for check in verify()] == [None, None, None]
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessevent")


@pytest.mark.django_db
def test_djangos_model_state_still_matches_the_migrations():
    output = io.StringIO()
    call_command("makemigrations", "audit", "--check", "--dry-run", stdout=output)
    assert output.getvalue() == "No changes detected in app 'audit'\n"
