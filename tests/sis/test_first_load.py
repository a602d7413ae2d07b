"""A district's first import loads its empty tables in bulk and leaves their schema as the migrations made it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessEvent
from students.models import Absence, Student
from students.models.absence_summary import absence_summary_is_current, rebuild_absence_summary
from students.sis.models import ImportRun
from students.sis.sql import staging_table
from tests.sis.conftest import STUDENTS
from tests.sis.test_bad_input import import_package
from tests.sis.test_skipping import ABSENCES


def schema() -> list[tuple]:
    """Every index, constraint and trigger of the public tables, by name and definition (or whether enabled)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' UNION ALL "
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace UNION ALL "
            "SELECT tgrelid::regclass::text, tgname, tgenabled::text FROM pg_trigger WHERE NOT tgisinternal "
            "ORDER BY 1, 2, 3"
        )
        return cursor.fetchall()


def rebuilding_statements(queries) -> list[str]:
    """Statements that drop or alter the live tables' indexes and constraints (not the run's own staging tables)."""
    return [
        query["sql"]
        for query in queries
        if query["sql"].startswith(("DROP INDEX", "ALTER TABLE"))
        and not query["sql"].startswith(f"ALTER TABLE {staging_table('')}")
    ]


def test_a_first_import_rebuilds_indexes_and_constraints_as_they_were(packages, importer):
    assert not Student.objects.exists()
    before = schema()
    with CaptureQueriesContext(connection) as queries:
        run = import_package(packages.basic(), importer)
    assert run.status == ImportRun.Status.APPLIED, run.error
    assert Student.objects.count() == len(STUDENTS)
    rebuilt = rebuilding_statements(queries.captured_queries)
    assert any("students_student" in sql and "ADD CONSTRAINT" in sql for sql in rebuilt)
    assert schema() == before


def test_a_district_with_students_is_updated_in_place(packages, importer):
    import_package(packages.basic(), importer)
    changed = [dict(STUDENTS[0], first_name="Renamed"), *STUDENTS[1:]]
    with CaptureQueriesContext(connection) as queries:
        run = import_package(packages.basic(students=changed), importer)
    assert run.status == ImportRun.Status.APPLIED, run.error
    assert run.counts["students"]["updated"] == 1
    assert rebuilding_statements(queries.captured_queries) == []


def test_a_first_import_loads_without_the_outside_write_triggers_and_they_note_writes_again_after_it(
    packages, importer
):
    with CaptureQueriesContext(connection) as queries:
        run = import_package(packages.basic(attendance=ABSENCES), importer)
    assert run.status == ImportRun.Status.APPLIED, run.error
    statements = [query["sql"] for query in queries.captured_queries]
    disabled = [sql.split()[-1] for sql in statements if " DISABLE TRIGGER " in sql]
    enabled = [sql.split()[-1] for sql in statements if " ENABLE TRIGGER " in sql]
    assert "sis_ow_students_absence_ins_del" in disabled
    assert sorted(disabled) == sorted(enabled)
    assert "students_absence" not in noted_tables()
    Absence.objects.filter(student__local_id="S1").first().delete()
    assert "students_absence" in noted_tables()


def noted_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM sis_outside_write")
        return {name for (name,) in cursor.fetchall()}


def test_a_first_import_leaves_the_planner_statistics_of_the_columns_its_later_statements_join_on(packages, importer):
    run = import_package(packages.basic(attendance=ABSENCES), importer)
    assert run.status == ImportRun.Status.APPLIED, run.error
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, attname FROM pg_stats WHERE schemaname = 'public' "
            "AND tablename IN ('students_student', 'students_absence')"
        )
        analyzed = set(cursor.fetchall())
    joined = {("students_student", "id"), ("students_student", "local_id")}
    joined |= {("students_absence", "student_id"), ("students_absence", "occurred_on")}
    assert joined <= analyzed


def test_a_first_imports_audit_event_names_every_student_it_loaded(packages, importer):
    import_package(packages.basic(attendance=ABSENCES), importer)
    event = AccessEvent.objects.filter(action="sis_import").order_by("-id").first()
    assert sorted(event.student_ids) == sorted(Student.objects.values_list("pk", flat=True))
    assert len(event.student_ids) == len(STUDENTS)


def test_an_import_writing_absences_leaves_the_absence_summary_stale_first_load_or_not(packages, importer):
    day = timezone.localdate()
    rebuild_absence_summary(day)
    assert absence_summary_is_current(day)
    run = import_package(packages.basic(attendance=ABSENCES), importer)
    assert run.status == ImportRun.Status.APPLIED, run.error
    assert not absence_summary_is_current(day)
    rebuild_absence_summary(day)
    assert absence_summary_is_current(day)
    run = import_package(packages.basic(attendance=ABSENCES[1:]), importer)
    assert run.status == ImportRun.Status.APPLIED, run.error
    assert not absence_summary_is_current(day)
