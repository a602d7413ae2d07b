"""Event files (attendance, discipline) and assessments: part of the Applier (apply.py).

Event rows are replaced only inside the manifest's window, for students at in-scope schools;
assessment results are updated or added and never deleted.
"""

from students.sis.sql import Target
from students.sis.staging import staging_table as stg

TZ = "%(tz)s"


def _moment(day: str, time: str, default_time: str) -> str:
    """A timestamptz from a staged date and optional time, read in the district's time zone."""
    return f"(({day} + coalesce({time}, time '{default_time}'))::timestamp AT TIME ZONE {TZ})"


class EventsMixin:
    def _event_scope(self, name: str, column: str, *, timestamp: bool = False) -> tuple[str, dict]:
        start, end = self.windows[name]
        params = {**self.params, "start": start, "end": end}
        if timestamp:
            window = (
                f"t.{column} >= (%(start)s::date::timestamp AT TIME ZONE {TZ}) "
                f"AND t.{column} < ((%(end)s::date + 1)::timestamp AT TIME ZONE {TZ})"
            )
        else:
            window = f"t.{column} BETWEEN %(start)s AND %(end)s"
        students = f"t.student_id IN (SELECT id FROM students_student WHERE {self.in_scope('school_id')})"
        return f"{window} AND {students}", params

    def _apply_attendance(self):
        base = f"FROM {stg('attendance')} s JOIN students_student st ON st.local_id = s.local_id"
        scope, params = self._event_scope("attendance", "occurred_on")
        for label, table, codes, values in (
            (
                "absences",
                "students_absence",
                "('absence', 'dismissed')",
                ("excused", "reason", "dismissed", "attendance_code"),
            ),
            ("tardies", "students_tardy", "('tardy')", ("excused", "reason", "attendance_code")),
        ):
            # A row held back for its unmapped code is in both sources, quarantined: not applied, but
            # the day it names counts as present in either table.
            target = Target(
                label,
                table,
                key=("student_id", "occurred_on"),
                values=values,
                source=(
                    "SELECT st.id AS student_id, s.event_date AS occurred_on, "
                    "(coalesce(s.excused, false) OR coalesce(s.code_excused, false)) AS excused, "
                    "coalesce(s.reason, '') AS reason, "
                    "coalesce(s.attendance_category = 'dismissed', false) AS dismissed, "
                    f"s.attendance_code, s.quarantined {base} "
                    f"WHERE s.attendance_category IN {codes} OR s.attendance_category IS NULL"
                ),
                student="student_id",
            )
            self._run(target)
            self.counts[label]["deleted"] = target.delete_missing(scope, params)

    def _apply_discipline_incidents(self):
        target = Target(
            "discipline_incidents",
            "students_disciplineincident",
            key=("student_id", "occurred_at", "incident_code"),
            values=(
                "incident_location",
                "incident_category",
                "location_category",
                "incident_description",
                "has_exact_time",
            ),
            source=(
                f"SELECT st.id AS student_id, {_moment('s.incident_date', 's.incident_time', '12:00')} AS occurred_at, "
                "s.incident_code, coalesce(s.incident_location, '') AS incident_location, "
                "coalesce(s.incident_category, '') AS incident_category, "
                "coalesce(s.location_category, '') AS location_category, "
                "coalesce(s.incident_description, '') AS incident_description, "
                "(s.incident_time IS NOT NULL) AS has_exact_time, s.quarantined "
                f"FROM {stg('discipline_incidents')} s JOIN students_student st ON st.local_id = s.local_id "
                "WHERE NOT s.quarantined"
            ),
            student="student_id",
        )
        self._run(target)
        scope, params = self._event_scope("discipline_incidents", "occurred_at", timestamp=True)
        quarantined_students = (
            f"t.student_id NOT IN (SELECT st.id FROM {stg('discipline_incidents')} s "
            "JOIN students_student st ON st.local_id = s.local_id WHERE s.quarantined)"
        )
        self.counts[target.label]["deleted"] = target.delete_missing(f"{scope} AND {quarantined_students}", params)

    def _apply_assessments(self):
        base = (
            f"FROM {stg('assessments')} s JOIN students_student st ON st.local_id = s.local_id WHERE NOT s.quarantined"
        )
        for target in (
            Target(
                "mcas",
                "students_mcasresult",
                key=("student_id", "subject", "taken_on"),
                values=("scaled_score", "performance_level", "growth_percentile"),
                source=(
                    "SELECT st.id AS student_id, coalesce(s.mapped_subject, s.assessment_subject) AS subject, "
                    "s.date_taken AS taken_on, "
                    "s.scale_score AS scaled_score, s.performance_level, s.growth_percentile, false AS quarantined "
                    f"{base} AND s.mapped_family = 'MCAS'"
                ),
                student="student_id",
            ),
            Target(
                "star",
                "students_starresult",
                key=("student_id", "subject", "taken_at"),
                values=("percentile_rank", "grade_equivalent"),
                source=(
                    "SELECT st.id AS student_id, coalesce(s.mapped_subject, s.assessment_subject) AS subject, "
                    f"{_moment('s.date_taken', 's.time_taken', '00:00')} AS taken_at, s.percentile_rank, "
                    f"s.grade_equivalent, false AS quarantined {base} AND s.mapped_family = 'STAR'"
                ),
                student="student_id",
            ),
            Target(
                "access",
                "students_accessresult",
                key=("student_id", "taken_on"),
                values=("composite_scale_score", "composite_proficiency_level"),
                source=(
                    "SELECT st.id AS student_id, s.date_taken AS taken_on, s.scale_score AS composite_scale_score, "
                    "s.proficiency_level AS composite_proficiency_level, false AS quarantined "
                    f"{base} AND s.mapped_family = 'ACCESS'"
                ),
                student="student_id",
            ),
        ):
            self._run(target)
