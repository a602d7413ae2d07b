"""The district's code mappings, applied by an import: each vocabulary's codes take the meaning the
district gave them; a code no mapping knows is kept raw, reported per vocabulary and code, and
holds the run past the threshold; mapping it and running the package again fixes the data."""

import datetime

from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from students.demo.history import INCIDENT_CODES, INCIDENT_LOCATIONS
from students.models import (
    Absence,
    AssessmentName,
    AttendanceCode,
    DisciplineIncident,
    GradeCode,
    IncidentCode,
    IncidentLocation,
    McasResult,
    Plan504Code,
    ProgramCode,
    Student,
    Tardy,
    special_education_students,
)
from students.models.grades import GRADE_CODES
from students.sis.models import ImportRun
from students.sis.runs import approve_run
from tests.factories import EducatorFactory
from tests.sis.conftest import STUDENTS, TODAY, csv_text
from tests.sis.test_snapshots_and_guards import attendance, import_package

DAY = TODAY - datetime.timedelta(days=3)


def incident(n: int, code="Fighting", location="Classroom") -> dict:
    return {
        "incident_id": f"I{n}",
        "local_id": STUDENTS[n % len(STUDENTS)]["local_id"],
        "school_local_id": "ES1",
        "incident_date": (TODAY - datetime.timedelta(days=1 + n % 20)).isoformat(),
        "incident_code": code,
        "incident_location": location,
    }


def students_with(**changes_by_local_id) -> list[dict]:
    return [dict(row, **changes_by_local_id.get(row["local_id"], {})) for row in STUDENTS]


def tripped(run: ImportRun) -> list[str]:
    return [guard["guard"] for guard in run.guard_results if guard["tripped"]]


def signed_in(educator) -> Client:
    """An admin-site session: staff accounts need a second factor to use the admin."""
    Authenticator.objects.create(user=educator, type=Authenticator.Type.TOTP, data={})
    client = Client()
    client.force_login(educator)
    return client


def allow_unmapped(settings, percent=50):
    settings.SIS_IMPORT = {**settings.SIS_IMPORT, "GUARD_UNMAPPED_PERCENT": percent}


# --- each vocabulary's mapping, applied ---------------------------------------------------------


def test_attendance_codes_decide_the_kind_of_event_and_whether_it_is_excused(packages, importer):
    AttendanceCode.objects.create(code="AE", category="absence", excused=True)
    AttendanceCode.objects.create(code="T1", category="tardy")
    AttendanceCode.objects.create(code="ED", category="dismissed")
    rows = [attendance("S1", DAY, "AE"), attendance("S2", DAY, "T1"), attendance("S3", DAY, "ED")]

    run = import_package(packages.basic(attendance=rows), importer)

    assert run.status == ImportRun.Status.APPLIED and run.unmapped_codes == {"codes": {}, "rows": {}}
    absences = Absence.objects.values_list("student__local_id", "excused", "dismissed", "attendance_code")
    assert sorted(absences) == [("S1", True, False, "AE"), ("S3", False, True, "ED")]
    assert list(Tardy.objects.values_list("student__local_id", "excused", "attendance_code")) == [("S2", False, "T1")]


def test_a_student_has_one_event_of_each_kind_a_day_the_first_row_kept(packages, importer):
    AttendanceCode.objects.create(code="AE", category="absence", excused=True)
    AttendanceCode.objects.create(code="T1", category="tardy")
    rows = [attendance("S1", DAY, "AE"), attendance("S1", DAY, "T1"), attendance("S1", DAY), attendance("S2", DAY)]

    run = import_package(packages.basic(attendance=rows), importer)

    assert list(run.row_errors.values_list("file", "row_number", "column", "code")) == [
        ("attendance.csv", 4, "local_id", "duplicate_key")
    ]
    absences = Absence.objects.values_list("student__local_id", "attendance_code")
    assert sorted(absences) == [("S1", "AE"), ("S2", "absent")]
    assert list(Tardy.objects.values_list("student__local_id", "attendance_code")) == [("S1", "T1")]


def test_rows_of_codes_no_mapping_knows_are_one_kind_of_event_when_finding_duplicates(packages, importer, settings):
    allow_unmapped(settings, 100)
    rows = [attendance("S1", DAY, "XYZ"), attendance("S1", DAY, "QQQ"), attendance("S2", DAY)]

    run = import_package(packages.basic(attendance=rows), importer)

    assert run.status == ImportRun.Status.APPLIED
    assert list(run.row_errors.values_list("file", "row_number", "column", "code")) == [
        ("attendance.csv", 2, "attendance_code", "unmapped_code"),
        ("attendance.csv", 3, "local_id", "duplicate_key"),
    ]


