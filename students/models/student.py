"""The student: identity, placement, programs and family contact, as exported by the SIS."""

import datetime

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import ExtractDay, ExtractMonth

from students.models.grades import GRADE_CHOICES, GRADE_CODES
from students.models.programs import ProgramCategory, program_category_of, programs_in
from students.models.text_search import folded


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "Active", "Active"
    TRANSFERRED = "Transferred", "Transferred"
    WITHDRAWN = "Withdrawn", "Withdrawn"
    GRADUATED = "Graduated", "Graduated"


class Gender(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    NONBINARY = "N", "Nonbinary"


class Program(models.TextChoices):
    REGULAR = "Reg Ed", "Regular education"
    SPECIAL = "Sp Ed", "Special education"
    SEIP = "SEIP", "Sheltered English immersion"
    TWO_WAY_ENGLISH = "2Way English", "Two-way (English)"
    TWO_WAY_SPANISH = "2Way Spanish", "Two-way (Spanish)"


class SpedLevelOfNeed(models.TextChoices):
    LOW_UNDER_2 = "Low < 2", "Low (< 2 hours)"
    LOW_2_OR_MORE = "Low >= 2", "Low (2+ hours)"
    MODERATE = "Moderate", "Moderate"
    HIGH = "High", "High"


class EnglishProficiency(models.TextChoices):
    FLUENT = "Fluent", "Fluent"
    FLEP_TRANSITIONING = "FLEP-Transitioning", "Former English learner (transitioning)"
    FLEP = "FLEP", "Former English learner"
    LIMITED = "Limited", "English learner"


class Plan504Status(models.TextChoices):
    NONE = "", "No 504 plan"
    ACTIVE = "504", "504 plan"
    EXITED = "Exited", "Exited 504"


class FreeReducedLunch(models.TextChoices):
    NOT_ELIGIBLE = "Not Eligible", "Not eligible"
    FREE = "Free Lunch", "Free lunch"
    REDUCED = "Reduced Lunch", "Reduced lunch"


class StudentStanding:
    """Whether a student is enrolled, an English learner, in special education: read from their columns
    (``enrollment_status``, ``missing_from_last_export``, ``limited_english_proficiency``) and their
    program's category, by the model and by the rows a roster reads without it (roster_rows.RosterRow)."""

    enrollment_status: str
    missing_from_last_export: bool
    limited_english_proficiency: str
    program_category: str  # the model looks it up (a property); a roster row reads it with the row

    @property
    def is_enrolled(self) -> bool:
        return self.enrollment_status == EnrollmentStatus.ACTIVE and not self.missing_from_last_export

    @property
    def is_english_learner(self) -> bool:
        return (
            self.limited_english_proficiency != EnglishProficiency.FLUENT
            or self.program_category == ProgramCategory.ENGLISH_LEARNER
        )

    @property
    def has_sped_program(self) -> bool:
        return self.program_category == ProgramCategory.SPECIAL_EDUCATION


class Student(StudentStanding, models.Model):
    EnrollmentStatus = EnrollmentStatus
    Gender = Gender
    Program = Program
    SpedLevelOfNeed = SpedLevelOfNeed
    EnglishProficiency = EnglishProficiency
    Plan504Status = Plan504Status
    FreeReducedLunch = FreeReducedLunch

    local_id = models.CharField("SIS local id", max_length=40, unique=True)
    state_id = models.CharField("state id", max_length=40, unique=True, null=True, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, blank=True)
    grade = models.CharField(max_length=2, choices=GRADE_CHOICES)
    school = models.ForeignKey("students.School", on_delete=models.PROTECT, related_name="students")
    homeroom = models.ForeignKey(
        "students.Homeroom", on_delete=models.SET_NULL, null=True, blank=True, related_name="students"
    )
    enrollment_status = models.CharField(
        max_length=20, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    missing_from_last_export = models.BooleanField(
        default=False, help_text="The student was absent from the most recent SIS export."
    )

    program_assigned = models.CharField(
        max_length=40,
        default=Program.REGULAR,
        help_text="The program code as the SIS exports it; what it counts as is the district's ProgramCode mapping.",
    )
    sped_placement = models.CharField("SPED placement", max_length=100, blank=True)
    disability = models.CharField(max_length=100, blank=True)
    sped_level_of_need = models.CharField(
        "SPED level of need", max_length=20, choices=SpedLevelOfNeed.choices, blank=True
    )
    plan_504 = models.CharField("504 status", max_length=10, choices=Plan504Status.choices, blank=True)
    sis_grade = models.CharField(
        "SIS grade code", max_length=40, blank=True, help_text="The grade code as the SIS exported it."
    )
    sis_plan_504 = models.CharField(
        "SIS 504 status code", max_length=40, blank=True, help_text="The 504 status code as the SIS exported it."
    )
    limited_english_proficiency = models.CharField(
        "English proficiency", max_length=20, choices=EnglishProficiency.choices, default=EnglishProficiency.FLUENT
    )
    ell_entry_date = models.DateField("English learner entry date", null=True, blank=True)
    home_language = models.CharField(max_length=60, blank=True)
    free_reduced_lunch = models.CharField(
        max_length=20, choices=FreeReducedLunch.choices, default=FreeReducedLunch.NOT_ELIGIBLE
    )
    race = models.CharField(max_length=100, blank=True)
    hispanic_latino = models.BooleanField(null=True, blank=True)
    house = models.CharField(max_length=40, blank=True)
    counselor = models.ForeignKey(
        "educators.Educator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counselees",
    )

    primary_phone = models.CharField(max_length=40, blank=True)
    primary_email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    guardian_name = models.CharField("parent or guardian", max_length=200, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        permissions = [
            ("view_student_record", "May see this one student (caseload or temporary access)"),
            ("view_restricted_notes", "May read restricted note text and full discipline history"),
            ("view_educators_with_access", "May see which educators have access to a student"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(grade__in=GRADE_CODES), name="student_grade_code_known"),
            models.CheckConstraint(condition=~Q(local_id=""), name="student_local_id_not_blank"),
            models.CheckConstraint(
                condition=Q(enrollment_status__in=[choice.value for choice in EnrollmentStatus]),
                name="student_enrollment_status_known",
            ),
            models.CheckConstraint(
                condition=Q(limited_english_proficiency__in=[choice.value for choice in EnglishProficiency]),
                name="student_english_proficiency_known",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "grade"], name="student_school_grade_idx"),
            # The district page counts enrolled students by school and grade from this index alone.
            models.Index(
                fields=["school", "grade"],
                name="student_enrolled_grade_idx",
                condition=Q(enrollment_status="Active", missing_from_last_export=False),
            ),
            models.Index(fields=["homeroom"], name="student_homeroom_idx"),
            models.Index(fields=["last_name", "first_name"], name="student_name_idx"),
            # A school's students in name order: a schoolwide educator's first page is one pass through it.
            models.Index(fields=["school", "last_name", "first_name", "id"], name="student_school_name_idx"),
            # Birthdays in the coming week are found by (month, day) without reading every student.
            models.Index(ExtractMonth("date_of_birth"), ExtractDay("date_of_birth"), name="student_birthday_idx"),
            # Name search matches prefixes of the folded names ("jose" finds "José"): pattern ops
            # let LIKE 'prefix%' use these indexes whatever the database's collation.
            models.Index(OpClass(folded("first_name"), name="text_pattern_ops"), name="student_first_name_folded_idx"),
            models.Index(OpClass(folded("last_name"), name="text_pattern_ops"), name="student_last_name_folded_idx"),
        ]

    def __str__(self):
        # Opaque on purpose: __str__ ends up in logs, admin messages and error reports.
        return f"Student #{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def program_label(self) -> str:
        """The program's readable name: Insights' own for the default codes, else the SIS's code."""
        return dict(Program.choices).get(self.program_assigned, self.program_assigned)

    @property
    def program_category(self) -> str:
        """What the district's program codes (ProgramCode) say this student's program is.

        Read from the ``mapped_program_category`` annotation when the query fetched it
        (``with_program_category``), else looked up once (one query) and kept.
        """
        if "mapped_program_category" not in self.__dict__:
            self.mapped_program_category = program_category_of(self.program_assigned)
        return self.mapped_program_category or ProgramCategory.REGULAR

    def age_on(self, day: datetime.date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def students_identified_by(identifier: str):
    """The students an SIS local id, a state id or a name identifies, for people who see no student pages.

    An exact SIS local id or state id names one student. Otherwise every word must start the
    first or last name, without regard to case or accents ("alvarez mateo", "Muñoz").
    """
    text = " ".join(identifier.split())
    if not text:
        return Student.objects.none()
    by_id = Student.objects.filter(Q(local_id=text) | Q(state_id=text))
    if by_id.exists():
        return by_id
    matches = Q()
    for word in text.replace(",", " ").split()[:4]:
        typed = folded(Value(word, output_field=models.CharField()))
        matches &= Q(first_folded__startswith=typed) | Q(last_folded__startswith=typed)
    named = Student.objects.alias(first_folded=folded("first_name"), last_folded=folded("last_name"))
    return named.filter(matches).order_by("last_name", "first_name", "local_id")


def special_education_students() -> Q:
    """Students whose program the district counts as special education (students.models.programs)."""
    return Q(program_assigned__in=programs_in(ProgramCategory.SPECIAL_EDUCATION))


def current_english_learner_students() -> Q:
    """Students learning English now: limited proficiency, or in a program counted as an English-learner one."""
    return Q(limited_english_proficiency=EnglishProficiency.LIMITED) | Q(
        program_assigned__in=programs_in(ProgramCategory.ENGLISH_LEARNER)
    )


def former_english_learner_students() -> Q:
    """Former English learners (FLEP, transitioning or not) who are in no English-learner program now."""
    former = Q(limited_english_proficiency__in=[EnglishProficiency.FLEP, EnglishProficiency.FLEP_TRANSITIONING])
    return former & ~current_english_learner_students()


def english_learner_students() -> Q:
    """English learners: not fluent in English, or in a program the district counts as an English-learner one."""
    return ~Q(limited_english_proficiency=EnglishProficiency.FLUENT) | Q(
        program_assigned__in=programs_in(ProgramCategory.ENGLISH_LEARNER)
    )
