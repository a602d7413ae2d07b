"""Builds the fictional demo district: the named cast plus generated students with years of history.

Deterministic for a given seed and day: every random choice comes from one ``random.Random(seed)``
(generated counselors' names from a second stream of the same seed) and rows are inserted in a
fixed order, so ids match between runs after ``--reset``. The schools, people and classes (a few
thousand rows even for the largest district) are written with ``bulk_create``; the students
(roster.py) and their history (history.py) by COPY as plain tuples, a batch at a time (see
insights/bulkload.py), and the grants by grants.py. A large district's big tables are loaded
without their secondary indexes and foreign keys, which are made again before the build returns.
"""

import datetime
import random
from contextlib import ExitStack
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from educators.models import Educator
from insights.bulkload import rebuilt_after_load
from students.demo import cast
from students.demo.grants import GrantsMixin
from students.demo.history import HistoryMixin
from students.demo.names import FIRST_NAMES, LAST_NAMES
from students.demo.roster import RosterMixin
from students.models import (
    Course,
    District,
    EducatorSectionAssignment,
    Homeroom,
    School,
    SchoolGrade,
    Section,
    Student,
)
from students.models.absence_summary import rebuild_absence_summary
from students.models.grades import GRADE_ORDER, school_year_of

STUDENTS_PER_SCHOOL = 600
HIGH_SCHOOL_COURSES = (
    ("BIO-101", "Biology", "Science"),
    ("ALG-201", "Algebra II", "Math"),
    ("ENG-101", "English 9", "English"),
    ("ENG-201", "English 10", "English"),
    ("HIS-101", "World History", "History"),
    ("CHE-201", "Chemistry", "Science"),
    ("GEO-101", "Geometry", "Math"),
    ("SPA-101", "Spanish I", "World languages"),
)
GENERATED_SCHOOL_TYPES = (("ES", ("KF", "1", "2", "3", "4", "5")), ("K8", tuple(cast.SCHOOLS[1].grades)))

# From this many students on, the big tables are loaded without their indexes and keys, made again after.
BULK_STUDENTS = 20_000
BULK_TABLES = (
    "students_student",
    "students_studentsectionassignment",
    "students_absence",
    "students_tardy",
    "students_disciplineincident",
    "students_eventnote",
    "students_service",
    "students_starresult",
    "students_mcasresult",
    "students_accessresult",
    "students_plan504",
    "students_iep",
)
# The data a --reset removes, truncated together; audit tables are deliberately not among them.
DEMO_TABLES = (
    "permissions_districtgrant",
    "permissions_schoolgrant",
    "permissions_schoolgradegrant",
    "permissions_homeroomgrant",
    "permissions_sectiongrant",
    "permissions_studentgrant",
    "students_eventnoterevision",
    "students_eventnote",
    "students_service",
    "students_absence",
    "students_tardy",
    "students_disciplineincident",
    "students_mcasresult",
    "students_starresult",
    "students_accessresult",
    "students_plan504",
    "students_iep",
    "students_studentsectionassignment",
    "students_educatorsectionassignment",
    "students_student",
    "students_section",
    "students_course",
    "students_homeroom",
    "students_schoolgrade",
    "students_school",
    "students_district",
    "educators_educator",
)


@dataclass
class DemoSummary:
    schools: int = 0
    educators: int = 0
    students: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def reset_demo_data() -> None:
    """Remove every student, educator and grant (audit history stays: it is append-only)."""
    quoted = ", ".join(connection.ops.quote_name(table) for table in DEMO_TABLES)
    with connection.cursor() as cursor:
        # Inside an open transaction, deferred foreign-key checks must fire before TRUNCATE may run.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


def create_demo_admin(*, password: str) -> Educator:
    """Only the cast's district admin, signing in with the demo password (seed_demo --empty)."""
    person = next(person for person in cast.EDUCATORS if person.key == "admin")
    admin = Educator.objects.create(
        email=person.email,
        full_name=person.full_name,
        staff_type=person.staff_type,
        local_id=f"E-{person.key}",
        password=make_password(password or None),
        is_staff=person.is_staff,
        is_superuser=person.is_superuser,
    )
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
    return admin


def has_demo_data() -> bool:
    return Student.objects.exists() or Educator.objects.exists()