def test_incident_codes_and_locations_are_categorised_and_kept_as_exported(packages, importer):
    IncidentCode.objects.create(code="FIGHT-1", category="violence")
    IncidentLocation.objects.create(code="CAF", category="cafeteria")

    import_package(packages.basic(discipline_incidents=[incident(1, "FIGHT-1", "CAF")]), importer)

    assert list(
        DisciplineIncident.objects.values_list(
            "incident_code", "incident_category", "incident_location", "location_category"
        )
    ) == [("FIGHT-1", "violence", "CAF", "cafeteria")]


def test_grade_codes_become_insights_grades_and_the_raw_code_is_kept(packages, importer):
    GradeCode.objects.create(code="Grade 3", grade="3")
    GradeCode.objects.create(code="Gr4", grade="4")

    import_package(packages.basic(students=students_with(S1={"grade": "Gr4"}, S2={"grade": "Grade 3"})), importer)

    assert Student.objects.get(local_id="S1").grade == "4"
    assert (Student.objects.get(local_id="S2").grade, Student.objects.get(local_id="S2").sis_grade) == ("3", "Grade 3")
    assert Student.objects.get(local_id="S3").sis_grade == "3"  # the default codes map Insights' own grades


def test_program_codes_are_stored_as_exported_and_count_as_the_mapping_says(packages, importer):
    ProgramCode.objects.create(code="SPED-X", category="special_education")

    import_package(packages.basic(students=students_with(S1={"program_assigned": "SPED-X"})), importer)

    special = Student.objects.filter(special_education_students())
    assert list(special.values_list("local_id", "program_assigned")) == [("S1", "SPED-X")]


def test_504_status_codes_become_the_students_504_status(packages, importer):
    Plan504Code.objects.create(code="Active 504", status="504")
    statuses = {"S1": {"plan_504": "Active 504"}, "S2": {"plan_504": "Not 504"}, "S3": {"plan_504": "Exited"}}

    import_package(packages.basic(students=students_with(**statuses)), importer)

    found = Student.objects.filter(local_id__in=["S1", "S2", "S3"]).order_by("local_id")
    assert list(found.values_list("plan_504", "sis_plan_504")) == [
        ("504", "Active 504"),
        ("", "Not 504"),
        ("Exited", "Exited"),
    ]


def test_assessment_names_give_the_family_and_subject(packages, importer):
    AssessmentName.objects.create(code="MCAS G3 ELA", family="MCAS", subject="ELA")
    result = {"local_id": "S1", "assessment_family": "MCAS G3 ELA", "date_taken": DAY.isoformat(), "scale_score": "510"}
    star = {"local_id": "S2", "assessment_family": "STAR Reading", "date_taken": DAY.isoformat()}  # no percentile rank

    run = import_package(packages.basic(assessments=[result, star]), importer)

    assert list(McasResult.objects.values_list("student__local_id", "subject", "scaled_score")) == [("S1", "ELA", 510)]
    # What a family requires is checked once the name is mapped to it.
    assert list(run.row_errors.values_list("row_number", "column", "code")) == [
        (3, "percentile_rank", "missing_required")
    ]


# --- unmapped codes: kept, reported, held over the threshold, fixed by mapping ------------------


def test_unmapped_codes_over_the_threshold_hold_the_run_and_mapping_them_lets_it_through(packages, importer):
    rows = [attendance(row["local_id"], DAY) for row in STUDENTS[1:]] + [attendance("S1", DAY, "XYZ")]
    package = packages.basic(attendance=rows)

    held = import_package(package, importer)

    assert held.status == ImportRun.Status.HELD and tripped(held) == ["unmapped_codes:attendance.csv"]
    assert held.unmapped_codes == {
        "codes": {"attendance codes": {"XYZ": 1}},
        "rows": {"attendance.csv": {"unmapped": 1, "rows": len(STUDENTS)}},
    }
    assert list(held.row_errors.values_list("file", "column", "code")) == [
        ("attendance.csv", "attendance_code", "unmapped_code")
    ]
    assert not Absence.objects.exists()

    AttendanceCode.objects.create(code="XYZ", category="absence", excused=True)
    run = approve_run(held, actor=importer)

    assert run.status == ImportRun.Status.APPLIED and run.unmapped_codes["codes"] == {}
    assert Absence.objects.get(student__local_id="S1").attendance_code == "XYZ"
    assert Absence.objects.get(student__local_id="S1").excused


