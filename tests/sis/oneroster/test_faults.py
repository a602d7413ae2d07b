"""The faults real OneRoster exports have: each is a clear refusal, a row error or a recorded fallback,
and a refused package leaves the database exactly as it was."""

import pytest

from students.models import Section, Student
from students.sis.models import ImportRun
from tests.sis.oneroster.conftest import EXPECTED, columns, district, oneroster_csv
from tests.sis.oneroster.helpers import district_counts
from tests.sis.test_bad_input import assert_failed_without_change, errors_of, import_package, table_checksums


def rows(version, name, sourced_id, **changes):
    """The district's ``name`` table with one row changed (or removed when ``changes`` is {"drop": True})."""
    table = district(version)[name]
    if changes.get("drop"):
        return [row for row in table if row["sourcedId"] != sourced_id]
    return [dict(row, **changes) if row["sourcedId"] == sourced_id else row for row in table]


@pytest.fixture
def live(oneroster, importer):
    """The hand-built district imported once, so a refusal has something to leave untouched."""
    run = import_package(oneroster.build("1.1"), importer)
    assert run.status == ImportRun.Status.APPLIED, run.error
    return table_checksums()


def test_a_bom_on_every_file_is_tolerated(oneroster, importer):
    tables = district("1.1")
    raw = {
        f"{name}.csv": b"\xef\xbb\xbf" + oneroster_csv("1.1", name, table).encode() for name, table in tables.items()
    }

    run = import_package(oneroster.build("1.1", raw=raw, **dict.fromkeys(tables)), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert district_counts(importer) == EXPECTED


def test_windows_1252_bytes_are_read_as_such_and_the_fallback_is_recorded(oneroster, importer):
    users = rows("1.1", "users", "u1", givenName="José", familyName="Muñoz")
    raw = {"users.csv": oneroster_csv("1.1", "users", users).encode("cp1252")}

    run = import_package(oneroster.build("1.1", raw=raw, users=None), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert "users.csv is not UTF-8; it was read as Windows-1252." in run.warnings
    assert Student.objects.get(local_id="1001").last_name == "Muñoz"


def test_a_bom_before_windows_1252_text_is_still_a_bom(oneroster, importer):
    users = rows("1.1", "users", "u1", givenName="José")
    raw = {"users.csv": b"\xef\xbb\xbf" + oneroster_csv("1.1", "users", users).encode("cp1252")}

    run = import_package(oneroster.build("1.1", raw=raw, users=None), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert Student.objects.get(local_id="1001").first_name == "José"


def test_excels_trailing_empty_rows_are_skipped(oneroster, importer):
    tables = district("1.1")
    text = oneroster_csv("1.1", "enrollments", tables["enrollments"]) + ",,,,,,,,,\r\n" * 3 + "\r\n"

    run = import_package(oneroster.build("1.1", enrollments=text), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert errors_of(run) == []
    assert district_counts(importer) == EXPECTED


def test_orphaned_references_are_row_errors_naming_the_oneroster_file_row_and_column(oneroster, importer):
    tables = district("1.1")
    enrollments = [
        *tables["enrollments"],
        dict(tables["enrollments"][0], sourcedId="e-x", classSourcedId="nope"),
        dict(tables["enrollments"][0], sourcedId="e-y", userSourcedId="ghost"),
    ]
    classes = [*tables["classes"], dict(tables["classes"][0], sourcedId="k9", courseSourcedId="missing")]
    users = rows("1.1", "users", "u6", orgSourcedIds="elsewhere")

    run = import_package(oneroster.build("1.1", enrollments=enrollments, classes=classes, users=users), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert set(errors_of(run)) == {
        ("classes.csv", 6, "courseSourcedId", "unknown_course"),
        ("users.csv", 7, "orgSourcedIds", "unknown_org"),
        ("enrollments.csv", 16, "classSourcedId", "unknown_class"),
        ("enrollments.csv", 17, "userSourcedId", "unknown_user"),
        ("enrollments.csv", 10, "userSourcedId", "unknown_student"),  # the student without a school
    }
    assert Section.objects.count() == EXPECTED["sections"]
    assert not Student.objects.filter(local_id="2003").exists()  # no school: quarantined, not applied


def test_a_student_with_a_grade_insights_does_not_know_keeps_their_grade_and_the_code_is_reported(
    oneroster, importer, live, settings
):
    settings.SIS_IMPORT = {**settings.SIS_IMPORT, "GUARD_UNMAPPED_PERCENT": 50}  # one student of a few
    run = import_package(oneroster.build("1.1", users=rows("1.1", "users", "u2", grades="13")), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert run.unmapped_codes["codes"] == {"grade codes": {"13": 1}}
    grace = Student.objects.get(local_id="1002")
    assert (grace.grade, grace.sis_grade, grace.missing_from_last_export) == ("3", "13", False)


def test_tobedeleted_in_a_bulk_file_leaves_the_row_out_and_flags_the_student_missing(oneroster, importer, live):
    run = import_package(oneroster.build("1.1", users=rows("1.1", "users", "u3", status="tobedeleted")), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert ("users.csv", 4, "status", "tobedeleted_in_bulk") in errors_of(run)
    assert any("status tobedeleted in a bulk file" in warning for warning in run.warnings)
    alan = Student.objects.get(local_id="1003")
    assert alan.missing_from_last_export  # flagged, never deleted


def test_a_row_with_the_wrong_number_of_fields_is_a_row_error(oneroster, importer):
    text = oneroster_csv("1.1", "orgs", district("1.1")["orgs"]) + "s3,,,Extra School,school\r\n"

    run = import_package(oneroster.build("1.1", orgs=text), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert errors_of(run) == [("orgs.csv", 5, "", "wrong_field_count")]


def test_status_active_in_a_bulk_file_is_read_with_a_warning(oneroster, importer):
    orgs = [dict(row, status="active") for row in district("1.1")["orgs"]]

    run = import_package(oneroster.build("1.1", orgs=orgs), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert "orgs.csv: 3 row(s) have status active; bulk files leave status blank." in run.warnings


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"manifest": {"file.enrollments": "delta"}},
            "enrollments.csv is declared delta (manifest.csv: file.enrollments=delta)",
        ),
        ({"manifest": {"oneroster.version": "1.0"}}, "oneroster.version must be 1.1 or 1.2"),
        ({"manifest": {"district.key": "elsewhere"}}, "This package is for another district"),
        ({"manifest": {"file.courses": "absent"}, "courses": None}, "manifest.csv must declare courses.csv bulk"),
        ({"classes": None}, "manifest.csv must declare classes.csv bulk"),
        (
            {"manifest": {"file.classes": "bulk"}, "classes": None},
            "manifest.csv declares classes.csv but the package does not contain it",
        ),
        (
            {"orgs": [dict(row, type="district") for row in district("1.1")["orgs"]]},
            "orgs.csv has no org of type school",
        ),
        ({"academicSessions": []}, "academicSessions.csv has no data rows"),
        ({"users": "SourcedId,status\r\n"}, "users.csv: column SourcedId must be spelled sourcedId"),
        (
            {"orgs": "sourcedId,status,dateLastModified,type,name,identifier,parentSourcedId\r\ns1,,,school,A,,\r\n"},
            "orgs.csv: column type is out of the order",
        ),
        (
            {"orgs": "sourcedId,status,dateLastModified,name,type,identifier\r\ns1,,,A,school,\r\n"},
            "orgs.csv: missing column parentSourcedId",
        ),
        (
            {"orgs": "sourcedId,status,dateLastModified,name,name,type,identifier,parentSourcedId\r\n"},
            "orgs.csv: name appears more than once in the header",
        ),
        ({"users": "Ada,Ada\r\n"}, "users.csv: a column name appears more than once in the header"),
        ({"orgs": ""}, "orgs.csv is empty"),
    ],
)
def test_a_malformed_package_is_refused_with_a_clear_message_and_nothing_changes(
    oneroster, importer, live, change, message
):
    result = import_package(oneroster.build("1.1", **change), importer)

    assert_failed_without_change(result, live, message)


def test_a_1_2_package_needs_roles(oneroster, importer):
    result = import_package(oneroster.build("1.2", roles=None), importer)

    assert result.status == ImportRun.Status.FAILED
    assert "manifest.csv must declare roles.csv bulk" in result.error


def test_a_1_2_user_without_a_role_is_a_row_error(oneroster, importer):
    roles = [row for row in district("1.2")["roles"] if row["userSourcedId"] != "u5"]

    run = import_package(oneroster.build("1.2", roles=roles), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert ("users.csv", 6, "sourcedId", "no_role") in errors_of(run)
    assert ("enrollments.csv", 7, "userSourcedId", "unknown_user") in errors_of(run)
    assert ("enrollments.csv", 9, "userSourcedId", "unknown_user") in errors_of(run)
    assert Student.objects.count() == 5


def test_1_0_demographics_headers_are_read_under_their_1_1_names(oneroster, importer):
    header = [
        "userSourcedId",
        "status",
        "dateLastModified",
        "birthdate",
        "sex",
        *columns("1.1", "demographics")[5:],
    ]
    demographics = [
        {("userSourcedId" if k == "sourcedId" else "birthdate" if k == "birthDate" else k): v for k, v in row.items()}
        for row in district("1.1")["demographics"]
    ]

    run = import_package(
        oneroster.build("1.1", demographics=oneroster_csv("1.1", "demographics", demographics, header)), importer
    )

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert Student.objects.get(local_id="1001").date_of_birth is not None


def test_a_failed_run_in_the_database_leaves_it_unchanged(oneroster, importer, live):
    # Two educators with one identifier pass every check but break the database's unique rule.
    users = rows("1.1", "users", "t2", identifier="T1")

    result = import_package(oneroster.build("1.1", users=users), importer)

    assert_failed_without_change(result, live, "breaks the database rule")


def test_a_student_of_the_district_only_is_a_row_error_and_not_imported(oneroster, importer):
    run = import_package(oneroster.build("1.1", users=rows("1.1", "users", "u6", orgSourcedIds="d1")), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert ("users.csv", 7, "orgSourcedIds", "not_a_school") in errors_of(run)
    assert [error for error in errors_of(run) if error[1] == 7] == [("users.csv", 7, "orgSourcedIds", "not_a_school")]
    assert not Student.objects.filter(local_id="2003").exists()


def test_a_bad_birth_date_is_a_demographics_row_error_and_the_student_is_imported_without_it(oneroster, importer):
    demographics = district("1.1")["demographics"]
    demographics[0]["birthDate"] = "2015-W18-5"  # an ISO week date: not the YYYY-MM-DD the format reads
    demographics[1]["birthDate"] = "2999-01-01"

    run = import_package(oneroster.build("1.1", demographics=demographics), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert ("demographics.csv", 2, "birthDate", "bad_date") in errors_of(run)
    assert ("demographics.csv", 3, "birthDate", "future_date") in errors_of(run)
    assert Student.objects.get(local_id="1001").date_of_birth is None
    assert Student.objects.get(local_id="1001").gender == "F"
