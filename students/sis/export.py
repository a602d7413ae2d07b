"""Writing the database's district out as an Insights CSV package (the demo's, for `export_demo_sis`).

Each file is one SELECT streamed out by PostgreSQL's COPY, so memory stays flat at any size;
504 accommodations, encrypted at rest, are decrypted and written one plan at a time. Importing
the package into an empty database gives the same district (tests/sis/test_round_trip.py).
"""

import csv
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from students.models import Plan504

LOCAL_TIME = "AT TIME ZONE {tz}"

QUERIES = {
    "schools": "SELECT local_id AS school_local_id, name, school_type FROM students_school ORDER BY local_id",
    "educators": (
        "SELECT lower(e.email) AS email, e.full_name, e.local_id, e.staff_type, k.local_id AS school_local_id, "
        "h.name AS homeroom, h.grade AS homeroom_grade FROM educators_educator e "
        "LEFT JOIN students_school k ON k.id = e.home_school_id LEFT JOIN LATERAL (SELECT name, grade "
        "FROM students_homeroom h WHERE h.educator_id = e.id AND h.school_id = e.home_school_id ORDER BY h.name "
        "LIMIT 1) h ON true ORDER BY e.id"
    ),
    "students": (
        "SELECT s.local_id, s.state_id, k.local_id AS school_local_id, s.first_name, s.last_name, s.date_of_birth, "
        "NULL AS registration_date, s.gender, s.grade, s.enrollment_status, h.name AS homeroom, "
        "lower(c.email) AS counselor, s.house, s.home_language, s.race, s.hispanic_latino, s.free_reduced_lunch, "
        "s.program_assigned, s.sped_placement, s.disability, s.sped_level_of_need, s.plan_504, "
        "s.limited_english_proficiency AS english_proficiency, s.ell_entry_date, s.primary_phone, s.primary_email, "
        "s.address, s.guardian_name FROM students_student s JOIN students_school k ON k.id = s.school_id "
        "LEFT JOIN students_homeroom h ON h.id = s.homeroom_id LEFT JOIN educators_educator c ON c.id = s.counselor_id "
        "ORDER BY s.id"
    ),
    "sections": (
        "SELECT k.local_id AS school_local_id, c.course_number, x.section_number, x.term_local_id, x.school_year, "
        "c.description AS course_description, c.subject AS course_subject, x.schedule, x.room_number "
        "FROM students_section x JOIN students_course c ON c.id = x.course_id "
        "JOIN students_school k ON k.id = c.school_id ORDER BY x.id"
    ),
    "student_section_assignments": (
        "SELECT s.local_id, k.local_id AS school_local_id, c.course_number, x.section_number, x.term_local_id, "
        "x.school_year, a.grade_numeric, a.grade_letter FROM students_studentsectionassignment a "
        "JOIN students_student s ON s.id = a.student_id JOIN students_section x ON x.id = a.section_id "
        "JOIN students_course c ON c.id = x.course_id JOIN students_school k ON k.id = c.school_id ORDER BY a.id"
    ),
    "educator_section_assignments": (
        "SELECT lower(e.email) AS email, k.local_id AS school_local_id, c.course_number, x.section_number, "
        "x.term_local_id, x.school_year FROM students_educatorsectionassignment a "
        "JOIN educators_educator e ON e.id = a.educator_id JOIN students_section x ON x.id = a.section_id "
        "JOIN students_course c ON c.id = x.course_id JOIN students_school k ON k.id = c.school_id ORDER BY a.id"
    ),
    "attendance": (
        "SELECT s.local_id, k.local_id AS school_local_id, a.occurred_on AS event_date, "
        "CASE WHEN a.kind = 'tardy' THEN 'tardy' WHEN a.dismissed THEN 'dismissed' ELSE 'absent' END "
        "AS attendance_code, a.excused, a.reason FROM (SELECT student_id, occurred_on, excused, reason, dismissed, "
        "'absence' AS kind, id FROM students_absence UNION ALL SELECT student_id, occurred_on, excused, reason, "
        "false, 'tardy', id FROM students_tardy) a JOIN students_student s ON s.id = a.student_id "
        "JOIN students_school k ON k.id = s.school_id ORDER BY a.occurred_on, a.kind, a.id"
    ),
    "discipline_incidents": (
        "SELECT d.id AS incident_id, s.local_id, k.local_id AS school_local_id, "
        f"(d.occurred_at {LOCAL_TIME})::date AS incident_date, CASE WHEN d.has_exact_time THEN "
        f"(d.occurred_at {LOCAL_TIME})::time END AS incident_time, d.incident_code, d.incident_location, "
        "d.incident_description FROM students_disciplineincident d JOIN students_student s ON s.id = d.student_id "
        "JOIN students_school k ON k.id = s.school_id ORDER BY d.id"
    ),
    "assessments": (
        "SELECT s.local_id, a.family AS assessment_family, a.subject AS assessment_subject, a.day AS date_taken, "
        "a.moment AS time_taken, a.scale_score, a.performance_level, a.growth_percentile, a.percentile_rank, "
        "a.grade_equivalent, a.proficiency_level FROM ("
        "SELECT student_id, 'MCAS' AS family, subject, taken_on AS day, NULL::time AS moment, scaled_score AS "
        "scale_score, performance_level, growth_percentile, NULL::integer AS percentile_rank, '' AS grade_equivalent, "
        "NULL::numeric AS proficiency_level FROM students_mcasresult UNION ALL "
        f"SELECT student_id, 'STAR', subject, (taken_at {LOCAL_TIME})::date, (taken_at {LOCAL_TIME})::time, NULL, '', "
        "NULL, percentile_rank, grade_equivalent, NULL FROM students_starresult UNION ALL "
        "SELECT student_id, 'ACCESS', '', taken_on, NULL, composite_scale_score, '', NULL, NULL, '', "
        "composite_proficiency_level FROM students_accessresult) a JOIN students_student s ON s.id = a.student_id "
        "ORDER BY s.id, a.family, a.day, a.moment"
    ),
    "programs": (
        "SELECT p.source_id AS plan_source_id, s.local_id, p.program, p.start_date AS begin_date, p.end_date, "
        "p.case_manager FROM (SELECT 'IEP-' || id AS source_id, student_id, 'sped_iep' AS program, start_date, "
        "end_date, case_manager FROM students_iep UNION ALL SELECT '504-' || id, student_id, 'section_504', "
        "start_date, end_date, case_manager FROM students_plan504) p JOIN students_student s ON s.id = p.student_id "
        "ORDER BY p.source_id"
    ),
}
WINDOWS = {
    "attendance": "SELECT min(d), max(d) FROM (SELECT min(occurred_on) AS d FROM students_absence UNION ALL "
    "SELECT max(occurred_on) FROM students_absence UNION ALL SELECT min(occurred_on) FROM students_tardy "
    "UNION ALL SELECT max(occurred_on) FROM students_tardy) w",
    "discipline_incidents": f"SELECT min(occurred_at {LOCAL_TIME})::date, max(occurred_at {LOCAL_TIME})::date "
    "FROM students_disciplineincident",
}