class DemoDistrictBuilder(RosterMixin, HistoryMixin, GrantsMixin):
    """Generates the district in memory order, writing each kind of row in bulk.

    ``rebuild_indexes`` loads the big tables without their secondary indexes and foreign keys and
    makes them again at the end; by default only for a district of BULK_STUDENTS or more, where
    that is the faster way (for a small one, dropping and making them costs more than it saves).
    """

    def __init__(
        self,
        *,
        student_count: int,
        seed: int,
        today: datetime.date,
        password: str,
        rebuild_indexes: bool | None = None,
        history_ends: datetime.datetime | None = None,
    ):
        self.seed = seed
        self.rng = random.Random(seed)
        self.student_count = student_count
        self.today = today
        self.current_year = school_year_of(today)
        self.password_hash = make_password(password or None)  # an empty password gives an unusable one
        self.summary = DemoSummary()
        self.time_zone = timezone.get_current_timezone()
        self.now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(15, 0)))
        # Seeding for the district's today, its history stops at the minute of seeding: no note is dated later.
        if history_ends is None and today == timezone.localdate():
            history_ends = timezone.now().replace(second=0, microsecond=0)
        self.history_ends = history_ends
        self.rebuild_indexes = student_count >= BULK_STUDENTS if rebuild_indexes is None else rebuild_indexes

    # --- organisation ---------------------------------------------------------------------
    def build(self) -> DemoSummary:
        with transaction.atomic(), ExitStack() as rebuilt:
            self.written_at = timezone.now()  # what auto_now columns say for every row of the build
            if self.rebuild_indexes:
                for table in BULK_TABLES:
                    rebuilt.enter_context(rebuilt_after_load(table))
            self.district = District.objects.current()
            self._schools()
            self._educators()
            self._homerooms_and_sections()
            self._students()
            self._history()
            self._grants()
        # A fresh district's first home page reads the summary instead of counting every absence live;
        # built for the day the pages ask about (the district's local date), after the indexes are back.
        rebuild_absence_summary(timezone.localdate())
        return self.summary

    def _schools(self):
        specs = [(s.local_id, s.name, s.school_type, s.grades) for s in cast.SCHOOLS]
        extra_schools = max(0, round(self.student_count / STUDENTS_PER_SCHOOL) - len(specs))
        for number in range(1, extra_schools + 1):
            school_type, grades = GENERATED_SCHOOL_TYPES[number % 2]
            suffix = "Elementary" if school_type == "ES" else "K-8"
            specs.append((f"S{number:03d}", f"{self.rng.choice(LAST_NAMES)} {suffix} #{number}", school_type, grades))
        self.schools = School.objects.bulk_create(
            [School(local_id=local_id, name=name, school_type=kind) for local_id, name, kind, _ in specs]
        )
        self.school_by_id = {school.local_id: school for school in self.schools}
        self.school_type_of = {school.pk: school.school_type for school in self.schools}
        self.grades_of = {local_id: grades for local_id, _, _, grades in specs}
        self.school_grades = SchoolGrade.objects.bulk_create(
            [
                SchoolGrade(school=self.school_by_id[sid], grade=grade)
                for sid, grades in self.grades_of.items()
                for grade in grades
            ]
        )
        self.summary.schools = len(self.schools)

    def _educators(self):
        cast_rows = []
        for person in cast.EDUCATORS:
            cast_rows.append(
                Educator(
                    email=person.email,
                    full_name=person.full_name,
                    staff_type=person.staff_type,
                    home_school=self.school_by_id.get(person.home_school),
                    local_id=f"E-{person.key}",
                    password=self.password_hash,
                    is_active=person.is_active,
                    is_staff=person.is_staff,
                    is_superuser=person.is_superuser,
                    sped_only=person.sped_only,
                    english_learners_only=person.english_learners_only,
                )
            )
        self.cast_educators = dict(
            zip([p.key for p in cast.EDUCATORS], Educator.objects.bulk_create(cast_rows), strict=True)
        )
        # One generated teacher per generated homeroom or section, without a usable password.
        self.generated_teachers: list[Educator] = []

    def _new_teacher(self, school: School, staff_type: str = "teacher", rng: random.Random | None = None) -> Educator:
        number = len(self.generated_teachers) + 1
        rng = rng or self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        teacher = Educator(
            email=f"staff{number:05d}@{cast.EMAIL_DOMAIN}",
            full_name=f"{first} {last}",
            staff_type=staff_type,
            home_school=school,
            local_id=f"E{number:05d}",
            password=make_password(None),
        )
        self.generated_teachers.append(teacher)
        return teacher

    def _homerooms_and_sections(self):
        named = {(sid, name): grade for sid, name, grade in cast.HOMEROOMS}
        teacher_of_homeroom = {p.homeroom: self.cast_educators[p.key] for p in cast.EDUCATORS if p.homeroom}
        homerooms = []
        for sid, grades in self.grades_of.items():
            school = self.school_by_id[sid]
            for grade in grades:
                names = [name for (s, name), g in named.items() if s == sid and g == grade]
                if not names:
                    names = [f"{grade}-{100 + GRADE_ORDER[grade] * 10 + n}" for n in (1, 2)]
                for name in names:
                    teacher = teacher_of_homeroom.get((sid, name)) or self._new_teacher(school)
                    homerooms.append(Homeroom(school=school, name=name, grade=grade, educator=teacher))
        Educator.objects.bulk_create(self.generated_teachers)
        self.homerooms = Homeroom.objects.bulk_create(homerooms)
        self.homerooms_by_school_grade: dict[tuple[int, str], list[Homeroom]] = {}
        for homeroom in self.homerooms:
            self.homerooms_by_school_grade.setdefault((homeroom.school_id, homeroom.grade), []).append(homeroom)
        self.homeroom_by_name = {(h.school.local_id, h.name): h for h in self.homerooms}

        high_schools = [s for s in self.schools if s.school_type == "HS"]
        courses = Course.objects.bulk_create(
            [
                Course(school=school, course_number=number, description=description, subject=subject)
                for school in high_schools
                for number, description, subject in HIGH_SCHOOL_COURSES
            ]
        )
        teachers_before = len(self.generated_teachers)
        sections, teachers = [], []
        named_sections = {(v[0], v[2]): code for code, v in cast.SECTIONS.items()}
        section_teacher = {code: self.cast_educators[p.key] for p in cast.EDUCATORS for code in p.sections}
        self.section_by_code = {}
        for course in courses:
            for period in range(1, 7):
                code = named_sections.get((course.course_number, str(period)))
                if course.school.local_id != cast.RIVERSIDE:
                    code = None
                section = Section(
                    course=course,
                    section_number=str(period),
                    term_local_id="FY",
                    school_year=self.current_year,
                    schedule=str(period),
                    room_number=cast.SECTIONS[code][4] if code else str(100 + self.rng.randrange(200)),
                )
                teacher = section_teacher.get(code) or self._new_teacher(course.school)
                sections.append(section)
                teachers.append(teacher)
                if code:
                    self.section_by_code[code] = section
        Educator.objects.bulk_create(self.generated_teachers[teachers_before:])
        self._counselors()
        self.sections = Section.objects.bulk_create(sections)
        self.sections_by_school: dict[int, list[Section]] = {}
        for section in self.sections:
            self.sections_by_school.setdefault(section.course.school_id, []).append(section)
        EducatorSectionAssignment.objects.bulk_create(
            [EducatorSectionAssignment(educator=t, section=s) for s, t in zip(self.sections, teachers, strict=True)]
        )
        self.section_teacher = dict(zip([s.pk for s in self.sections], teachers, strict=True))
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=educator, email=educator.email, verified=True, primary=True)
                for educator in [*self.cast_educators.values(), *self.generated_teachers]
            ]
        )
        self.summary.educators = len(self.cast_educators) + len(self.generated_teachers)

    def _counselors(self):
        """Every school's counselor: the cast's where it has one, otherwise a generated one.

        Names come from their own random stream, so adding counselors leaves the rest of the demo as it was.
        """
        self.counselor_of_school = {
            educator.home_school_id: educator
            for educator in self.cast_educators.values()
            if educator.staff_type == Educator.StaffType.COUNSELOR and educator.is_active
        }
        names = random.Random(f"{self.seed}-counselors")
        self.generated_counselors = [
            self._new_teacher(school, staff_type=Educator.StaffType.COUNSELOR, rng=names)
            for school in self.schools
            if school.pk not in self.counselor_of_school
        ]
        Educator.objects.bulk_create(self.generated_counselors)
        self.counselor_of_school.update({educator.home_school_id: educator for educator in self.generated_counselors})
