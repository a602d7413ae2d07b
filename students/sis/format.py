"""The Insights CSV format, version 1, as data: every file, column, type and natural key.

docs/import-format.md describes the same thing for people; the reader (reader.py) checks packages
against it, and the typing statement (fields.py) turns each file's text into these columns' values. Other readers
(OneRoster, for instance) produce rows in these same shapes, so everything after parsing is shared.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from educators.models import Educator
from students.models.grades import GRADE_CODES
from students.models.organization import SchoolType
from students.models.student import (
    EnglishProficiency,
    EnrollmentStatus,
    FreeReducedLunch,
    Gender,
    Program,
    SpedLevelOfNeed,
)

FORMAT_VERSION = "1"
NULL_MARKERS = frozenset({"", "NULL", "\\N"})
TRUE_WORDS = frozenset({"true", "t", "1", "y", "yes"})
FALSE_WORDS = frozenset({"false", "f", "0", "n", "no"})
# Grade spellings other systems use for the codes Insights stores.
GRADE_ALIASES = {"KG": "KF", "K": "KF", "PK3": "PK", "PK4": "PK", "01": "1", "02": "2", "03": "3", "04": "4"}
GRADE_ALIASES |= {f"0{n}": str(n) for n in range(5, 10)}


@dataclass(frozen=True)
class Column:
    """One column: its SQL type in staging, whether it is required, and what values it takes.

    The typing statement (fields.py) applies these rules in SQL, for whole files and for a reader
    that checks a field before it translates it (``field_errors``).
    """

    name: str
    kind: str = "text"  # text, date, time, bool, int, decimal, enum, email
    required: bool = False
    max_length: int = 200
    choices: tuple[str, ...] = ()
    aliases: dict = field(default_factory=dict)
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    not_future: bool = False
    default: object = None

    @property
    def sql_type(self) -> str:
        return {"date": "date", "time": "time", "bool": "boolean", "int": "integer", "decimal": "numeric"}.get(
            self.kind, "text"
        )


@dataclass(frozen=True)
class FileSpec:
    """One file of the package: its columns, natural key and what a row missing from it means."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    missing: str  # what the docs say happens to live rows absent from the file
    window: bool = False  # event files declare a date window in the manifest

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)


def text(name, max_length=200, **options) -> Column:
    return Column(name, "text", max_length=max_length, **options)


def enum(name, choices, **options) -> Column:
    return Column(name, "enum", choices=tuple(choices), **options)


def date(name, **options) -> Column:
    return Column(name, "date", **options)


SCHOOL_REF = text("school_local_id", 40, required=True)
STUDENT_REF = text("local_id", 40, required=True)
SECTION_KEY = (
    SCHOOL_REF,
    text("course_number", 40, required=True),
    text("section_number", 40, required=True),
    text("term_local_id", 20, required=True),
    Column("school_year", "int", required=True, minimum=1990, maximum=2200),
)
SECTION_KEY_NAMES = tuple(column.name for column in SECTION_KEY)

