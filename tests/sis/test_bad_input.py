"""Bad packages get a clear error or row errors, and a failed run leaves the database exactly as it was."""

import io
import zipfile

import pytest
from django.db import connection

from students.models import School, Student
from students.sis.models import ImportRun
from students.sis.receive import receive_path
from students.sis.runs import run_import
from tests.sis.conftest import SCHOOLS, STUDENTS, csv_text, manifest_text

# The import's own history and the audit log record every run, failed ones included.
UNCOMPARED_PREFIXES = ("sis_", "audit_", "procrastinate_", "django_session", "insights_cache")


def table_checksums() -> dict[str, str]:
    """An md5 of every row of every table the import may write, in a stable order."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [name for (name,) in cursor.fetchall() if not name.startswith(UNCOMPARED_PREFIXES)]
        sums = {}
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quoted} t")
            sums[table] = cursor.fetchone()[0]
    return sums


def import_package(path, importer) -> ImportRun:
    received = receive_path(path, triggered_by=importer)
    if received.status != ImportRun.Status.RECEIVED:
        return received
    return run_import(received, actor=importer)


@pytest.fixture
def live_district(packages, importer):
    """A district imported once, so failures have something to leave untouched."""
    applied = import_package(packages.basic(), importer)
    assert applied.status == ImportRun.Status.APPLIED, applied.error
    return table_checksums()


def assert_failed_without_change(result: ImportRun, before: dict, message: str):
    assert result.status == ImportRun.Status.FAILED
    assert message in result.error
    assert table_checksums() == before


def errors_of(result: ImportRun) -> list[tuple]:
    return list(result.row_errors.values_list("file", "row_number", "column", "code"))


def student_rows(**changes) -> list[dict]:
    return [dict(STUDENTS[0], **changes), *STUDENTS[1:]]


class TestPackageLevelFailures:
    def test_a_file_neither_utf8_nor_windows_1252_is_refused(self, packages, importer, live_district):
        bad = csv_text(STUDENTS).encode("utf-8") + b"S99,\x81\x8d,ES1\r\n"
        path = packages.build(schools=SCHOOLS, raw={"students.csv": bad})
        assert_failed_without_change(import_package(path, importer), live_district, "neither UTF-8 nor Windows-1252")

    def test_a_misspelled_required_header_is_refused(self, packages, importer, live_district):
        text = csv_text(STUDENTS).replace("first_name", "frist_name", 1)
        path = packages.basic(students=text)
        assert_failed_without_change(
            import_package(path, importer), live_district, "students.csv: missing required column first_name"
        )

    def test_an_empty_file_is_refused(self, packages, importer, live_district):
        path = packages.build(schools=SCHOOLS, raw={"students.csv": b""})
        assert_failed_without_change(import_package(path, importer), live_district, "students.csv is empty")

    def test_a_package_for_another_district_is_refused(self, packages, importer, live_district):
        path = packages.build(manifest={"district.key": "elsewhere"}, schools=SCHOOLS, students=STUDENTS)
        assert_failed_without_change(import_package(path, importer), live_district, "another district")

    def test_a_declared_file_that_is_missing_is_refused(self, packages, importer, live_district):
        window = {"window.attendance.start": "2026-09-01", "window.attendance.end": "2026-09-30"}
        path = packages.build(manifest={"file.attendance": "bulk", **window}, schools=SCHOOLS)
        assert_failed_without_change(
            import_package(path, importer), live_district, "declares attendance.csv but the package does not"
        )

    def test_a_truncated_zip_is_refused(self, tmp_path, packages, importer, live_district):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.csv", manifest_text(["students"]))
            archive.writestr("students.csv", csv_text(STUDENTS) * 50)
        truncated = tmp_path / "truncated.zip"
        truncated.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
        assert_failed_without_change(import_package(truncated, importer), live_district, "damaged, truncated")

    @pytest.mark.parametrize("name", ["../students.csv", "/etc/students.csv", "package/../../students.csv"])
    def test_a_zip_with_paths_escaping_its_folder_is_refused(self, tmp_path, importer, live_district, name):
        archive_path = tmp_path / "escape.zip"
        with zipfile.ZipFile(archive_path, "w") as archive:
            archive.writestr("manifest.csv", manifest_text(["students"]))
            archive.writestr(name, csv_text(STUDENTS))
        result = import_package(archive_path, importer)
        assert_failed_without_change(result, live_district, "path outside its folder")
        assert not result.files.exists()

    def test_a_file_over_the_size_limit_is_refused_while_reading(self, settings, packages, importer, live_district):
        settings.SIS_IMPORT = {**settings.SIS_IMPORT, "MAX_FILE_BYTES": 1000}
        path = packages.basic(students=STUDENTS * 3)
        assert_failed_without_change(
            import_package(path, importer), live_district, "larger than the limit of 1,000 bytes"
        )

    def test_a_zip_bomb_is_stopped_at_the_package_limit(self, settings, tmp_path, importer, live_district):
        settings.SIS_IMPORT = {**settings.SIS_IMPORT, "MAX_PACKAGE_BYTES": 5 * 1024 * 1024}
        bomb = tmp_path / "bomb.zip"
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.csv", manifest_text(["students"]))
            archive.writestr("students.csv", b"0" * (20 * 1024 * 1024))
        assert bomb.stat().st_size < 100_000
        assert_failed_without_change(import_package(bomb, importer), live_district, "The package is larger than")

    def test_a_failure_inside_the_apply_rolls_everything_back(self, packages, importer, live_district):
        # Two new students claiming one state id that a live student already holds: the database refuses.
        rows = [dict(STUDENTS[0], local_id="NEW1", state_id=STUDENTS[1]["state_id"]), *STUDENTS[2:]]
        result = import_package(packages.basic(students=rows), importer)
        assert result.status == ImportRun.Status.FAILED
        assert "student_state_id" in result.error or "state_id" in result.error
        assert STUDENTS[1]["state_id"] not in result.error.replace("state_id", "")
        assert table_checksums() == live_district


class TestRowErrors:
    def test_a_bom_is_tolerated(self, packages, importer):
        path = packages.build(schools=SCHOOLS, raw={"students.csv": b"\xef\xbb\xbf" + csv_text(STUDENTS).encode()})
        result = import_package(path, importer)
        assert result.status == ImportRun.Status.APPLIED
        assert Student.objects.count() == len(STUDENTS)

    def test_windows_1252_is_read_and_recorded(self, packages, importer):
        rows = student_rows(first_name="José")
        path = packages.build(schools=SCHOOLS, raw={"students.csv": csv_text(rows).encode("cp1252")})
        result = import_package(path, importer)
        assert result.status == ImportRun.Status.APPLIED
        assert "students.csv is not UTF-8; it was read as Windows-1252." in result.warnings
        assert Student.objects.get(local_id="S1").first_name == "José"

    def test_an_unknown_extra_column_is_a_warning(self, packages, importer):
        rows = [dict(row, shoe_size="9") for row in STUDENTS]
        result = import_package(packages.basic(students=rows), importer)
        assert result.status == ImportRun.Status.APPLIED
        assert "students.csv: unknown column shoe_size ignored." in result.warnings

    def test_duplicate_keys_keep_the_first_row(self, packages, importer):
        rows = [*STUDENTS, dict(STUDENTS[0], first_name="Second")]
        result = import_package(packages.basic(students=rows), importer)
        assert ("students.csv", len(rows) + 1, "local_id", "duplicate_key") in errors_of(result)
        assert Student.objects.get(local_id="S1").first_name == "First1"

    def test_a_student_at_an_unknown_school_is_an_error_and_not_imported(self, packages, importer):
        result = import_package(packages.basic(students=student_rows(school_local_id="NOPE")), importer)
        assert ("students.csv", 2, "school_local_id", "unknown_school") in errors_of(result)
        assert not Student.objects.filter(local_id="S1").exists()

    @pytest.mark.parametrize(
        ("value", "code"), [("2025-02-30", "bad_date"), ("2999-01-01", "future_date"), ("01/02/2015", "bad_date")]
    )
    def test_impossible_and_future_dates_are_row_errors(self, packages, importer, value, code):
        result = import_package(packages.basic(students=student_rows(date_of_birth=value)), importer)
        assert ("students.csv", 2, "date_of_birth", code) in errors_of(result)
        assert Student.objects.get(local_id="S1").date_of_birth is None

    def test_a_birth_after_registration_is_a_row_error(self, packages, importer):
        result = import_package(packages.basic(students=student_rows(date_of_birth="2023-01-01")), importer)
        assert ("students.csv", 2, "date_of_birth", "birth_after_registration") in errors_of(result)
        assert Student.objects.get(local_id="S1").date_of_birth is None

    def test_an_assignment_to_an_unknown_section_is_a_row_error(self, packages, importer):
        section = {
            "school_local_id": "ES1",
            "course_number": "MATH3",
            "section_number": "1",
            "term_local_id": "FY",
            "school_year": "2026",
        }
        assignments = [{"local_id": "S1", **section}, {"local_id": "S2", **section, "section_number": "9"}]
        result = import_package(packages.basic(sections=[section], student_section_assignments=assignments), importer)
        assert errors_of(result) == [("student_section_assignments.csv", 3, "section_number", "unknown_section")]
        assert Student.objects.get(local_id="S1").section_assignments.count() == 1

    def test_a_formula_in_a_name_is_stored_as_text(self, packages, importer):
        formula = '=HYPERLINK("http://evil.example","x")'
        import_package(packages.basic(students=student_rows(last_name=formula)), importer)
        assert Student.objects.get(local_id="S1").last_name == formula

    def test_nul_bytes_are_row_errors(self, packages, importer):
        result = import_package(packages.basic(students=student_rows(first_name="Ma\x00ria")), importer)
        assert ("students.csv", 2, "first_name", "nul_byte") in errors_of(result)
        assert Student.objects.count() == 0 or not Student.objects.filter(local_id="S1", first_name__contains="ria")

    def test_row_errors_never_hold_the_value(self, packages, importer, caplog):
        secret = "Zyxwvut"
        rows = student_rows(first_name=secret * 20, date_of_birth=secret)
        result = import_package(packages.basic(students=rows), importer)
        stored = " ".join(str(value) for row in result.row_errors.values_list() for value in row)
        assert errors_of(result)
        assert secret not in stored and secret not in caplog.text and secret not in result.error
        assert School.objects.count() == 1
