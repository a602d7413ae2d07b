"""Applying staged files to the live tables, parents first, inside the run's one transaction.

Each file becomes one or more ``Target`` upserts plus, where the format says so, a snapshot step:
students and educators missing from their file are flagged (never deleted), section assignments
missing within the package's schools and school years are deleted, event rows missing inside the
declared window are deleted. A district's first import (no students yet) fills its empty tables
in bulk (sql.Target). Derived columns (homeroom grades, school grades, English-learner
status from programs) are recomputed from what was applied.
"""

from django.conf import settings

from students.sis.events import EventsMixin
from students.sis.sql import STUDENTS_TABLE, Target, changing, execute, is_empty, scalar
from students.sis.staging import staging_table as stg

NOW = "now()"


class Applier(EventsMixin):
    """Applies one checked package; ``counts`` and the ``sis_changed`` table collect what changed."""

    def __init__(self, *, staged: set[str], scope_schools: list[str] | None, windows: dict, run_id: int):
        self.staged = staged
        self.scope = scope_schools
        self.windows = windows
        self.run_id = run_id
        self.counts: dict[str, dict[str, int]] = {}
        self.params = {"scope": scope_schools, "tz": settings.TIME_ZONE, "run": run_id}

    def in_scope(self, school_column: str) -> str:
        """A condition on a live school id column: the school is one the package speaks for."""
        if self.scope is None:
            return "true"
        return f"{school_column} IN (SELECT id FROM students_school WHERE local_id = ANY(%(scope)s))"

    def _run(self, target: Target) -> dict[str, int]:
        target.params = {**self.params, **target.params}
        target.first_load = self.first_load
        counts = target.upsert()
        self.counts.setdefault(target.label, {}).update(counts)
        return counts

    def apply(self) -> dict[str, dict[str, int]]:
        # A district without students yet has no pages to serve: its tables may be locked for a bulk load.
        self.first_load = is_empty(STUDENTS_TABLE)
        for name in (
            "schools",
            "educators",
            "students",
            "sections",
            "student_section_assignments",
            "educator_section_assignments",
            "attendance",
            "discipline_incidents",
            "assessments",
        ):
            if name in self.staged:
                getattr(self, f"_apply_{name}")()
        if "students" in self.staged or "educators" in self.staged:
            self._derive_homeroom_grades_and_school_grades()
        if "programs" in self.staged:
            self._apply_english_learners()
        return self.counts

    # --- organisation and people ----------------------------------------------------------------

    def _apply_schools(self):
        self._run(
            Target(
                "schools",
                "students_school",
                key=("local_id",),
                values=("name", "school_type"),
                source=f"SELECT school_local_id AS local_id, name, school_type, quarantined FROM {stg('schools')}",
            )
        )
        self.counts["schools"]["missing"] = scalar(
            f"SELECT count(*) FROM students_school t WHERE {self.in_scope('t.id')} AND NOT EXISTS "
            f"(SELECT 1 FROM {stg('schools')} s WHERE s.school_local_id = t.local_id)",
            self.params,
        )

    def _apply_educators(self):
        self._run(
            Target(
                "educators",
                "educators_educator",
                key=("email",),
                values=("full_name", "local_id", "staff_type", "home_school_id"),
                source=(
                    "SELECT s.email, s.full_name, s.local_id, s.staff_type, k.id AS home_school_id, s.quarantined "
                    f"FROM {stg('educators')} s LEFT JOIN students_school k ON k.local_id = s.school_local_id"
                ),
                insert_extra={
                    "password": "'!' || md5(random()::text)",
                    "is_active": "true",
                    "is_staff": "false",
                    "is_superuser": "false",
                    "sped_only": "false",
                    "english_learners_only": "false",
                    "date_joined": NOW,
                },
            )
        )
        execute(
            'INSERT INTO account_emailaddress (user_id, email, verified, "primary") '
            "SELECT e.id, e.email, true, true FROM educators_educator e "
            f"JOIN {stg('educators')} s ON s.email = e.email "
            "WHERE NOT EXISTS (SELECT 1 FROM account_emailaddress a WHERE a.user_id = e.id)"
        )
        execute(
            "INSERT INTO sis_educatorsisstatus (educator_id, missing_from_last_export, last_seen_run_id) "
            f"SELECT e.id, false, %(run)s FROM educators_educator e "
            f"JOIN {stg('educators')} s ON s.email = lower(e.email) "
            "ON CONFLICT (educator_id) DO UPDATE SET missing_from_last_export = false, "
            "last_seen_run_id = EXCLUDED.last_seen_run_id",
            self.params,
        )
        self.counts["educators"]["missing"] = execute(
            "UPDATE sis_educatorsisstatus t SET missing_from_last_export = true FROM educators_educator e "
            f"WHERE e.id = t.educator_id AND NOT t.missing_from_last_export AND {self.in_scope('e.home_school_id')} "
            f"AND NOT EXISTS (SELECT 1 FROM {stg('educators')} s WHERE s.email = lower(e.email))",
            self.params,
        )
        self._apply_homerooms()

    def _apply_homerooms(self):
        """Homerooms named by students or educators exist; their teacher is the educators file's say."""
        named = []
        if "students" in self.staged:
            named.append(f"SELECT school_local_id, homeroom FROM {stg('students')} WHERE NOT quarantined")
        named.append(f"SELECT school_local_id, homeroom FROM {stg('educators')} WHERE NOT quarantined")
        self._create_homerooms(named)
        teachers = (
            f"SELECT DISTINCT ON (h.id) h.id AS homeroom_id, e.id AS educator_id FROM {stg('educators')} s "
            "JOIN students_school k ON k.local_id = s.school_local_id "
            "JOIN students_homeroom h ON h.school_id = k.id AND h.name = s.homeroom "
            "JOIN educators_educator e ON lower(e.email) = s.email WHERE NOT s.quarantined ORDER BY h.id, s.row_number"
        )
        self.counts.setdefault("homerooms", {})["teacher_changed"] = execute(
            f"UPDATE students_homeroom t SET educator_id = w.educator_id FROM students_homeroom h "
            f"LEFT JOIN ({teachers}) w ON w.homeroom_id = h.id "
            f"WHERE t.id = h.id AND {self.in_scope('h.school_id')} AND t.educator_id IS DISTINCT FROM w.educator_id",
            self.params,
        )

    def _create_homerooms(self, named: list[str]):
        inserted = execute(
            "INSERT INTO students_homeroom (school_id, name, grade) "
            f"SELECT DISTINCT k.id, n.homeroom, '' FROM ({' UNION '.join(named)}) n "
            "JOIN students_school k ON k.local_id = n.school_local_id WHERE n.homeroom IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM students_homeroom h WHERE h.school_id = k.id AND h.name = n.homeroom)"
        )
        self.counts.setdefault("homerooms", {})["inserted"] = (
            self.counts.get("homerooms", {}).get("inserted", 0) + inserted
        )

    def _apply_students(self):
        if "educators" not in self.staged:
            self._create_homerooms([f"SELECT school_local_id, homeroom FROM {stg('students')} WHERE NOT quarantined"])
        columns = {
            "state_id": "s.state_id",
            "first_name": "s.first_name",
            "last_name": "s.last_name",
            "date_of_birth": "s.date_of_birth",
            "gender": "s.gender",
            "grade": "s.mapped_grade",
            "sis_grade": "s.grade",
            "school_id": "k.id",
            "homeroom_id": "h.id",
            "enrollment_status": "s.enrollment_status",
            "missing_from_last_export": "false",
            "program_assigned": "s.program_assigned",
            "sped_placement": "s.sped_placement",
            "disability": "s.disability",
            "sped_level_of_need": "s.sped_level_of_need",
            "plan_504": "coalesce(s.mapped_plan_504, '')",
            "sis_plan_504": "s.plan_504",
            "limited_english_proficiency": "s.english_proficiency",
            "ell_entry_date": "s.ell_entry_date",
            "home_language": "s.home_language",
            "free_reduced_lunch": "s.free_reduced_lunch",
            "race": "s.race",
            "hispanic_latino": "s.hispanic_latino",
            "house": "s.house",
            "counselor_id": "c.id",
            "primary_phone": "s.primary_phone",
            "primary_email": "s.primary_email",
            "address": "s.address",
            "guardian_name": "s.guardian_name",
        }
        target = Target(
            "students",
            STUDENTS_TABLE,
            key=("local_id",),
            values=tuple(columns),
            source=(
                f"SELECT s.local_id, {', '.join(f'{sql} AS {name}' for name, sql in columns.items())}, s.quarantined "
                f"FROM {stg('students')} s JOIN students_school k ON k.local_id = s.school_local_id "
                "LEFT JOIN students_homeroom h ON h.school_id = k.id AND h.name = s.homeroom "
                "LEFT JOIN educators_educator c ON lower(c.email) = s.counselor"
            ),
            insert_extra={"created_at": NOW, "updated_at": NOW},
            update_extra={"updated_at": NOW},
            student="id",
        )
        self._run(target)
        present = f"EXISTS (SELECT 1 FROM {stg('students')} s WHERE s.local_id = t.local_id)"
        self.counts["students"]["missing"] = changing(
            "UPDATE students_student t SET missing_from_last_export = true, updated_at = now() "
            f"WHERE {self.in_scope('t.school_id')} AND NOT t.missing_from_last_export AND NOT {present}",
            "id",
            self.params,
        )
        self.counts["students"]["returned"] = changing(
            "UPDATE students_student t SET missing_from_last_export = false, updated_at = now() "
            f"WHERE t.missing_from_last_export AND {present}",
            "id",
        )

    def _derive_homeroom_grades_and_school_grades(self):
        self.counts.setdefault("homerooms", {})["grade_changed"] = execute(
            "UPDATE students_homeroom t SET grade = m.grade FROM (SELECT homeroom_id, mode() WITHIN GROUP "
            "(ORDER BY grade) AS grade FROM students_student WHERE homeroom_id IS NOT NULL GROUP BY homeroom_id) m "
            f"WHERE m.homeroom_id = t.id AND {self.in_scope('t.school_id')} AND t.grade IS DISTINCT FROM m.grade",
            self.params,
        )
        if "educators" in self.staged:  # a homeroom without students takes its teacher's word for its grade
            self.counts["homerooms"]["grade_changed"] += execute(
                f"UPDATE students_homeroom t SET grade = s.homeroom_grade FROM {stg('educators')} s "
                "JOIN students_school k ON k.local_id = s.school_local_id WHERE t.school_id = k.id "
                "AND t.name = s.homeroom AND NOT s.quarantined AND s.homeroom_grade <> '' "
                "AND t.grade <> s.homeroom_grade "
                "AND NOT EXISTS (SELECT 1 FROM students_student x WHERE x.homeroom_id = t.id)"
            )
        self.counts.setdefault("school grades", {})["inserted"] = execute(
            "INSERT INTO students_schoolgrade (school_id, grade) SELECT DISTINCT s.school_id, s.grade "
            "FROM students_student s WHERE NOT EXISTS (SELECT 1 FROM students_schoolgrade g "
            "WHERE g.school_id = s.school_id AND g.grade = s.grade)"
        )

    # --- sections -------------------------------------------------------------------------------

    def _apply_sections(self):
        self._run(
            Target(
                "courses",
                "students_course",
                key=("school_id", "course_number"),
                values=("description", "subject"),
                source=(
                    "SELECT DISTINCT ON (k.id, s.course_number) k.id AS school_id, s.course_number, "
                    "s.course_description AS description, s.course_subject AS subject, false AS quarantined "
                    f"FROM {stg('sections')} s JOIN students_school k ON k.local_id = s.school_local_id "
                    "WHERE NOT s.quarantined ORDER BY k.id, s.course_number, s.row_number"
                ),
            )
        )
        self._run(
            Target(
                "sections",
                "students_section",
                key=("course_id", "section_number", "term_local_id", "school_year"),
                values=("schedule", "room_number"),
                source=(
                    "SELECT c.id AS course_id, s.section_number, s.term_local_id, s.school_year, s.schedule, "
                    f"s.room_number, s.quarantined FROM {stg('sections')} s "
                    "JOIN students_school k ON k.local_id = s.school_local_id "
                    "JOIN students_course c ON c.school_id = k.id AND c.course_number = s.course_number"
                ),
            )
        )

    def _section_join(self, alias: str = "s") -> str:
        return (
            f"JOIN students_school k ON k.local_id = {alias}.school_local_id "
            f"JOIN students_course c ON c.school_id = k.id AND c.course_number = {alias}.course_number "
            f"JOIN students_section x ON x.course_id = c.id AND x.section_number = {alias}.section_number "
            f"AND x.term_local_id = {alias}.term_local_id AND x.school_year = {alias}.school_year"
        )

    def _assignment_scope(self, file_name: str) -> str:
        """Assignments the file speaks for: sections at in-scope schools, in the school years it lists."""
        return (
            "t.section_id IN (SELECT x.id FROM students_section x JOIN students_course c ON c.id = x.course_id "
            f"WHERE {self.in_scope('c.school_id')} AND x.school_year IN "
            f"(SELECT DISTINCT school_year FROM {stg(file_name)}))"
        )

    def _apply_student_section_assignments(self):
        target = Target(
            "student_section_assignments",
            "students_studentsectionassignment",
            key=("student_id", "section_id"),
            values=("grade_numeric", "grade_letter"),
            source=(
                "SELECT st.id AS student_id, x.id AS section_id, s.grade_numeric, s.grade_letter, s.quarantined "
                f"FROM {stg('student_section_assignments')} s JOIN students_student st ON st.local_id = s.local_id "
                f"{self._section_join()}"
            ),
            student="student_id",
        )
        self._run(target)
        self.counts[target.label]["deleted"] = target.delete_missing(
            self._assignment_scope("student_section_assignments"), self.params
        )

    def _apply_educator_section_assignments(self):
        target = Target(
            "educator_section_assignments",
            "students_educatorsectionassignment",
            key=("educator_id", "section_id"),
            values=(),
            source=(
                "SELECT e.id AS educator_id, x.id AS section_id, s.quarantined "
                f"FROM {stg('educator_section_assignments')} s JOIN educators_educator e ON lower(e.email) = s.email "
                f"{self._section_join()}"
            ),
        )
        self._run(target)
        self.counts[target.label]["deleted"] = target.delete_missing(
            self._assignment_scope("educator_section_assignments"), self.params
        )

    # --- programs -------------------------------------------------------------------------------

    def _apply_english_learners(self):
        """A current english_learner program row sets the student's English proficiency and entry date."""
        self.counts.setdefault("english learners", {})["updated"] = changing(
            "UPDATE students_student t SET limited_english_proficiency = coalesce(p.el_proficiency_level, 'Limited'), "
            "ell_entry_date = p.begin_date, updated_at = now() FROM (SELECT DISTINCT ON (local_id) local_id, "
            f"el_proficiency_level, begin_date FROM {stg('programs')} WHERE NOT quarantined AND program = "
            "'english_learner' AND (end_date IS NULL OR end_date >= current_date) "
            "ORDER BY local_id, begin_date DESC) p "
            "WHERE t.local_id = p.local_id AND (t.limited_english_proficiency, t.ell_entry_date) IS DISTINCT FROM "
            "(coalesce(p.el_proficiency_level, 'Limited'), p.begin_date)",
            "id",
        )
