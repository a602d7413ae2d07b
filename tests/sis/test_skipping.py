"""A re-run skips files byte-identical to the last applied run's, and only when a full reading could
not come out differently: each case where it must read them after all, and what a skipped file's
counts, row errors and guards carry over from the last applied run."""

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from educators.models import Educator
from students.models import Absence, AttendanceCode, Plan504, Student
from students.sis.models import ImportFile, ImportRun
from students.sis.receive import receive_path
from students.sis.runs import approve_run, discard_run, run_import
from tests.sis.conftest import EDUCATORS, SCHOOLS, STUDENTS, TODAY, WINDOW_START
from tests.sis.test_bad_input import table_checksums
from tests.sis.test_snapshots_and_guards import attendance, import_package

DAYS = [TODAY - datetime.timedelta(days=n) for n in range(1, 6)]
# Writes are noted per transaction: each test's statements must commit as an application's would.
pytestmark = pytest.mark.django_db(transaction=True)
ABSENCES = [attendance(f"S{n}", day) for n in range(1, 7) for day in DAYS]


def renamed(n: int = 1) -> list[dict]:
    """The students file with student ``n`` renamed: a changed students.csv."""
    return [dict(row, last_name="Renamed") if row["local_id"] == f"S{n}" else row for row in STUDENTS]


def restamped(packages, day: int):
    """The basic package with its educators, as generated another day: only the manifest's time differs."""
    return packages.build(
        manifest={"generated_at": (TODAY + datetime.timedelta(days=day)).isoformat()},
        schools=SCHOOLS,
        educators=EDUCATORS,
        students=STUDENTS,
        attendance=ABSENCES,
    )


def skipped(run: ImportRun) -> set[str]:
    return set(run.files.filter(unchanged_since__isnull=False).values_list("name", flat=True))


def test_a_file_identical_to_the_last_applied_runs_is_not_read_and_counts_as_unchanged(packages, importer):
    first = import_package(packages.basic(attendance=ABSENCES), importer)
    again = import_package(packages.basic(students=renamed(), attendance=ABSENCES), importer)
    assert again.status == ImportRun.Status.APPLIED
    assert skipped(again) == {"attendance.csv", "schools.csv"}
    assert again.files.get(name="attendance.csv").unchanged_since == first
    assert again.files.get(name="attendance.csv").rows == len(ABSENCES)
    assert again.counts["absences"] == {"inserted": 0, "updated": 0, "unchanged": len(ABSENCES), "deleted": 0}
    assert again.counts["students"]["updated"] == 1  # the changed file was read
    assert Student.objects.get(local_id="S1").last_name == "Renamed"
    assert Absence.objects.count() == len(ABSENCES)


def test_only_the_manifests_time_changed_skips_every_data_file(packages, importer):
    import_package(packages.basic(attendance=ABSENCES), importer)
    again = import_package(restamped(packages, 1), importer)
    assert again.status == ImportRun.Status.APPLIED
    assert skipped(again) == {"schools.csv", "educators.csv", "students.csv", "attendance.csv"}
    assert again.counts["students"] == {
        "inserted": 0,
        "updated": 0,
        "unchanged": len(STUDENTS),
        "missing": 0,
        "returned": 0,
    }


def test_a_changed_window_reads_every_file(packages, importer):
    import_package(packages.basic(attendance=ABSENCES), importer)
    wider = {"window.attendance.start": (WINDOW_START - datetime.timedelta(days=30)).isoformat()}
    again = import_package(
        packages.build(manifest=wider, schools=SCHOOLS, students=STUDENTS, attendance=ABSENCES), importer
    )
    assert again.status == ImportRun.Status.APPLIED and skipped(again) == set()


def test_an_absence_deleted_by_hand_since_the_last_run_is_put_back(packages, importer):
    import_package(packages.basic(attendance=ABSENCES), importer)
    Absence.objects.filter(student__local_id="S1").first().delete()  # an admin's edit, or a retention sweep
    again = import_package(packages.basic(students=renamed(), attendance=ABSENCES), importer)
    assert "attendance.csv" not in skipped(again)
    assert again.counts["absences"]["inserted"] == 1
    assert Absence.objects.count() == len(ABSENCES)


def test_a_student_edited_by_hand_is_read_again_even_from_an_identical_package(packages, importer):
    path = packages.basic(attendance=ABSENCES)
    import_package(path, importer)
    Student.objects.filter(local_id="S2").update(first_name="Corrected")  # e.g. a privacy correction
    again = import_package(path, importer)
    assert again.status == ImportRun.Status.APPLIED  # not a no-op: the live data moved
    assert skipped(again) == {"schools.csv", "attendance.csv"}  # a name is no reference
    assert Student.objects.get(local_id="S2").first_name == "First2"


