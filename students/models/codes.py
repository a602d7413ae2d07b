"""The district's other vocabularies, mapped to what Insights means by them (programs are in programs.py).

Each table maps a code exactly as the district's SIS exports it to Insights' own categories; the
import (students/sis/codes.py) applies them in SQL while a package is staged, keeps the raw code
next to the mapped value, and reports codes no table knows. Seeded with Student Insights' and
Massachusetts' values and the CEDS option sets (students/migrations/0005_code_mappings.py).
"""

from django.db import models
from django.db.models import Q

from students.models.grades import GRADE_CHOICES, GRADE_CODES
from students.models.programs import CodeMapping
from students.models.student import Plan504Status


def _known(field: str, choices) -> Q:
    return Q(**{f"{field}__in": [value for value, _label in choices]})


class AttendanceCategory(models.TextChoices):
    ABSENCE = "absence", "Absence"
    TARDY = "tardy", "Tardy"
    DISMISSED = "dismissed", "Dismissed (left early)"


class AttendanceCode(CodeMapping):
    """An attendance code: which kind of event it records, and whether the code itself means excused."""

    category = models.CharField(max_length=20, choices=AttendanceCategory.choices)
    excused = models.BooleanField(
        default=False, help_text="The code means excused; otherwise the file's excused column decides."
    )

    class Meta(CodeMapping.Meta):
        constraints = [
            models.CheckConstraint(
                condition=_known("category", AttendanceCategory.choices), name="attendance_code_category_known"
            )
        ]


class IncidentCategory(models.TextChoices):
    """CEDS Incident Behavior, grouped."""

    VIOLENCE = "violence", "Violence or physical aggression"
    WEAPONS = "weapons", "Weapons"
    SUBSTANCES = "substances", "Alcohol, tobacco or drugs"
    BULLYING = "bullying", "Bullying or harassment"
    DISRUPTION = "disruption", "Disruption or defiance"
    PROPERTY = "property", "Theft or property damage"
    ATTENDANCE = "attendance", "Truancy or skipping class"
    OTHER = "other", "Other"


class FreeTextCodeMapping(CodeMapping):
    """A vocabulary the SIS spells in words (incident codes and places, assessment names): longer codes."""

    code = models.CharField(max_length=80, unique=True, help_text="Exactly as the SIS export spells it.")

    class Meta(CodeMapping.Meta):
        abstract = True


class IncidentCode(FreeTextCodeMapping):
    """A discipline incident code and the kind of behaviour it records."""

    category = models.CharField(max_length=20, choices=IncidentCategory.choices)

    class Meta(FreeTextCodeMapping.Meta):
        constraints = [
            models.CheckConstraint(
                condition=_known("category", IncidentCategory.choices), name="incident_code_category_known"
            )
        ]


class LocationCategory(models.TextChoices):
    """CEDS Incident Location, with the on-campus places Student Insights distinguishes."""

    CLASSROOM = "classroom", "Classroom"
    HALLWAY = "hallway", "Hallway or stairs"
    CAFETERIA = "cafeteria", "Cafeteria"
    RESTROOM = "restroom", "Restroom or locker room"
    OUTDOORS = "outdoors", "Playground or grounds"
    GYM = "gym", "Gym"
    BUS = "bus", "School bus or bus stop"
    OTHER_ON_SCHOOL = "on_school", "Elsewhere on school property"
    SCHOOL_ACTIVITY = "school_activity", "School-sponsored activity off school property"
    OFF_SCHOOL = "off_school", "Off school property"


class IncidentLocation(FreeTextCodeMapping):
    """A discipline incident location code and the kind of place it names."""

    category = models.CharField(max_length=20, choices=LocationCategory.choices)

    class Meta(FreeTextCodeMapping.Meta):
        constraints = [
            models.CheckConstraint(
                condition=_known("category", LocationCategory.choices), name="incident_location_category_known"
            )
        ]


class GradeCode(CodeMapping):
    """A grade code (``KG``, ``05``, CEDS ``PK``…) and the Insights grade it is."""

    grade = models.CharField(max_length=2, choices=GRADE_CHOICES)

    class Meta(CodeMapping.Meta):
        constraints = [models.CheckConstraint(condition=Q(grade__in=GRADE_CODES), name="grade_code_grade_known")]


class AssessmentFamily(models.TextChoices):
    MCAS = "MCAS", "MCAS"
    STAR = "STAR", "STAR"
    ACCESS = "ACCESS", "ACCESS for ELLs"


class AssessmentName(FreeTextCodeMapping):
    """An assessment's name as the SIS exports it (``assessment_family``), and the family and subject it is."""

    family = models.CharField(max_length=10, choices=AssessmentFamily.choices)
    subject = models.CharField(
        max_length=20,
        blank=True,
        help_text="Blank: the file's assessment_subject says (MCAS ELA/Math, STAR Reading/Math).",
    )

    class Meta(FreeTextCodeMapping.Meta):
        constraints = [
            models.CheckConstraint(
                condition=_known("family", AssessmentFamily.choices), name="assessment_name_family_known"
            )
        ]


class Plan504Code(CodeMapping):
    """A 504 status code (students.csv ``plan_504``) and what it says about the student's 504 plan."""

    status = models.CharField(max_length=10, choices=Plan504Status.choices, blank=True)

    class Meta(CodeMapping.Meta):
        verbose_name = "504 status code"
        constraints = [
            models.CheckConstraint(condition=_known("status", Plan504Status.choices), name="plan_504_code_status_known")
        ]
