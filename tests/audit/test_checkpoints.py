"""Checkpoints that leave the database, and audit_verify catching every attack made with the app's own connection.

The app's database role owns the audit tables, so each attack here runs on the app's own
connection and starts by switching the triggers off, as such an attacker would.
"""

import datetime
import io
import logging

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from audit.chain import row_hash
from audit.checkpoint_lines import CheckpointLineFilter, parse_lines
from audit.checkpoints import take_checkpoints
from audit.models import CHAINED_MODELS, AccessEvent, Checkpoint
from audit.recorder import command_recording, record_details, record_students
from audit.retention import PURGE_ACTION, purge

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def sample_line(*, table="audit_accessevent", rows=1, last=1, at="2026-01-01T00:00:00+00:00") -> str:
    return f"audit-checkpoint table={table} rows={rows} first=1 last={last} head={'1' * 64} head_at=- at={at}"


def write_access_events(count: int) -> list[AccessEvent]:
    for _ in range(count):
        with command_recording(actor=None, action="test"):
            record_students([1])
    return list(AccessEvent.objects.order_by("id"))


def checkpoint_lines() -> str:
    output = io.StringIO()
    call_command("audit_checkpoint", stdout=output)
    return output.getvalue()


def verify(*pasted: str) -> str:
    output = io.StringIO()
    call_command("audit_verify", *[f"--checkpoint={line}" for line in pasted], stdout=output)
    return output.getvalue()


def verify_fails(*pasted: str) -> str:
    with pytest.raises(CommandError) as failure:
        verify(*pasted)
    return str(failure.value)


def as_the_app(sql: str, params=()) -> None:
    """What anyone with the app's credentials can do: the tables are theirs, so the triggers go first."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER")
        cursor.execute(sql, params)


def rewrite_the_chain() -> None:
    """Recompute every row's links and hash in id order, so the chain is consistent again."""
    previous = None
    for values in AccessEvent.objects.order_by("id").values(*AccessEvent.CHAINED_FIELDS, "prev_hash", "row_hash"):
        values["prev_hash"] = previous or values["prev_hash"]
        values["row_hash"] = row_hash(AccessEvent, values)
        as_the_app(
            "UPDATE audit_accessevent SET prev_hash = %s, row_hash = %s WHERE id = %s",
            [values["prev_hash"], values["row_hash"], values["id"]],
        )
        previous = values["row_hash"]


@pytest.fixture
def checkpointed(auditor):
    """Thirty access events, checkpointed; the lines as an operator would paste them from the mail."""
    events = write_access_events(30)
    checkpoint_lines()
    pasted = [line for line in mail.outbox[-1].body.splitlines() if line.startswith("audit-checkpoint")]
    return events, pasted


def test_a_checkpoint_is_kept_logged_and_mailed_to_each_holder_of_the_audit_permission(auditor, make_educator):
    make_educator("root@district.example", is_superuser=True, is_staff=True)  # a superuser without the permission
    events = write_access_events(3)
    handler = next(
        handler for handler in logging.getLogger("audit.checkpoints").handlers if handler.name == "checkpoints"
    )
    log = io.StringIO()
    previous = handler.setStream(log)
    try:
        printed = checkpoint_lines()
    finally:
        handler.setStream(previous)
    kept = Checkpoint.objects.get(table="audit_accessevent")
    assert (kept.row_count, kept.first_id, kept.last_id, kept.head_hash) == (
        3,
        events[0].id,
        events[-1].id,
        events[-1].row_hash,
    )
    assert Checkpoint.objects.count() == len(CHAINED_MODELS)
    line = (
        f"audit-checkpoint table=audit_accessevent rows=3 first={events[0].id} last={events[-1].id}"
        f" head={events[-1].row_hash}"
    )
    assert line in log.getvalue()
    assert line in printed
    assert "Mailed to 1 holder(s)" in printed
    [message] = mail.outbox
    assert message.to == [auditor.email]
    assert line in message.body


def test_the_checkpoint_log_line_survives_scrubbing_but_nothing_else_logged_there_does():
    [mark] = parse_lines(sample_line(table="t", rows=123456, last=123456))
    checkpoint = logging.LogRecord(
        "audit.checkpoints",
        logging.INFO,
        "",
        0,
        sample_line(table="t", rows=123456, last=123456),
        (),
        None,
    )
    other = logging.LogRecord(
        "audit.checkpoints", logging.INFO, "", 0, "student 1234567 wrote to %s", ("a@b.example",), None
    )
    assert CheckpointLineFilter().filter(checkpoint) and "rows=123456" in checkpoint.getMessage()
    assert CheckpointLineFilter().filter(other) and other.getMessage() == "student [number] wrote to [email]"
    assert (mark.row_count, mark.head_occurred_at) == (123456, None)


def test_an_intact_log_reaches_its_checkpoints(checkpointed):
    events, pasted = checkpointed
    write_access_events(2)
    assert "OK audit_accessevent: 32 rows" in verify(*pasted)
    assert "reaches 2 checkpoint(s)" in verify(*pasted)


def test_deleting_the_newest_rows_is_caught_by_the_kept_checkpoint(checkpointed):
    events, _ = checkpointed
    as_the_app("DELETE FROM audit_accessevent WHERE id > %s", [events[9].id])
    assert verify_fails() == (
        f"audit_accessevent: row {events[-1].id}, the head of the checkpoint of "
        f"{Checkpoint.objects.get(table='audit_accessevent').occurred_at.isoformat(timespec='seconds')}, "
        "is missing: rows were deleted"
    )