def test_a_students_local_id_changed_by_hand_rereads_every_file_naming_students(packages, importer):
    path = packages.basic(attendance=ABSENCES)
    import_package(path, importer)
    with connection.cursor() as cursor:  # a write behind the application's back is noted too
        cursor.execute("UPDATE students_student SET local_id = 'X1', state_id = 'X1' WHERE local_id = 'S1'")
    again = import_package(path, importer)
    assert "attendance.csv" not in skipped(again) and "students.csv" not in skipped(again)
    assert Absence.objects.filter(student__local_id="S1").count() == len(DAYS)


def test_an_educators_sign_in_is_no_sis_change_but_a_renamed_educator_is(packages, importer):
    import_package(restamped(packages, 0), importer)
    educator = Educator.objects.get(local_id="T1")
    educator.last_login = timezone.now()
    educator.set_password("a new passphrase for the account")
    educator.save()
    assert "educators.csv" in skipped(import_package(restamped(packages, 1), importer))
    Educator.objects.filter(local_id="T1").update(full_name="Ana Rivera-Lopez")
    again = import_package(restamped(packages, 2), importer)
    assert "educators.csv" not in skipped(again)
    assert Educator.objects.get(local_id="T1").full_name == "Ana Rivera"


def test_no_trigger_names_a_column_so_migrations_may_still_change_the_watched_columns_types():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_depend d ON d.classid = 'pg_trigger'::regclass "
            "AND d.objid = t.oid AND d.refobjsubid > 0 WHERE t.tgname LIKE 'sis_ow_%%'"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'sis_ow_%%'")
        assert cursor.fetchone()[0] == 3 * 22
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE educators_educator ALTER COLUMN full_name TYPE varchar(300)")
        cursor.execute("ALTER TABLE students_student ALTER COLUMN local_id TYPE varchar(100)")
        transaction.set_rollback(True)


def test_an_import_writes_nothing_noted_and_an_applied_run_forgets_what_it_saw(packages, importer):
    path = packages.basic(attendance=ABSENCES)
    import_package(path, importer)
    Absence.objects.filter(student__local_id="S1").first().delete()
    import_package(packages.basic(students=renamed(), attendance=ABSENCES), importer)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sis_outside_write")
        assert cursor.fetchone()[0] == 0
    third = import_package(packages.basic(students=renamed(2), attendance=ABSENCES), importer)
    assert "attendance.csv" in skipped(third)


def test_a_failed_run_since_the_last_applied_one_reads_everything(packages, importer):
    import_package(packages.basic(attendance=ABSENCES), importer)
    broken = packages.basic(attendance=ABSENCES, students="local_id,first_name\r\nS1,A\r\n")
    assert import_package(broken, importer).status == ImportRun.Status.FAILED
    again = import_package(packages.basic(students=renamed(), attendance=ABSENCES), importer)
    assert again.status == ImportRun.Status.APPLIED and skipped(again) == set()


def test_a_discarded_run_since_the_last_applied_one_reads_everything(packages, importer):
    import_package(packages.basic(attendance=ABSENCES), importer)
    held = import_package(packages.basic(students=STUDENTS[:1], attendance=ABSENCES), importer)
    assert held.status == ImportRun.Status.HELD
    discard_run(held, actor=importer)
    again = import_package(packages.basic(students=renamed(), attendance=ABSENCES), importer)
    assert skipped(again) == set()


def test_edited_code_mappings_read_every_file(packages, importer):
    path = packages.basic(attendance=ABSENCES)
    import_package(path, importer)
    AttendanceCode.objects.filter(code="absent").update(excused=True)
    again = import_package(path, importer)
    assert again.status == ImportRun.Status.APPLIED and skipped(again) == set()
    assert Absence.objects.filter(excused=True).count() == len(ABSENCES)


def test_a_held_run_guards_a_skipped_file_with_the_last_runs_counts_and_applies_on_approval(packages, importer):
    first = import_package(packages.basic(attendance=ABSENCES), importer)
    held = import_package(packages.basic(students=STUDENTS[:2], attendance=ABSENCES), importer)
    assert held.status == ImportRun.Status.HELD
    assert "attendance.csv" in skipped(held)
    shrank = next(g for g in held.guard_results if g["guard"] == "file_shrank:attendance.csv")
    assert (shrank["tripped"], shrank["value"]) == (False, 100.0)  # its rows are the last run's: cannot trip
    assert next(g for g in held.guard_results if g["guard"] == "file_shrank:students.csv")["tripped"]
    approved = approve_run(held, actor=importer)
    assert approved.status == ImportRun.Status.APPLIED
    assert approved.files.get(name="attendance.csv").unchanged_since == first
    assert Student.objects.filter(missing_from_last_export=True).count() == len(STUDENTS) - 2
    assert Absence.objects.count() == len(ABSENCES)


