"""Builds the fictional demo district: the named cast plus generated students with years of history.

Deterministic for a given seed and day: every random choice comes from one ``random.Random(seed)``
(generated counselors' names from a second stream of the same seed) and rows are inserted in a
fixed order, so ids match between runs after ``--reset``. Rows are written with ``bulk_create`` in
large batches so a 50,000-student district takes minutes. The schools, people and classes are
built here; their history (history.py) and grants (grants.py) by the builder's mixins.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from educators.models import Educator
from students.demo import BATCH_SIZE, cast
from students.demo.grants import GrantsMixin
from students.demo.history import HistoryMixin
from students.demo.names import FIRST_NAMES, HOME_LANGUAGES, LAST_NAMES, STREETS
from students.models import (
    Course,
    District,
    EducatorSectionAssignment,
    Homeroom,
    School,
    SchoolGrade,
    Section,
    Student,
    StudentSectionAssignment,
)
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


class DemoDistrictBuilder(HistoryMixin, GrantsMixin):
    """Generates the district in memory order, writing each kind of row in bulk."""

    def __init__(self, *, student_count: int, seed: int, today: datetime.date, password: str):
        self.seed = seed
        self.rng = random.Random(seed)
        self.student_count = student_count
        self.today = today
        self.current_year = school_year_of(today)
        self.password_hash = make_password(password or None)  # an empty password gives an unusable one
        self.summary = DemoSummary()
        self.now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(15, 0)))

    # --- organisation ---------------------------------------------------------------------
    def build(self) -> DemoSummary:
        with transaction.atomic():
            self.district = District.objects.current()
            self._schools()
            self._educators()
            self._homerooms_and_sections()
            self._students()
            self._history()
            self._grants()
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

    # --- students -------------------------------------------------------------------------
    def _students(self):
        rng = self.rng
        rows, self.profiles = [], []
        for index, person in enumerate(cast.STUDENTS):
            rows.append(self._named_student(index, person))
            self.profiles.append(person)
        school_ids = [s.local_id for s in self.schools]
        for index in range(len(rows), self.student_count):
            sid = school_ids[index % len(school_ids)]
            school = self.school_by_id[sid]
            grade = rng.choice(self.grades_of[sid])
            homeroom = rng.choice(self.homerooms_by_school_grade[(school.pk, grade)])
            rows.append(self._generated_student(index, school, grade, homeroom))
            self.profiles.append(None)
        self.students = Student.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.summary.students = len(self.students)
        self._section_assignments()

    def _birth_date(self, grade: str) -> datetime.date:
        age = 5 + GRADE_ORDER[grade] - 1  # KF is position 1: five-year-olds
        start = datetime.date(self.current_year - age, 9, 1)
        return start - datetime.timedelta(days=self.rng.randrange(365))

    def _contact(self, last_name: str) -> dict:
        rng = self.rng
        guardian = f"{rng.choice(FIRST_NAMES)} {last_name}"
        return {
            "guardian_name": guardian,
            "primary_phone": f"617-555-{rng.randrange(10000):04d}",
            "primary_email": f"{guardian.split()[0].lower()}.{last_name.lower()}@family.example",
            "address": f"{rng.randrange(1, 400)} {rng.choice(STREETS)}, Somerville, MA 02143",
        }

    def _named_student(self, index: int, person: cast.CastStudent) -> Student:
        homeroom = self.homeroom_by_name.get((person.school, person.homeroom)) if person.homeroom else None
        if homeroom is None and person.school != cast.RIVERSIDE:
            school = self.school_by_id[person.school]
            homeroom = self.homerooms_by_school_grade[(school.pk, person.grade)][0]
        return Student(
            local_id=f"{100000 + index}",
            state_id=f"10{index:08d}",
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=self._birth_date(person.grade),
            gender=self.rng.choice("FMN" if index % 17 == 0 else "FM"),
            grade=person.grade,
            school=self.school_by_id[person.school],
            homeroom=homeroom,
            enrollment_status=person.enrollment_status,
            missing_from_last_export=person.missing_from_last_export,
            program_assigned=person.program,
            sped_level_of_need=person.sped_level_of_need,
            plan_504=person.plan_504,
            limited_english_proficiency=person.english_proficiency,
            home_language=person.home_language,
            free_reduced_lunch=self.rng.choice(["Free Lunch", "Not Eligible", "Reduced Lunch"]),
            race=self.rng.choice(["White", "Black or African American", "Asian", "Multiracial"]),
            house="Beacon" if person.school == cast.RIVERSIDE else "",
            counselor=self.counselor_of_school[self.school_by_id[person.school].pk],
            **person.extra,
            **self._contact(person.last_name),
        )

    def _generated_student(self, index: int, school: School, grade: str, homeroom: Homeroom) -> Student:
        rng = self.rng
        last = rng.choice(LAST_NAMES)
        program = rng.choices(["Reg Ed", "Sp Ed", "SEIP", "2Way Spanish"], weights=[78, 15, 4, 3])[0]
        english = rng.choices(["Fluent", "Limited", "FLEP", "FLEP-Transitioning"], weights=[78, 14, 5, 3])[0]
        status = rng.choices(["Active", "Withdrawn", "Transferred"], weights=[96, 2, 2])[0]
        sped = program == "Sp Ed"
        return Student(
            local_id=f"{100000 + index}",
            state_id=f"10{index:08d}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=last,
            date_of_birth=self._birth_date(grade),
            gender=rng.choice("FM") if rng.random() > 0.02 else "N",
            grade=grade,
            school=school,
            homeroom=homeroom if school.school_type != "HS" or rng.random() < 0.8 else None,
            enrollment_status=status,
            missing_from_last_export=status != "Active" and rng.random() < 0.5,
            program_assigned=program,
            sped_placement=rng.choice(["Full inclusion", "Partial inclusion", "Substantially separate"])
            if sped
            else "",
            disability=rng.choice(["Specific learning disability", "Communication", "Health", "Emotional"])
            if sped
            else "",
            sped_level_of_need=rng.choice(["Low < 2", "Low >= 2", "Moderate", "High"]) if sped else "",
            plan_504="504" if not sped and rng.random() < 0.06 else "",
            limited_english_proficiency=english,
            home_language="English" if english == "Fluent" and rng.random() < 0.85 else rng.choice(HOME_LANGUAGES),
            free_reduced_lunch=rng.choices(["Not Eligible", "Free Lunch", "Reduced Lunch"], weights=[55, 38, 7])[0],
            race=rng.choice(["White", "Black or African American", "Asian", "Multiracial", "American Indian"]),
            hispanic_latino=rng.random() < 0.35,
            house=rng.choice(["Beacon", "Hillside", "Brookline", "Union"]) if school.school_type == "HS" else "",
            counselor=self.counselor_of_school[school.pk],
            **self._contact(last),
        )

    def _section_assignments(self):
        rng = self.rng
        rows = []
        for student, person in zip(self.students, self.profiles, strict=True):
            if student.school.school_type != "HS":
                continue
            if person is not None:
                sections = [self.section_by_code[code] for code in person.sections]
            else:
                sections = rng.sample(self.sections_by_school[student.school_id], k=rng.randint(3, 5))
            failing = person.failing if person else rng.random() < 0.08
            for section in sections:
                grade = rng.uniform(40, 64) if failing else rng.uniform(66, 99)
                rows.append(
                    StudentSectionAssignment(
                        student=student, section=section, grade_numeric=Decimal(f"{grade:.1f}"), grade_letter=""
                    )
                )
        StudentSectionAssignment.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.summary.rows["section assignments"] = len(rows)