def test_deleting_the_newest_rows_and_the_kept_checkpoints_is_caught_by_the_mailed_one(checkpointed):
    events, pasted = checkpointed
    as_the_app("DELETE FROM audit_accessevent WHERE id > %s", [events[9].id])
    as_the_app("DELETE FROM audit_checkpoint")
    assert "OK audit_accessevent: 10 rows" in verify()  # without a checkpoint the shorter chain looks whole
    assert f"row {events[-1].id}, the head of the checkpoint" in verify_fails(*pasted)


def test_deleting_a_middle_row_is_caught(checkpointed):
    events, pasted = checkpointed
    as_the_app("DELETE FROM audit_accessevent WHERE id = %s", [events[15].id])
    assert f"row {events[16].id}: the row(s) after row {events[14].id} are missing" in verify_fails(*pasted)


def test_deleting_a_middle_row_and_rewriting_the_chain_is_caught_by_a_mailed_checkpoint(checkpointed):
    events, pasted = checkpointed
    as_the_app("DELETE FROM audit_accessevent WHERE id = %s", [events[15].id])
    rewrite_the_chain()
    as_the_app("DELETE FROM audit_checkpoint")
    assert "OK audit_accessevent: 29 rows" in verify()
    assert f"row {events[-1].id} no longer carries the head hash" in verify_fails(*pasted)


def test_rewriting_a_row_and_the_chain_after_it_is_caught_by_the_kept_checkpoint(checkpointed):
    events, _ = checkpointed
    as_the_app("UPDATE audit_accessevent SET student_ids = '{99}' WHERE id = %s", [events[3].id])
    rewrite_the_chain()
    assert "the chain was rewritten" in verify_fails()


def test_a_checkpoint_whose_row_count_no_longer_matches_fails(checkpointed):
    _, pasted = checkpointed
    forged = [line.replace("rows=30 ", "rows=31 ") for line in pasted]
    assert "no longer holds the 31 rows" in verify_fails(*forged)


def test_no_checkpoint_is_taken_of_a_log_that_does_not_verify(checkpointed):
    events, _ = checkpointed
    as_the_app("DELETE FROM audit_accessevent WHERE id > %s", [events[9].id])
    with pytest.raises(CommandError, match="No checkpoint taken: the audit log does not verify"):
        checkpoint_lines()
    assert Checkpoint.objects.count() == len(CHAINED_MODELS)


def test_a_checkpoint_whose_head_the_purge_removed_is_passed(clock, auditor):
    clock(datetime.datetime(2016, 3, 1, tzinfo=UTC))
    write_access_events(2)
    checkpoint_lines()
    clock(datetime.datetime(2025, 6, 1, tzinfo=UTC))
    write_access_events(1)
    purge()
    assert "reaches 1 checkpoint(s)" in verify()


def test_a_recent_checkpoints_missing_head_is_not_excused_by_a_forged_purge_record(auditor):
    events = write_access_events(3)
    checkpoint_lines()
    kept = write_access_events(1)[-1].id
    as_the_app("DELETE FROM audit_accessevent WHERE id < %s", [kept])
    with command_recording(actor=None, action=PURGE_ACTION):
        record_details(purged={"audit_accessevent": {"deleted": 3, "first_kept_id": kept}})
    assert f"row {events[-1].id}, the head of the checkpoint" in verify_fails()


def test_checkpoints_can_be_pasted_from_a_file_or_standard_input(checkpointed, tmp_path, monkeypatch):
    events, pasted = checkpointed
    saved = tmp_path / "mail.txt"
    saved.write_text(
        "Subject: Audit log checkpoint\n\n" + "\n".join(f"INFO audit.checkpoints {line}" for line in pasted)
    )
    as_the_app("DELETE FROM audit_accessevent WHERE id > %s", [events[9].id])
    as_the_app("DELETE FROM audit_checkpoint")
    with pytest.raises(CommandError, match="is missing"):
        call_command("audit_verify", f"--checkpoints-file={saved}")
    monkeypatch.setattr("sys.stdin", io.StringIO(saved.read_text()))
    with pytest.raises(CommandError, match="is missing"):
        call_command("audit_verify", "--checkpoints-file=-")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--checkpoint=audit-checkpoint table=audit_accessevent rows=x"], "checkpoint line 1 cannot be read"),
        (
            ["--checkpoint=" + sample_line(table="other")],
            "other, which is not an audit table",
        ),
        (
            ["--checkpoint=" + sample_line(at="2026-01-01T00:00:00")],
            "must carry its offset",
        ),
        (["--checkpoint=the mail said something else"], "No audit-checkpoint line was found"),
        (["--checkpoints-file=/nonexistent/mail.txt"], "Cannot read /nonexistent/mail.txt"),
    ],
)
def test_unusable_checkpoints_are_refused_with_a_clear_error(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("audit_verify", *arguments)


def test_a_checkpoint_nobody_can_be_mailed_fails_loudly_but_is_kept():
    write_access_events(1)
    with pytest.raises(CommandError, match="nobody holds the audit permission"):
        checkpoint_lines()
    assert Checkpoint.objects.count() == len(CHAINED_MODELS)


def test_a_checkpoint_the_mail_server_refuses_fails_loudly_but_is_kept(auditor, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 1, False
    with pytest.raises(CommandError, match="could not be mailed"):
        checkpoint_lines()
    assert Checkpoint.objects.count() == len(CHAINED_MODELS)


def test_empty_tables_are_checkpointed_as_empty_and_verify():
    [mark] = [mark for mark in take_checkpoints() if mark.table == "audit_signinevent"]
    assert (mark.row_count, mark.first_id, mark.last_id, mark.head_occurred_at) == (0, None, None, None)
    assert "OK audit_signinevent: 0 rows" in verify()