FILES = (
    FileSpec(
        "schools",
        (
            text("school_local_id", 40, required=True),
            text("name", 200, required=True),
            enum("school_type", SchoolType.values, required=True),
        ),
        key=("school_local_id",),
        missing="kept; reported",
    ),
    FileSpec(
        "educators",
        (
            Column("email", "email", required=True),
            text("full_name", 200, required=True),
            text("local_id", 40),
            enum("staff_type", Educator.StaffType.values, default=Educator.StaffType.TEACHER),
            text("school_local_id", 40),
            text("homeroom", 60),
            enum("homeroom_grade", GRADE_CODES, aliases=GRADE_ALIASES, default=""),
        ),
        key=("email",),
        missing="flagged missing_from_last_export; never deleted",
    ),
    FileSpec(
        "students",
        (
            STUDENT_REF,
            text("state_id", 40),
            SCHOOL_REF,
            text("first_name", 100, required=True),
            text("last_name", 100, required=True),
            date("date_of_birth", not_future=True),
            date("registration_date", not_future=True),
            enum("gender", Gender.values, default=""),
            text("grade", 40, required=True),  # a grade code: GradeCode maps it
            enum("enrollment_status", EnrollmentStatus.values, required=True),
            text("homeroom", 60),
            Column("counselor", "email"),
            text("house", 40, default=""),
            text("home_language", 60, default=""),
            text("race", 100, default=""),
            Column("hispanic_latino", "bool"),
            enum("free_reduced_lunch", FreeReducedLunch.values, default=FreeReducedLunch.NOT_ELIGIBLE),
            text("program_assigned", 40, default=Program.REGULAR),  # ProgramCode says what it counts as
            text("sped_placement", 100, default=""),
            text("disability", 100, default=""),
            enum("sped_level_of_need", SpedLevelOfNeed.values, default=""),
            text("plan_504", 40, default=""),  # Plan504Code maps it
            enum("english_proficiency", EnglishProficiency.values, default=EnglishProficiency.FLUENT),
            date("ell_entry_date", not_future=True),
            text("primary_phone", 40, default=""),
            Column("primary_email", "email", default=""),
            text("address", 500, default=""),
            text("guardian_name", 200, default=""),
        ),
        key=("local_id",),
        missing="flagged missing_from_last_export; never deleted",
    ),
    FileSpec(
        "sections",
        (
            *SECTION_KEY,
            text("course_description", 200, default=""),
            text("course_subject", 80, default=""),
            text("schedule", 40, default=""),
            text("room_number", 40, default=""),
        ),
        key=SECTION_KEY_NAMES,
        missing="kept",
    ),
    FileSpec(
        "student_section_assignments",
        (
            STUDENT_REF,
            *SECTION_KEY,
            Column("grade_numeric", "decimal", minimum=0, maximum=100),
            text("grade_letter", 4, default=""),
        ),
        key=("local_id", *SECTION_KEY_NAMES),
        missing="deleted when the section's school is in scope",
    ),
    FileSpec(
        "educator_section_assignments",
        (Column("email", "email", required=True), *SECTION_KEY),
        key=("email", *SECTION_KEY_NAMES),
        missing="deleted when the section's school is in scope",
    ),
    FileSpec(
        "attendance",
        (
            STUDENT_REF,
            SCHOOL_REF,
            date("event_date", required=True, not_future=True),
            text("attendance_code", 40, required=True),  # AttendanceCode maps it
            Column("excused", "bool", default=False),
            text("reason", 200, default=""),
        ),
        key=("local_id", "event_date", "attendance_code"),
        missing="deleted when inside the declared window and the student's school is in scope",
        window=True,
    ),
    FileSpec(
        "discipline_incidents",
        (
            text("incident_id", 40, required=True),
            STUDENT_REF,
            SCHOOL_REF,
            date("incident_date", required=True, not_future=True),
            Column("incident_time", "time"),
            text("incident_code", 80, required=True),
            text("incident_location", 80, default=""),
            text("incident_description", 4000, default=""),
        ),
        key=("incident_id", "local_id"),
        missing="deleted when inside the declared window and the student's school is in scope",
        window=True,
    ),
    FileSpec(
        "assessments",
        (
            STUDENT_REF,
            text("assessment_family", 80, required=True),  # an assessment name: AssessmentName maps it
            text("assessment_subject", 20),
            date("date_taken", required=True, not_future=True),
            Column("time_taken", "time"),
            Column("scale_score", "int", minimum=0, maximum=9999),
            text("performance_level", 40, default=""),
            Column("growth_percentile", "int", minimum=1, maximum=99),
            Column("percentile_rank", "int", minimum=1, maximum=99),
            text("grade_equivalent", 8, default=""),
            Column("proficiency_level", "decimal", minimum=Decimal(1), maximum=Decimal(6)),
        ),
        key=("local_id", "assessment_family", "assessment_subject", "date_taken", "time_taken"),
        missing="kept (assessment history is never deleted)",
    ),
    FileSpec(
        "programs",
        (
            text("plan_source_id", 40, required=True),
            STUDENT_REF,
            enum("program", ("sped_iep", "section_504", "english_learner"), required=True),
            date("begin_date", required=True),
            date("end_date"),
            text("case_manager", 200, default=""),
            enum("el_proficiency_level", EnglishProficiency.values),
        ),
        key=("plan_source_id",),
        missing="plans deleted when the student's school is in scope",
    ),
    FileSpec(
        "accommodations",
        (
            text("accommodation_id", 40, required=True),
            text("plan_source_id", 40, required=True),
            STUDENT_REF,
            text("description", 500, required=True),
        ),
        key=("accommodation_id",),
        missing="removed from the plan with the plan's other rows",
    ),
)
FILE_BY_NAME = {spec.name: spec for spec in FILES}
FILE_BY_FILENAME = {spec.filename: spec for spec in FILES}
MANIFEST_FILENAME = "manifest.csv"
