"""What the audit reports need from the district's record: finding students, plain words, usage per school.

The audit core (audit/) reads only its own tables. Finding a student by SIS local id or name
(``settings.AUDIT_SUBJECT_LOOKUP``), saying what each student page and command did in words a
family understands (``settings.AUDIT_ACTION_WORDS``), and counting active educators per school
(educators' home schools and schoolwide grants) all need the record, so they live here, above
both. Weekly usage is listed in ``settings.AUDIT_REPORT_FORMS`` for the admin (``manage.py
audit_weekly_usage`` prints it); like every audit report it is one SQL statement over the audit
log's indexes.
"""

import datetime

from django.conf import settings

from audit.forms import WindowForm
from audit.models import AccessEvent
from audit.reports import Report, fetch
from audit.subjects import Subject
from educators.models import Educator
from permissions.models import SchoolGrant
from students.models import School, students_identified_by

# Each page and command that reads or writes student data, as a family would say it.
ACTION_WORDS = {
    "students:home": "viewed their home page (students needing attention)",
    "students:my_students": "viewed the list of their students",
    "students:profile": "viewed the profile",
    "students:profile_pdf": "downloaded the profile as a PDF",
    "students:case_history": "viewed the case history",
    "students:educators_with_access": "viewed which educators have access to the student",
    "students:note_create": "wrote a note",
    "students:note_edit": "edited a note",
    "students:restricted_note": "opened a restricted note",
    "students:service_create": "recorded a service",
    "students:service_discontinue": "discontinued a service",
    "students:my_notes": "viewed the notes they wrote",
    "students:note_search": "searched notes",
    "students:schools": "viewed the list of schools",
    "students:school_roster": "viewed the school roster",
    "students:school_roster_csv": "downloaded the school roster CSV",
    "students:absences_dashboard": "viewed the absences dashboard",
    "students:absences_dashboard_csv": "downloaded the absences dashboard CSV",
    "students:tardies_dashboard": "viewed the tardies dashboard",
    "students:tardies_dashboard_csv": "downloaded the tardies dashboard CSV",
    "students:discipline_dashboard": "viewed the discipline dashboard",
    "students:discipline_dashboard_csv": "downloaded the discipline dashboard CSV",
    "students:district": "viewed the district overview",
    "students:homeroom": "viewed the homeroom roster",
    "students:homeroom_csv": "downloaded the homeroom roster CSV",
    "students:section": "viewed the section roster",
    "students:section_csv": "downloaded the section roster CSV",
    "students:search": "searched for students",
    "students:search_suggestions": "searched for students",
    "admin:audit_report_find_student": "looked the student up (privacy office)",
    "admin:audit_report_student_access": "read the student's access report (privacy office)",
    "admin:audit_report_breach_scope": "ran a breach-scope report (privacy office)",
    "admin:audit_report_weekly_usage": "read the weekly usage report",
    "admin:audit_report_sign_ins": "read the sign-in report",
    "admin:sis_importrun_upload": "uploaded an SIS import",
    "admin:sis_importrun_approve": "approved a held SIS import",
    "admin:sis_importrun_apply": "applied an SIS import",
    "admin:sis_importrun_discard": "discarded a held SIS import",
    "admin:sis_importrun_errors": "downloaded an SIS import's row errors",
    "admin:sis_importrun_progress": "watched an SIS import run",
    "sis_import": "SIS import (the district's student information system)",
    "sis_import_discard": "discarded a held SIS import",
    "code_mapping_change": "changed what one of the district's SIS codes means (code mappings)",
    "sis_pull": "fetched the SIS files from the district's SFTP server",
    "sis_source_change": "changed the settings of the district's SFTP import source",
    "sis_source_delete": "deleted one of the district's SFTP import sources",
    "admin:sis_importsource_pull": "asked for the SIS files to be fetched from the SFTP server now",
    "admin:sis_importsource_test": "tested the connection to the district's SFTP server",
    "import_sis": "ran an SIS import from the command line",
    "export_demo_sis": "exported the demo district",
    "seed_demo": "built the demo district",
    "access_report": "ran an access report (who may see the student)",
    "audit_find_student": "looked the student up (privacy office)",
    "audit_student_access": "exported the student's access report (privacy office)",
    "audit_breach_scope": "exported a breach-scope report (privacy office)",
    "audit_weekly_usage": "exported the weekly usage report",
    "audit_sign_ins": "exported the sign-in report",
}


def students_for_audit(identifier: str, *, limit: int) -> list[Subject]:
    """The students an SIS local id, state id or name identifies, as the audit reports name them."""
    found = students_identified_by(identifier).select_related("school")[:limit]
    return [
        Subject(
            pk=student.pk,
            local_id=student.local_id,
            name=student.full_name,
            description=f"{student.school.name}, grade {student.get_grade_display()}, "
            f"{student.get_enrollment_status_display().lower()}",
        )
        for student in found
    ]


def weekly_usage_query(*, since: datetime.datetime, until: datetime.datetime) -> tuple[str, dict]:
    educators = Educator._meta.db_table
    sql = f"""
        WITH active AS (
            SELECT DISTINCT date_trunc('week', e.occurred_at AT TIME ZONE %(zone)s)::date AS week, e.actor_id
            FROM {AccessEvent._meta.db_table} e
            WHERE e.occurred_at >= %(since)s AND e.occurred_at < %(until)s AND e.actor_id IS NOT NULL
        ),
        educator_school AS (
            SELECT ed.id AS educator_id, ed.home_school_id AS school_id
            FROM {educators} ed WHERE ed.home_school_id IS NOT NULL
            UNION
            SELECT g.user_id, g.content_object_id
            FROM {SchoolGrant._meta.db_table} g JOIN {educators} ed ON ed.id = g.user_id
            WHERE ed.home_school_id IS NULL
        )
        SELECT to_char(a.week, 'IYYY-"W"IW'), a.week, coalesce(sc.name, 'No school'), count(DISTINCT a.actor_id)
        FROM active a
        LEFT JOIN educator_school es ON es.educator_id = a.actor_id
        LEFT JOIN {School._meta.db_table} sc ON sc.id = es.school_id
        GROUP BY a.week, sc.id, sc.name
        ORDER BY a.week, sc.name NULLS LAST"""  # noqa: S608 (names from model metadata)
    return sql, {"zone": settings.TIME_ZONE, "since": since, "until": until}


def weekly_usage(*, since: datetime.datetime, until: datetime.datetime) -> Report:
    """Distinct educators with any recorded access, per ISO week and school (home school, else granted schools).

    Counts only: how much the system is used is reviewed in aggregate, never per person.
    """
    rows = [(row[0], row[1].isoformat(), *row[2:]) for row in fetch(weekly_usage_query(since=since, until=until))]
    return Report(title="Weekly usage", columns=("week", "week starting", "school", "active educators"), rows=rows)


class WeeklyUsageForm(WindowForm):
    name = "weekly_usage"
    title = "Weekly usage"

    def report(self) -> Report:
        since, until = self.window()
        return weekly_usage(since=since, until=until)
