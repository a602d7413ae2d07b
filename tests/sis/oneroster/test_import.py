"""Hand-built OneRoster 1.1 and 1.2 packages import through the shared pipeline, once and idempotently."""

import zipfile

import pytest
from cryptography.fernet import Fernet

from educators.models import Educator
from students.models import Absence, Homeroom, School, Section, Student
from students.sis.checks import check_oneroster_student_id
from students.sis.models import ImportRun
from tests.sis.conftest import TODAY, csv_text
from tests.sis.oneroster.conftest import EXPECTED, YEAR, district
from tests.sis.oneroster.helpers import district_counts
from tests.sis.test_bad_input import errors_of, import_package, table_checksums
from tests.test_settings import PRODUCTION_ENV, manage

VERSIONS = ("1.1", "1.2")


@pytest.mark.parametrize("version", VERSIONS)
def test_a_package_imports_into_an_empty_district_with_the_expected_counts(oneroster, importer, version):
    run = import_package(oneroster.build(version), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert errors_of(run) == []
    assert run.manifest["format"] == f"oneroster-{version}"
    assert district_counts(importer) == EXPECTED
    assert dict(run.files.exclude(rows=None).values_list("name", "rows")) == {
        "orgs.csv": 3,
        "academicSessions.csv": 2,
        "courses.csv": 2,
        "classes.csv": 4,
        "users.csv": 10,
        "enrollments.csv": 14,
        "demographics.csv": 2,
        **({"roles.csv": 10} if version == "1.2" else {}),
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_rows_are_mapped_as_the_import_format_documents(oneroster, importer, version):
    import_package(oneroster.build(version), importer)

    assert dict(School.objects.values_list("local_id", "school_type")) == {"ES1": "ES", "HS1": "HS"}
    ada = Student.objects.get(local_id="1001")
    assert (ada.first_name, ada.last_name, ada.grade, ada.school.local_id) == ("Ada", "Lovelace", "3", "ES1")
    assert (ada.date_of_birth.year, ada.gender, ada.race, ada.hispanic_latino) == (YEAR - 8, "F", "White", False)
    assert ada.homeroom.name == "Room 12" and ada.homeroom.educator.email == "ana.rivera@riverside.example"
    katherine = Student.objects.get(local_id="2001")
    assert katherine.race == "Asian; Black or African American" and katherine.homeroom is None
    assert sorted(Student.objects.values_list("local_id", flat=True)) == [
        "1001",
        "1002",
        "1003",
        "2001",
        "2002",
        "2003",
    ]
    staff = dict(Educator.objects.exclude(email__startswith="data.lead").values_list("email", "staff_type"))
    assert staff == {
        "ana.rivera@riverside.example": "teacher",
        "ben.okafor@riverside.example": "teacher",
        "chris.lee@riverside.example": "administrator",
    }
    biology = Section.objects.get(section_number="k2")
    assert (biology.course.course_number, biology.course.school.local_id) == ("BIO10", "HS1")
    assert (biology.term_local_id, biology.school_year, biology.schedule, biology.room_number) == (
        "Semester 1",
        YEAR,
        "2, 3",
        "Lab 2",
    )
    assert sorted(biology.student_assignments.values_list("student__local_id", flat=True)) == ["2001", "2002"]
    assert Homeroom.objects.get().grade == "3"


@pytest.mark.parametrize("version", VERSIONS)
def test_the_same_package_twice_changes_nothing(oneroster, importer, version):
    first = import_package(oneroster.build(version), importer)
    assert first.status == ImportRun.Status.APPLIED, first.error
    before = table_checksums()

    again = import_package(oneroster.build(version), importer)
    assert again.status == ImportRun.Status.UNCHANGED
    # A package with the same rows but another manifest is compared row by row: nothing changes either.
    compared = import_package(oneroster.build(version, manifest={"source.systemName": "Nightly"}), importer)
    assert compared.status == ImportRun.Status.APPLIED, compared.error
    changes = {
        (label, kind): value
        for label, figures in compared.counts.items()
        for kind, value in figures.items()
        if kind != "unchanged" and value
    }
    assert changes == {}
    assert table_checksums() == before


def test_a_zip_package_imports_like_a_folder(oneroster, importer, tmp_path):
    folder = oneroster.build("1.2")
    archive = tmp_path / "OneRosterv1p2BulkCSV.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(folder.iterdir()):
            zipped.write(path, path.name)

    run = import_package(archive, importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert district_counts(importer) == EXPECTED


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("sourcedId", ["u1", "u2", "u3", "u4", "u5", "u6"]),
        (
            "username",
            ["ada.lovelace", "alan.turing", "dorothy.vaughan", "grace.hopper", "katherine.johnson", "mary.jackson"],
        ),
        ("userIds:sasid", ["101", "102", "103", "104", "105", "106"]),
    ],
)
def test_the_district_chooses_which_user_identifier_is_the_local_id(oneroster, importer, settings, choice, expected):
    settings.SIS_IMPORT = {**settings.SIS_IMPORT, "ONEROSTER_STUDENT_ID": choice}

    run = import_package(oneroster.build("1.1"), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert sorted(Student.objects.values_list("local_id", flat=True)) == expected
    assert Section.objects.get(section_number="k1").student_assignments.count() == 3


def test_an_unknown_identifier_setting_fails_the_run_with_what_to_fix(oneroster, importer, settings):
    settings.SIS_IMPORT = {**settings.SIS_IMPORT, "ONEROSTER_STUDENT_ID": "email"}

    run = import_package(oneroster.build("1.1"), importer)

    assert run.status == ImportRun.Status.FAILED
    assert "SIS_ONEROSTER_STUDENT_ID must be sourcedId, identifier, username or userIds:<type>" in run.error
    assert Student.objects.count() == 0


def test_a_student_without_the_configured_identifier_is_a_row_error(oneroster, importer):
    users = [dict(user, identifier="") if user["sourcedId"] == "u2" else user for user in district("1.1")["users"]]

    run = import_package(oneroster.build("1.1", users=users), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert ("users.csv", 3, "identifier", "missing_required") in errors_of(run)
    assert ("enrollments.csv", 3, "userSourcedId", "user_without_local_id") in errors_of(run)
    assert Student.objects.count() == 5


def test_insights_files_add_what_oneroster_does_not_carry(oneroster, importer):
    attendance = csv_text(
        [
            {
                "local_id": "1001",
                "school_local_id": "ES1",
                "event_date": TODAY.isoformat(),
                "attendance_code": "absent",
                "excused": "false",
            }
        ]
    )

    run = import_package(oneroster.build("1.2", extras={"attendance.csv": attendance}), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert list(Absence.objects.values_list("student__local_id", "occurred_on")) == [("1001", TODAY)]
    assert run.manifest["files"]["attendance"] == "bulk"


def test_an_insights_roster_file_cannot_be_mixed_with_oneroster_rostering(oneroster, importer):
    students = csv_text(
        [
            {
                "local_id": "9",
                "school_local_id": "ES1",
                "first_name": "A",
                "last_name": "B",
                "grade": "3",
                "enrollment_status": "Active",
            }
        ]
    )

    run = import_package(oneroster.build("1.1", extras={"students.csv": students}), importer)

    assert run.status == ImportRun.Status.FAILED
    assert "students.csv cannot be combined with OneRoster rostering" in run.error
    assert Student.objects.count() == 0


def test_a_mistyped_identifier_setting_stops_a_deploy():
    env = {**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}

    refused = manage("check", env={**env, "SIS_ONEROSTER_STUDENT_ID": "studentNumber"})
    accepted = manage("check", env={**env, "SIS_ONEROSTER_STUDENT_ID": "userIds:SASID"})

    assert refused.returncode != 0 and "sis.E001" in refused.stderr + refused.stdout
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_the_identifier_check_accepts_exactly_the_documented_choices(settings):
    settings.SIS_IMPORT = {**settings.SIS_IMPORT, "ONEROSTER_STUDENT_ID": "userIds:"}

    assert [error.id for error in check_oneroster_student_id(None)] == ["sis.E001"]
    settings.SIS_IMPORT = {**settings.SIS_IMPORT, "ONEROSTER_STUDENT_ID": "userIds:SASID"}
    assert check_oneroster_student_id(None) == []
