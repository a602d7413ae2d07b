"""PostgreSQL's own log leaves the instance too (Heroku forwards it to the log drain): a failing
statement must not put what a person typed there.

Values travel as parameters of the statement (psycopg 3 with server-side binding), so even where
the server logs a failing statement it logs ``$1``; and the private cluster, like the documented
Heroku settings, logs a failing statement's error without the statement, its parameters or its
DETAIL line ("Failing row contains (...)" would quote a whole note).
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from insights import localdb
from students.models import EventNote, Student
from tests.database_locks import fail_fast_on_locks, homeroom_teacher, locked_elsewhere

pytestmark = pytest.mark.django_db

TYPED_NAME = "Zebulon Quarrington"
NOTE_TEXT = "Grandmother Philippa Warbeck called about the custody hearing"


def log_failing_statements() -> None:
    """This test's session logs every failing statement, as a server left at PostgreSQL's defaults does."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL log_min_error_statement = 'error'")


def test_a_search_cancelled_by_a_lock_logs_placeholders_not_the_typed_name(server_log):
    teacher, _homeroom = homeroom_teacher()
    client = Client()
    client.force_login(teacher)
    log_failing_statements()
    fail_fast_on_locks()

    with locked_elsewhere(Student):
        response = client.post("/search/", {"q": TYPED_NAME})

    assert response.status_code == 503
    logged = server_log()
    assert "canceling statement due to lock timeout" in logged
    assert "Zebulon" not in logged
    assert "Quarrington" not in logged
    assert "STATEMENT:" in logged and "$1" in logged


def test_a_note_whose_insert_fails_on_a_lock_is_not_in_the_log(server_log):
    teacher, homeroom = homeroom_teacher()
    student = Student.objects.create(
        local_id="LCK-1", first_name="Ada", last_name="Lock", grade="5", school=homeroom.school, homeroom=homeroom
    )
    client = Client()
    client.force_login(teacher)
    log_failing_statements()
    fail_fast_on_locks()

    with locked_elsewhere(EventNote):
        response = client.post(f"/students/{student.pk}/notes/new/", {"note_type": "parent", "text": NOTE_TEXT})

    assert response.status_code == 503
    assert not EventNote.objects.filter(student=student).exists()
    logged = server_log()
    assert "canceling statement due to lock timeout" in logged
    assert "INSERT INTO" in logged
    assert "Philippa" not in logged and "custody" not in logged


def test_a_note_refused_by_a_constraint_leaves_only_the_constraints_name_in_the_log(server_log):
    teacher, homeroom = homeroom_teacher()
    student = Student.objects.create(
        local_id="LCK-2", first_name="Ada", last_name="Lock", grade="5", school=homeroom.school, homeroom=homeroom
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        EventNote.objects.create(
            student=student, author=teacher, note_type="gossip", text=NOTE_TEXT, recorded_at=timezone.now()
        )

    logged = server_log()
    assert 'violates check constraint "note_type_known"' in logged
    assert "Failing row" not in logged
    assert "Philippa" not in logged and "custody" not in logged


def test_the_private_cluster_runs_with_the_safe_log_settings(server_log):
    with connection.cursor() as cursor:
        for name, value in localdb.SAFE_LOG_SETTINGS.items():
            cursor.execute("SELECT current_setting(%s)", [name])
            assert cursor.fetchone()[0] == value, name
