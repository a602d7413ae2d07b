"""The demo district, exported as a package and imported into an empty database, is the same district:
the newcomer's path (export_demo_sis, seed_demo --reset --empty, import_sis --dry-run, import_sis)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from educators.models import Educator
from students.demo.generate import DemoDistrictBuilder
from students.models import Plan504, Student
from students.sis.models import ImportRun

# Each table as rows of natural keys and SIS-carried values, in a stable order.
TABLES = {
    "schools": "SELECT local_id, name, school_type FROM students_school",
    "school grades": (
        "SELECT k.local_id, g.grade FROM students_schoolgrade g JOIN students_school k ON k.id = g.school_id"
    ),
    "homerooms": (
        "SELECT k.local_id, h.name, h.grade, lower(e.email) FROM students_homeroom h "
        "JOIN students_school k ON k.id = h.school_id LEFT JOIN educators_educator e ON e.id = h.educator_id"
    ),
    "educators": (
        "SELECT lower(e.email), e.full_name, e.local_id, e.staff_type, k.local_id FROM educators_educator e "
        "LEFT JOIN students_school k ON k.id = e.home_school_id"
    ),
    "students": (
        "SELECT s.local_id, s.state_id, s.first_name, s.last_name, s.date_of_birth, s.gender, s.grade, k.local_id, "
        "h.name, s.enrollment_status, s.program_assigned, s.sped_placement, s.disability, s.sped_level_of_need, "
        "s.plan_504, s.limited_english_proficiency, s.ell_entry_date, s.home_language, s.free_reduced_lunch, s.race, "
        "s.hispanic_latino, s.house, lower(c.email), s.primary_phone, s.primary_email, s.address, s.guardian_name "
        "FROM students_student s JOIN students_school k ON k.id = s.school_id "
        "LEFT JOIN students_homeroom h ON h.id = s.homeroom_id LEFT JOIN educators_educator c ON c.id = s.counselor_id"
    ),
    "courses": (
        "SELECT k.local_id, c.course_number, c.description, c.subject FROM students_course c "
        "JOIN students_school k ON k.id = c.school_id"
    ),
    "sections": (
        "SELECT c.course_number, x.section_number, x.term_local_id, x.school_year, x.schedule, x.room_number "
        "FROM students_section x JOIN students_course c ON c.id = x.course_id"
    ),
    "student sections": (
        "SELECT s.local_id, c.course_number, x.section_number, a.grade_numeric, a.grade_letter "
        "FROM students_studentsectionassignment a JOIN students_student s ON s.id = a.student_id "
        "JOIN students_section x ON x.id = a.section_id JOIN students_course c ON c.id = x.course_id"
    ),
    "educator sections": (
        "SELECT lower(e.email), c.course_number, x.section_number FROM students_educatorsectionassignment a "
        "JOIN educators_educator e ON e.id = a.educator_id JOIN students_section x ON x.id = a.section_id "
        "JOIN students_course c ON c.id = x.course_id"
    ),
    "absences": (
        "SELECT s.local_id, a.occurred_on, a.excused, a.reason, a.dismissed FROM students_absence a "
        "JOIN students_student s ON s.id = a.student_id"
    ),
    "tardies": (
        "SELECT s.local_id, a.occurred_on, a.excused, a.reason FROM students_tardy a "
        "JOIN students_student s ON s.id = a.student_id"
    ),
    "discipline": (
        "SELECT s.local_id, d.occurred_at, d.incident_code, d.incident_location, d.incident_description, "
        "d.has_exact_time FROM students_disciplineincident d JOIN students_student s ON s.id = d.student_id"
    ),
    "mcas": (
        "SELECT s.local_id, r.subject, r.taken_on, r.scaled_score, r.performance_level, r.growth_percentile "
        "FROM students_mcasresult r JOIN students_student s ON s.id = r.student_id"
    ),
    "star": (
        "SELECT s.local_id, r.subject, r.taken_at, r.percentile_rank, r.grade_equivalent "
        "FROM students_starresult r JOIN students_student s ON s.id = r.student_id"
    ),
    "access": (
        "SELECT s.local_id, r.taken_on, r.composite_scale_score, r.composite_proficiency_level "
        "FROM students_accessresult r JOIN students_student s ON s.id = r.student_id"
    ),
    "ieps": (
        "SELECT s.local_id, p.start_date, p.end_date, p.case_manager FROM students_iep p "
        "JOIN students_student s ON s.id = p.student_id"
    ),
    "sis grants": (
        "SELECT lower(e.email), p.codename, g.content_object_id IS NOT NULL FROM permissions_homeroomgrant g "
        "JOIN educators_educator e ON e.id = g.user_id JOIN auth_permission p ON p.id = g.permission_id "
        "WHERE g.source = 'sis' UNION ALL SELECT lower(e.email), p.codename, true FROM permissions_sectiongrant g "
        "JOIN educators_educator e ON e.id = g.user_id JOIN auth_permission p ON p.id = g.permission_id "
        "WHERE g.source = 'sis'"
    ),
}


def snapshot() -> dict[str, list]:
    tables = {}
    with connection.cursor() as cursor:
        for name, sql in TABLES.items():
            cursor.execute(sql)
            tables[name] = sorted(cursor.fetchall(), key=repr)
    tables["504 plans"] = sorted(
        (plan.student.local_id, plan.start_date, plan.end_date, plan.case_manager, plan.accommodations)
        for plan in Plan504.objects.select_related("student")
    )
    return tables


@pytest.mark.django_db
def test_the_exported_demo_district_imports_into_an_empty_database_as_the_same_district(tmp_path, settings):
    settings.DEMO_MODE = True
    DemoDistrictBuilder(student_count=150, seed=3, today=timezone.localdate(), password="").build()
    call_command("export_demo_sis", str(tmp_path / "package"), stdout=io.StringIO())
    before = snapshot()
    assert all(before[name] for name in ("students", "absences", "star", "mcas", "504 plans", "student sections"))

    call_command("seed_demo", "--reset", "--empty", stdout=io.StringIO())
    assert not Student.objects.exists() and Educator.objects.count() == 1
    admin = Educator.objects.get().email
    call_command("import_sis", str(tmp_path / "package"), "--actor", admin, "--dry-run", stdout=io.StringIO())
    assert ImportRun.objects.get().status == ImportRun.Status.DRY_RUN and not Student.objects.exists()
    call_command("import_sis", str(tmp_path / "package"), "--actor", admin, stdout=io.StringIO())

    run = ImportRun.objects.latest("id")
    assert run.status == ImportRun.Status.APPLIED, (run.error, run.guard_results)
    assert run.row_error_count == 0, list(run.row_errors.values_list("file", "column", "code")[:10])
    after = snapshot()
    for name in before:
        assert after[name] == before[name], name