def test_below_the_threshold_the_run_applies_keeps_the_raw_code_and_a_rerun_after_mapping_fixes_it(packages, importer):
    rows = [incident(n) for n in range(24)] + [incident(24, "Spitting")]  # 1 of 25 rows: 4%, under the default 5%
    package = packages.basic(discipline_incidents=rows)

    first = import_package(package, importer)

    assert first.status == ImportRun.Status.APPLIED and tripped(first) == []
    assert first.unmapped_codes["codes"] == {"incident codes": {"Spitting": 1}}
    assert [
        guard["value"] for guard in first.guard_results if guard["guard"] == "unmapped_codes:discipline_incidents.csv"
    ] == [4.0]
    spitting = DisciplineIncident.objects.get(incident_code="Spitting")
    assert spitting.incident_category == ""

    IncidentCode.objects.create(code="Spitting", category="disruption")
    again = import_package(package, importer)  # the same package: no longer a no-op, the mapping changed

    assert again.status == ImportRun.Status.APPLIED and again.counts["discipline_incidents"]["updated"] == 1
    spitting.refresh_from_db()
    assert spitting.incident_category == "disruption"
    assert import_package(package, importer).status == ImportRun.Status.UNCHANGED


def test_the_threshold_is_a_setting(packages, importer, settings):
    allow_unmapped(settings, percent=10)
    rows = [attendance(row["local_id"], DAY) for row in STUDENTS[1:]] + [attendance("S1", DAY, "XYZ")]  # 8%

    assert import_package(packages.basic(attendance=rows), importer).status == ImportRun.Status.APPLIED


def test_an_unmapped_grade_keeps_a_students_grade_and_holds_back_a_new_student(packages, importer, settings):
    allow_unmapped(settings)
    import_package(packages.basic(), importer)
    newcomer = dict(STUDENTS[0], local_id="S99", state_id="ST99", grade="G-THREE")
    rows = [*students_with(S1={"grade": "G-THREE"}), newcomer]

    run = import_package(packages.basic(students=rows), importer)

    assert run.unmapped_codes["codes"] == {"grade codes": {"G-THREE": 2}}
    s1 = Student.objects.get(local_id="S1")
    assert (s1.grade, s1.sis_grade, s1.missing_from_last_export) == ("3", "G-THREE", False)
    assert not Student.objects.filter(local_id="S99").exists()
    assert list(run.row_errors.values_list("row_number", "code")) == [(len(STUDENTS) + 2, "unmapped_code")]

    GradeCode.objects.create(code="G-THREE", grade="3")
    import_package(packages.basic(students=rows), importer)
    assert Student.objects.get(local_id="S99").grade == "3"


def test_an_unmapped_504_status_keeps_the_students_status(packages, importer, settings):
    allow_unmapped(settings)
    import_package(packages.basic(students=students_with(S1={"plan_504": "504"})), importer)

    run = import_package(packages.basic(students=students_with(S1={"plan_504": "Plan504-Y"})), importer)

    assert run.unmapped_codes["codes"] == {"504 status codes": {"Plan504-Y": 1}}
    assert Student.objects.filter(local_id="S1").values_list("plan_504", "sis_plan_504").get() == ("504", "Plan504-Y")


def test_an_unmapped_program_code_is_kept_and_counts_as_regular_until_mapped(packages, importer, settings):
    allow_unmapped(settings)

    run = import_package(packages.basic(students=students_with(S1={"program_assigned": "SpEd-Sub"})), importer)

    assert run.unmapped_codes["codes"] == {"program codes": {"SpEd-Sub": 1}}
    assert Student.objects.get(local_id="S1").program_assigned == "SpEd-Sub"
    assert not Student.objects.filter(special_education_students()).exists()
    ProgramCode.objects.create(code="SpEd-Sub", category="special_education")
    assert Student.objects.filter(special_education_students()).get().local_id == "S1"


def test_an_unmapped_attendance_code_never_deletes_what_the_district_has_that_day(packages, importer, settings):
    allow_unmapped(settings)
    import_package(packages.basic(attendance=[attendance("S1", DAY), attendance("S2", DAY)]), importer)

    run = import_package(packages.basic(attendance=[attendance("S1", DAY, "Q9"), attendance("S2", DAY)]), importer)

    assert run.counts["absences"]["deleted"] == 0
    assert Absence.objects.get(student__local_id="S1").attendance_code == "absent"