def _in_district_time(sql: str) -> str:
    """COPY takes no parameters: the time zone (a setting, never package data) goes in as a quoted literal."""
    return sql.replace("{tz}", "'" + settings.TIME_ZONE.replace("'", "''") + "'")


def _copy_out(name: str, path: Path) -> None:
    sql = _in_district_time(QUERIES[name])
    with (
        connection.cursor() as cursor,
        path.open("wb") as out,
        cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy,
    ):
        for data in copy:
            out.write(data)


def _accommodations(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["accommodation_id", "plan_source_id", "local_id", "description"])
        plans = Plan504.objects.select_related("student").order_by("pk").iterator(chunk_size=2000)
        for plan in plans:
            for position, line in enumerate(plan.accommodation_list, start=1):
                writer.writerow([f"504-{plan.pk}-{position:03d}", f"504-{plan.pk}", plan.student.local_id, line])


def export_package(folder: Path) -> list[str]:
    """Write every file of the format and a manifest into ``folder``; returns the file names written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in QUERIES:
        _copy_out(name, folder / f"{name}.csv")
        written.append(f"{name}.csv")
    _accommodations(folder / "accommodations.csv")
    written.append("accommodations.csv")
    manifest = [
        ("insights.version", "1"),
        ("district.key", settings.DISTRICT_KEY),
        ("generated_at", timezone.now().isoformat(timespec="seconds")),
        ("source.systemName", "Insights"),
        ("scope.schools", "*"),
        *[(f"file.{name.removesuffix('.csv')}", "bulk") for name in written],
    ]
    today = timezone.localdate().isoformat()
    with connection.cursor() as cursor:
        for name, sql in WINDOWS.items():
            cursor.execute(_in_district_time(sql))
            start, _end = cursor.fetchone()
            manifest += [(f"window.{name}.start", str(start or today)), (f"window.{name}.end", today)]
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["propertyName", "value"])
        writer.writerows(manifest)
    return ["manifest.csv", *written]
