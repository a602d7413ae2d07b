"""Snapshot semantics (missing students flagged, events replaced only inside the window), no-op
re-runs, dry runs, and guards that hold a run until it is approved or discarded."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from audit.models import AccessEvent
from students.models import Absence, Student
from students.sis.models import ImportRun
from students.sis.receive import receive_path
from students.sis.runs import approve_run, discard_run, run_import
from tests.sis.conftest import EDUCATORS, SCHOOLS, STUDENTS, TODAY, WINDOW_START
from tests.sis.test_bad_input import table_checksums


def import_package(path, importer, **fields) -> ImportRun:
    return run_import(receive_path(path, triggered_by=importer, **fields), actor=importer)


def attendance(local_id: str, day: datetime.date, code="absent") -> dict:
    return {"local_id": local_id, "school_local_id": "ES1", "event_date": day.isoformat(), "attendance_code": code}


def test_an_identical_package_is_a_no_op(packages, importer):
    path = packages.basic()
    first = import_package(path, importer)
    before = table_checksums()
    again = import_package(path, importer)
    assert (first.status, again.status) == (ImportRun.Status.APPLIED, ImportRun.Status.UNCHANGED)
    assert table_checksums() == before


def test_a_changed_row_is_updated_and_only_it_is_named_in_the_audit_event(packages, importer):
    import_package(packages.basic(), importer)
    rows = [dict(STUDENTS[0], last_name="Renamed"), *STUDENTS[1:]]
    run = import_package(packages.basic(students=rows), importer)
    assert run.counts["students"]["updated"] == 1 and run.counts["students"]["unchanged"] == len(STUDENTS) - 1
    event = AccessEvent.objects.filter(action="sis_import").order_by("-id").first()
    assert event.student_ids == [Student.objects.get(local_id="S1").pk]


def test_students_missing_from_the_snapshot_are_flagged_never_deleted(packages, importer):
    import_package(packages.basic(), importer)
    run = import_package(packages.basic(students=STUDENTS[1:]), importer)
    assert run.status == ImportRun.Status.APPLIED
    assert Student.objects.get(local_id="S1").missing_from_last_export
    back = import_package(packages.basic(), importer)
    assert back.counts["students"]["updated"] == 1
    assert not Student.objects.get(local_id="S1").missing_from_last_export


def test_events_are_replaced_only_inside_the_declared_window(packages, importer):
    old_day = WINDOW_START - datetime.timedelta(days=30)
    inside = TODAY - datetime.timedelta(days=3)
    first = [attendance("S1", old_day), attendance("S1", inside), attendance("S2", inside, "tardy")]
    # The old absence predates this package's window: it comes from an earlier, wider one.
    wide = {"window.attendance.start": old_day.isoformat(), "window.attendance.end": TODAY.isoformat()}
    files = {"schools": SCHOOLS, "educators": EDUCATORS, "students": STUDENTS, "attendance": first}
    import_package(packages.build(manifest=wide, **files), importer)
    assert Absence.objects.count() == 2
    later = [attendance("S2", inside, "tardy"), attendance("S2", inside)]
    run = import_package(packages.basic(attendance=later), importer)
    assert run.status == ImportRun.Status.APPLIED
    assert run.counts["absences"] == {"inserted": 1, "updated": 0, "unchanged": 0, "deleted": 1}
    assert sorted(Absence.objects.values_list("student__local_id", "occurred_on")) == [("S1", old_day), ("S2", inside)]


def test_a_dry_run_reports_the_diff_and_changes_nothing(packages, importer):
    before = table_checksums()
    run = import_package(packages.basic(), importer, dry_run=True)
    assert run.status == ImportRun.Status.DRY_RUN
    assert run.counts["students"]["inserted"] == len(STUDENTS)
    assert table_checksums() == before


@pytest.fixture
def held_run(packages, importer, settings):
    settings.SIS_IMPORT = {**settings.SIS_IMPORT, "GUARD_MISSING_MIN": 2, "GUARD_MISSING_PERCENT": 5}
    import_package(packages.basic(), importer)
    mail.outbox.clear()
    return import_package(packages.basic(students=STUDENTS[3:]), importer)


def test_a_run_making_many_students_missing_is_held_and_importers_are_mailed(held_run, importer):
    assert held_run.status == ImportRun.Status.HELD
    tripped = [guard for guard in held_run.guard_results if guard["tripped"]]
    assert [guard["guard"] for guard in tripped] == ["students_missing"]
    assert not Student.objects.filter(missing_from_last_export=True).exists()
    assert [message.to for message in mail.outbox] == [[importer.email]]
    assert "S1" not in mail.outbox[0].body


def test_approving_a_held_run_applies_it_and_records_who(held_run, importer):
    run = approve_run(held_run, actor=importer)
    assert run.status == ImportRun.Status.APPLIED and run.decided_by == importer
    assert Student.objects.filter(missing_from_last_export=True).count() == 3


def test_discarding_a_held_run_changes_nothing_and_deletes_its_files(held_run, importer):
    before = table_checksums()
    run = discard_run(held_run, actor=importer)
    assert run.status == ImportRun.Status.DISCARDED and not run.files.exists()
    assert table_checksums() == before
    assert AccessEvent.objects.filter(action="sis_import_discard", actor_id=importer.pk).exists()


def test_a_shrunken_file_is_held(packages, importer):
    import_package(packages.basic(), importer)
    run = import_package(packages.basic(students=STUDENTS[:5]), importer)
    assert run.status == ImportRun.Status.HELD
    assert "file_shrank:students.csv" in [guard["guard"] for guard in run.guard_results if guard["tripped"]]


def test_the_command_imports_with_a_dry_run_option(packages, importer, capsys):
    call_command("import_sis", str(packages.basic()), "--actor", importer.email, "--dry-run")
    assert "Dry run" in capsys.readouterr().out
    assert not Student.objects.exists()
    call_command("import_sis", str(packages.basic()), "--actor", importer.email)
    assert Student.objects.count() == len(STUDENTS)


def test_a_school_missing_from_the_students_file_is_held(packages, importer):
    schools = [*SCHOOLS, {"school_local_id": "ES2", "name": "Oak Elementary", "school_type": "ES"}]
    others = [dict(row, local_id=f"O{n}", state_id=f"OS{n}", school_local_id="ES2") for n, row in enumerate(STUDENTS)]
    import_package(packages.basic(schools=schools, students=[*STUDENTS, *others]), importer)
    run = import_package(packages.basic(schools=schools, students=[*STUDENTS, *others[:1]]), importer)
    assert "school_missing" not in [guard["guard"] for guard in run.guard_results if guard["tripped"]]
    run = import_package(packages.basic(schools=schools, students=STUDENTS * 2), importer)
    assert run.status == ImportRun.Status.HELD
    assert "school_missing" in [guard["guard"] for guard in run.guard_results if guard["tripped"]]


def test_removing_many_section_enrollments_is_held(packages, importer):
    section = {
        "school_local_id": "ES1",
        "course_number": "ART",
        "section_number": "1",
        "term_local_id": "FY",
        "school_year": "2026",
    }
    enrolled = [{"local_id": row["local_id"], **section} for row in STUDENTS]
    import_package(packages.basic(sections=[section], student_section_assignments=enrolled), importer)
    run = import_package(packages.basic(sections=[section], student_section_assignments=enrolled[:7]), importer)
    assert run.status == ImportRun.Status.HELD
    tripped = {guard["guard"]: guard for guard in run.guard_results if guard["tripped"]}
    assert tripped["enrollments_removed"]["value"] == round(100 * 5 / 12, 1)