def test_an_unmapped_assessment_name_is_held_back_then_applied_once_mapped(packages, importer, settings):
    allow_unmapped(settings)
    result = {"local_id": "S1", "assessment_family": "MCAS-Legacy", "assessment_subject": "Math"}
    package = packages.basic(assessments=[dict(result, date_taken=DAY.isoformat(), scale_score="480")])

    run = import_package(package, importer)

    assert run.unmapped_codes["codes"] == {"assessment names": {"MCAS-Legacy": 1}}
    assert not McasResult.objects.exists()
    AssessmentName.objects.create(code="MCAS-Legacy", family="MCAS")
    import_package(package, importer)
    assert list(McasResult.objects.values_list("subject", "scaled_score")) == [("Math", 480)]


def test_a_dry_run_reports_unmapped_codes_and_the_command_lists_them(packages, importer, capsys):
    package = packages.basic(students=students_with(S1={"grade": "Grade Three"}))

    call_command("import_sis", str(package), "--actor", importer.email, "--dry-run")

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.DRY_RUN
    assert run.unmapped_codes["codes"] == {"grade codes": {"Grade Three": 1}}
    assert "unmapped grade codes: Grade Three (1 rows)" in capsys.readouterr().out


def test_the_run_page_lists_unmapped_codes_with_a_link_to_map_them_for_those_who_may(packages, importer):
    run = import_package(packages.basic(students=students_with(S1={"grade": "Grade Three"})), importer, dry_run=True)
    page = reverse("admin:sis_importrun_change", args=[run.pk])
    importer.is_staff = True
    importer.save()
    client = signed_in(importer)

    shown = client.get(page).content.decode()

    assert "<code>Grade Three</code>" in shown and "Map this code" not in shown  # may import, may not map
    client = signed_in(EducatorFactory(email="it.lead@district.example", is_staff=True, is_superuser=True))
    shown = client.get(page).content.decode()
    assert reverse("admin:students_gradecode_add") + "?code=Grade+Three" in shown


def test_the_defaults_map_every_code_the_format_and_the_demo_district_use(db):
    assert set(GRADE_CODES) <= set(GradeCode.objects.values_list("code", flat=True))
    assert set(Student.Program.values) <= set(ProgramCode.objects.values_list("code", flat=True))
    assert {"504", "Exited"} <= set(Plan504Code.objects.values_list("code", flat=True))
    assert {"absent", "dismissed", "tardy"} <= set(AttendanceCode.objects.values_list("code", flat=True))
    assert {"MCAS", "STAR", "ACCESS"} <= set(AssessmentName.objects.values_list("code", flat=True))
    assert set(INCIDENT_CODES) <= set(IncidentCode.objects.values_list("code", flat=True))
    assert set(INCIDENT_LOCATIONS) <= set(IncidentLocation.objects.values_list("code", flat=True))


def test_each_family_is_checked_across_its_fields_once_the_name_is_mapped(packages, importer, settings):
    allow_unmapped(settings)
    AssessmentName.objects.create(code="Gr3 MCAS", family="MCAS")
    results = [
        {"assessment_family": "MCAS", "assessment_subject": "ELA", "scale_score": "480"},
        {"assessment_family": "Gr3 MCAS", "assessment_subject": "Reading", "scale_score": "480"},
        {"assessment_family": "MCAS", "scale_score": "480"},
        {"assessment_family": "STAR", "assessment_subject": "Math"},
        {"assessment_family": "Gr3 MCAS", "assessment_subject": "Math", "scale_score": "100"},
        {"assessment_family": "ACCESS", "proficiency_level": "4.5"},
    ]
    header = ["local_id", "date_taken", "assessment_family", "assessment_subject", "scale_score"]
    header += ["percentile_rank", "proficiency_level"]
    rows = [{"local_id": "S1", "date_taken": DAY.isoformat(), **result} for result in results]

    run = import_package(packages.basic(assessments=csv_text(rows, header)), importer)

    assert sorted(run.row_errors.values_list("row_number", "column", "code")) == [
        (3, "assessment_subject", "unknown_code"),
        (4, "assessment_subject", "missing_required"),
        (5, "percentile_rank", "missing_required"),
        (6, "scale_score", "out_of_range"),
    ]
    assert run.counts["mcas"]["inserted"] == 1 and run.counts["access"]["inserted"] == 1
