"""The demo district's students and their class enrolments.

Part of DemoDistrictBuilder (students/demo/generate.py); every random choice comes from its ``rng``,
in the order the rows are generated. Students are drawn their ids ahead and written by COPY a batch
at a time, so a district of hundreds of thousands never holds its rows in memory: what the history
and grants need of each student is kept in a small ``SeededStudent``.
"""

import datetime
from decimal import Decimal
from typing import NamedTuple

from insights.bulkload import COPY_BATCH_ROWS, CopyTable, is_stamped, reserve_ids
from students.demo import cast
from students.demo.names import FIRST_NAMES, HOME_LANGUAGES, LAST_NAMES, STREETS
from students.models import Homeroom, School, Student, StudentSectionAssignment
from students.models.grades import GRADE_ORDER

# Every column a seeded student row may set; the rest (and any a row leaves out) get their defaults.
STUDENT_COLUMNS = tuple(
    field.attname for field in Student._meta.concrete_fields if not field.generated and not is_stamped(field)
)


class SeededStudent(NamedTuple):
    """What the rest of the build needs to know of a student it has written."""

    pk: int
    school_id: int
    school_type: str
    grade: str
    program_assigned: str
    plan_504: str
    limited_english_proficiency: str


class RosterMixin:
    def _students(self):
        rng = self.rng
        total = max(self.student_count, len(cast.STUDENTS))
        first_id = reserve_ids(Student, total)
        table = CopyTable(Student, STUDENT_COLUMNS, now=self.written_at)
        defaults = [Student._meta.get_field(name).get_default() for name in STUDENT_COLUMNS]
        self.students: list[SeededStudent] = []
        self.profiles: list[cast.CastStudent | None] = []
        batch: list[tuple] = []
        school_ids = [s.local_id for s in self.schools]
        for index in range(total):
            if index < len(cast.STUDENTS):
                person = cast.STUDENTS[index]
                values = self._named_student(index, person)
            else:
                person = None
                sid = school_ids[index % len(school_ids)]
                school = self.school_by_id[sid]
                grade = rng.choice(self.grades_of[sid])
                homeroom = rng.choice(self.homerooms_by_school_grade[(school.pk, grade)])
                values = self._generated_student(index, school, grade, homeroom)
            values["id"] = first_id + index
            batch.append(
                tuple(values.get(name, default) for name, default in zip(STUDENT_COLUMNS, defaults, strict=True))
            )
            self.students.append(self._seeded(values))
            self.profiles.append(person)
            if len(batch) >= COPY_BATCH_ROWS:
                table.write(batch)
                batch.clear()
        table.write(batch)
        self.summary.students = len(self.students)
        self._section_assignments()

    def _seeded(self, values: dict) -> SeededStudent:
        return SeededStudent(
            pk=values["id"],
            school_id=values["school_id"],
            school_type=self.school_type_of[values["school_id"]],
            grade=values["grade"],
            program_assigned=values.get("program_assigned", ""),
            plan_504=values.get("plan_504", ""),
            limited_english_proficiency=values["limited_english_proficiency"],
        )

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

    def _named_student(self, index: int, person: cast.CastStudent) -> dict:
        homeroom = self.homeroom_by_name.get((person.school, person.homeroom)) if person.homeroom else None
        if homeroom is None and person.school != cast.RIVERSIDE:
            school = self.school_by_id[person.school]
            homeroom = self.homerooms_by_school_grade[(school.pk, person.grade)][0]
        return dict(
            local_id=f"{100000 + index}",
            state_id=f"10{index:08d}",
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=self._birth_date(person.grade),
            gender=self.rng.choice("FMN" if index % 17 == 0 else "FM"),
            grade=person.grade,
            school_id=self.school_by_id[person.school].pk,
            homeroom_id=homeroom.pk if homeroom else None,
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
            counselor_id=self.counselor_of_school[self.school_by_id[person.school].pk].pk,
            **person.extra,
            **self._contact(person.last_name),
        )

    def _generated_student(self, index: int, school: School, grade: str, homeroom: Homeroom) -> dict:
        rng = self.rng
        last = rng.choice(LAST_NAMES)
        program = rng.choices(["Reg Ed", "Sp Ed", "SEIP", "2Way Spanish"], weights=[78, 15, 4, 3])[0]
        english = rng.choices(["Fluent", "Limited", "FLEP", "FLEP-Transitioning"], weights=[78, 14, 5, 3])[0]
        status = rng.choices(["Active", "Withdrawn", "Transferred"], weights=[96, 2, 2])[0]
        sped = program == "Sp Ed"
        return dict(
            local_id=f"{100000 + index}",
            state_id=f"10{index:08d}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=last,
            date_of_birth=self._birth_date(grade),
            gender=rng.choice("FM") if rng.random() > 0.02 else "N",
            grade=grade,
            school_id=school.pk,
            homeroom_id=homeroom.pk if school.school_type != "HS" or rng.random() < 0.8 else None,
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
            counselor_id=self.counselor_of_school[school.pk].pk,
            **self._contact(last),
        )

    def _section_assignments(self):
        rng = self.rng
        table = CopyTable(StudentSectionAssignment, ("student_id", "section_id", "grade_numeric", "grade_letter"))
        batch: list[tuple] = []
        for student, person in zip(self.students, self.profiles, strict=True):
            if student.school_type != "HS":
                continue
            if person is not None:
                sections = [self.section_by_code[code] for code in person.sections]
            else:
                sections = rng.sample(self.sections_by_school[student.school_id], k=rng.randint(3, 5))
            failing = person.failing if person else rng.random() < 0.08
            for section in sections:
                grade = rng.uniform(40, 64) if failing else rng.uniform(66, 99)
                batch.append((student.pk, section.pk, Decimal(f"{grade:.1f}"), ""))
            if len(batch) >= COPY_BATCH_ROWS:
                table.write(batch)
                batch.clear()
        table.write(batch)
        self.summary.rows["section assignments"] = table.written
