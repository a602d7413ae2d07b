"""Bulk loading (insights/bulkload.py): COPY writes what the application would, ids drawn ahead are the
ones bulk_create gives, and a load without indexes and keys leaves them as the migrations made them."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from insights.bulkload import CopyTable, rebuilt_after_load, reserve_ids
from insights.encryption import decrypt
from students.models import Absence, EventNote, Student
from tests.factories import EducatorFactory, SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db


def indexes_and_constraints(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s UNION ALL "
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "ORDER BY 1, 2",
            [table, table],
        )
        return cursor.fetchall()


def raw_column(table: str, column: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - names from the test
        return cursor.fetchone()[0]


def test_copied_rows_get_defaults_the_moment_of_the_load_and_the_fields_own_encryption():
    student, author = StudentFactory(), EducatorFactory()
    moment = timezone.now() - datetime.timedelta(hours=1)
    recorded = timezone.now() - datetime.timedelta(days=3)
    table = CopyTable(
        EventNote,
        ("student_id", "author_id", "note_type", "text", "restricted_text", "is_restricted", "recorded_at"),
        now=moment,
    )
    written = table.write(
        [
            (student.pk, author.pk, "other", "", "Talked about the move.", True, recorded),
            (student.pk, author.pk, "other", "Plain words.", "", False, recorded),
        ]
    )
    assert written == table.written == 2
    restricted, plain = EventNote.objects.order_by("id")
    assert (restricted.restricted_text, restricted.text, restricted.updated_at) == (
        "Talked about the move.",
        "",
        moment,
    )
    stored = raw_column("students_eventnote", "restricted_text", restricted.pk)
    assert stored != "Talked about the move." and decrypt(stored) == "Talked about the move."
    assert raw_column("students_eventnote", "restricted_text", plain.pk) == ""  # empty stays empty, as a save leaves it
    # The search vector is the database's own generated column, kept for plain text only.
    assert raw_column("students_eventnote", "text_vector::text", plain.pk) == "'plain':1 'word':2"
    assert raw_column("students_eventnote", "text_vector::text", restricted.pk) == ""


def test_columns_left_out_get_the_models_defaults():
    student = StudentFactory()
    CopyTable(Absence, ("student_id", "occurred_on")).write([(student.pk, datetime.date(2026, 10, 5))])
    absence = Absence.objects.get()
    assert (absence.excused, absence.dismissed, absence.reason, absence.attendance_code) == (False, False, "", "")


def test_a_row_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match="2 values for 4 columns"):
        CopyTable(Absence, ("student_id", "occurred_on", "excused", "reason")).write([(1, datetime.date(2026, 1, 5))])


def test_reserved_ids_are_the_next_ones_and_the_sequence_moves_past_them():
    school = SchoolFactory()
    before = StudentFactory(school=school).pk
    first = reserve_ids(Student, 3)
    assert first == before + 1
    assert StudentFactory(school=school).pk == first + 3
    with pytest.raises(ValueError, match="positive"):
        reserve_ids(Student, 0)


def test_a_table_loaded_without_its_indexes_and_keys_gets_them_back_as_they_were():
    before = indexes_and_constraints("students_absence")
    student = StudentFactory()
    with rebuilt_after_load("students_absence"):
        assert {name for name, _ in indexes_and_constraints("students_absence")} == {"students_absence_pkey"}
        CopyTable(Absence, ("student_id", "occurred_on")).write([(student.pk, datetime.date(2026, 10, 5))])
    assert indexes_and_constraints("students_absence") == before
    assert Absence.objects.filter(student=student).count() == 1


def test_a_row_the_keys_refuse_fails_the_rebuild_and_nothing_stays():
    before = indexes_and_constraints("students_absence")
    with pytest.raises(IntegrityError), transaction.atomic(), rebuilt_after_load("students_absence"):
        CopyTable(Absence, ("student_id", "occurred_on")).write([(987654321, datetime.date(2026, 10, 5))])
    assert indexes_and_constraints("students_absence") == before
    assert not Absence.objects.exists()


def test_with_its_primary_key_a_table_is_loaded_bare_and_gets_every_key_back():
    before = indexes_and_constraints("students_absence")
    student = StudentFactory()
    with rebuilt_after_load("students_absence", primary_key=True):
        assert indexes_and_constraints("students_absence") == []
        CopyTable(Absence, ("student_id", "occurred_on")).write([(student.pk, datetime.date(2026, 10, 5))])
    assert indexes_and_constraints("students_absence") == before
    assert Absence.objects.get(student=student).occurred_on == datetime.date(2026, 10, 5)


def test_a_repeated_id_fails_the_primary_keys_rebuild_and_nothing_stays():
    before = indexes_and_constraints("students_absence")
    student = StudentFactory()
    rows = [(7, student.pk, datetime.date(2026, 10, 5)), (7, student.pk, datetime.date(2026, 10, 6))]
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        rebuilt_after_load("students_absence", primary_key=True),
    ):
        CopyTable(Absence, ("id", "student_id", "occurred_on")).write(rows)
    assert indexes_and_constraints("students_absence") == before
    assert not Absence.objects.exists()


def test_a_primary_key_other_tables_refer_to_is_kept_through_the_load():
    with rebuilt_after_load("students_student", primary_key=True):
        assert "students_student_pkey" in {name for name, _ in indexes_and_constraints("students_student")}