def test_a_dry_runs_diff_counts_a_skipped_file_unchanged_and_changes_nothing(packages, importer):
    import_package(packages.basic(attendance=ABSENCES), importer)
    before = table_checksums()
    dry = import_package(packages.basic(students=renamed(), attendance=ABSENCES), importer, dry_run=True)
    assert dry.status == ImportRun.Status.DRY_RUN
    assert "attendance.csv" in skipped(dry)
    assert dry.counts["absences"]["unchanged"] == len(ABSENCES) and dry.counts["students"]["updated"] == 1
    assert table_checksums() == before


def test_a_skipped_files_own_row_errors_are_carried_into_the_history(packages, importer):
    rows = [*ABSENCES, dict(attendance("S1", DAYS[0]), event_date="2025-02-30")]
    first = import_package(packages.basic(attendance=rows), importer)
    assert first.row_error_count == 1
    again = import_package(packages.basic(students=renamed(), attendance=rows), importer)
    assert "attendance.csv" in skipped(again)
    assert again.row_error_count == 1
    assert list(again.row_errors.values_list("file", "row_number", "column", "code")) == [
        ("attendance.csv", len(rows) + 1, "event_date", "bad_date")
    ]
    assert again.files.get(name="attendance.csv").rows == first.files.get(name="attendance.csv").rows


def test_a_file_whose_rows_named_unknown_students_is_read_again_when_they_may_now_resolve(packages, importer):
    rows = [*ABSENCES, attendance("S99", DAYS[0])]
    import_package(packages.basic(attendance=rows), importer)
    newcomer = dict(STUDENTS[0], local_id="S99", state_id="ST99")
    again = import_package(packages.basic(students=[*STUDENTS, newcomer], attendance=rows), importer)
    assert "attendance.csv" not in skipped(again)
    assert Absence.objects.filter(student__local_id="S99").count() == 1
    assert again.row_error_count == 0


def test_future_dates_are_read_again_another_day(packages, importer):
    rows = [*ABSENCES, attendance("S1", TODAY + datetime.timedelta(days=1))]
    import_package(packages.basic(attendance=rows), importer)
    again = import_package(packages.basic(students=renamed(), attendance=rows), importer)
    assert "attendance.csv" not in skipped(again)


def test_programs_and_accommodations_are_read_together_and_with_a_changed_students_file(packages, importer):
    programs = [
        {"plan_source_id": "P1", "local_id": "S1", "program": "section_504", "begin_date": "2023-09-01"},
        {"plan_source_id": "P2", "local_id": "S2", "program": "english_learner", "begin_date": "2023-09-01"},
    ]
    accommodations = [{"accommodation_id": "A1", "plan_source_id": "P1", "local_id": "S1", "description": "Seat"}]
    import_package(packages.basic(programs=programs, accommodations=accommodations), importer)
    changed = [dict(accommodations[0], description="Front seat")]
    again = import_package(packages.basic(programs=programs, accommodations=changed), importer)
    assert "programs.csv" not in skipped(again)
    assert Plan504.objects.get().accommodations == "Front seat"
    third = import_package(packages.basic(students=renamed(), programs=programs, accommodations=changed), importer)
    assert skipped(third) & {"programs.csv", "accommodations.csv", "educators.csv"} == set()
    assert Student.objects.get(local_id="S2").limited_english_proficiency == "Limited"
    assert Plan504.objects.get().accommodations == "Front seat"


def test_a_scoped_package_rereads_every_file_naming_students_when_students_changed(packages, importer):
    scoped = {"scope.schools": "ES1"}
    files = {"schools": SCHOOLS, "students": STUDENTS, "attendance": ABSENCES}
    import_package(packages.build(manifest=scoped, **files), importer)
    again = import_package(packages.build(manifest=scoped, **(files | {"students": renamed()})), importer)
    assert skipped(again) == {"schools.csv"}


def test_only_the_import_files_of_the_last_applied_run_count(packages, importer):
    first = import_package(packages.basic(attendance=ABSENCES), importer)
    run_import(
        receive_path(packages.basic(students=renamed(), attendance=ABSENCES), triggered_by=importer, dry_run=True),
        actor=importer,
    )
    again = import_package(packages.basic(students=renamed(3), attendance=ABSENCES), importer)
    assert again.files.get(name="attendance.csv").unchanged_since == first
    assert ImportFile.objects.filter(unchanged_since=first).count() >= 2


def test_a_file_with_codes_no_mapping_knows_is_read_again_and_guarded(packages, importer):
    rows = [dict(STUDENTS[0], program_assigned="Unheard-of program"), *STUDENTS[1:]]
    first = import_package(packages.basic(students=rows, attendance=ABSENCES), importer)
    if first.status == ImportRun.Status.HELD:
        first = approve_run(first, actor=importer)
    assert first.status == ImportRun.Status.APPLIED and "students.csv" in first.unmapped_codes["rows"]
    again = import_package(packages.basic(students=rows, attendance=ABSENCES[:-1]), importer)
    assert "students.csv" not in skipped(again)
    assert any(result["guard"] == "unmapped_codes:students.csv" for result in again.guard_results)
