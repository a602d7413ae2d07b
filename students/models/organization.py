"""The containers that hold students: the district, its schools, grades within a school, homerooms.

Each is also a place an access grant can be attached to (see permissions/).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from students.models.grades import GRADE_CHOICES, GRADE_CODES


class DistrictManager(models.Manager):
    def current(self) -> "District":
        """The district this instance serves, created from DISTRICT_KEY/DISTRICT_NAME on first use."""
        district, _created = self.get_or_create(
            singleton=True, defaults={"key": settings.DISTRICT_KEY, "name": settings.DISTRICT_NAME}
        )
        return district


class District(models.Model):
    """The one district this instance serves (from DISTRICT_KEY / DISTRICT_NAME)."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    objects = DistrictManager()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(singleton=True), name="district_is_singleton")]
        permissions = [("view_district_students", "May see every student in the district")]

    def __str__(self):
        return self.name


class SchoolType(models.TextChoices):
    ELEMENTARY = "ES", "Elementary school"
    K8 = "K8", "K-8 school"
    MIDDLE = "MS", "Middle school"
    HIGH = "HS", "High school"
    OTHER = "OTHER", "Other"


class School(models.Model):
    SchoolType = SchoolType

    local_id = models.CharField("SIS local id", max_length=40, unique=True)
    name = models.CharField(max_length=200)
    school_type = models.CharField(max_length=8, choices=SchoolType.choices)

    class Meta:
        ordering = ["name"]
        permissions = [("view_school_students", "May see every student enrolled at the school")]
        constraints = [
            models.CheckConstraint(
                condition=Q(school_type__in=[choice.value for choice in SchoolType]), name="school_type_known"
            ),
            models.CheckConstraint(condition=~Q(local_id=""), name="school_local_id_not_blank"),
        ]

    def __str__(self):
        return self.name


class SchoolGrade(models.Model):
    """One grade at one school: what a grade-level team lead is granted access to."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="grades")
    grade = models.CharField(max_length=2, choices=GRADE_CHOICES)

    class Meta:
        ordering = ["school__name", "grade"]
        permissions = [("view_grade_students", "May see the active students of the grade at the school")]
        constraints = [
            models.UniqueConstraint(fields=["school", "grade"], name="school_grade_unique"),
            models.CheckConstraint(condition=Q(grade__in=GRADE_CODES), name="school_grade_code_known"),
        ]

    def __str__(self):
        return f"Grade {self.get_grade_display()} at {self.school}"


class Homeroom(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="homerooms")
    name = models.CharField(max_length=60)
    grade = models.CharField(max_length=2, choices=GRADE_CHOICES, blank=True)
    educator = models.ForeignKey(
        "educators.Educator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homerooms",
        help_text="The homeroom teacher, from the SIS.",
    )

    class Meta:
        ordering = ["school__name", "name"]
        permissions = [("view_homeroom_students", "May see the active students in the homeroom")]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="homeroom_name_unique_per_school"),
            models.CheckConstraint(condition=Q(grade="") | Q(grade__in=GRADE_CODES), name="homeroom_grade_code_known"),
        ]

    def __str__(self):
        return f"Homeroom {self.name}"
