"""Courses and sections (high-school scheduling) and who is assigned to each section."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Course(models.Model):
    school = models.ForeignKey("students.School", on_delete=models.PROTECT, related_name="courses")
    course_number = models.CharField(max_length=40)
    description = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["school__name", "course_number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "course_number"], name="course_number_unique_per_school")
        ]

    def __str__(self):
        return self.course_number


class Section(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sections")
    section_number = models.CharField(max_length=40)
    term_local_id = models.CharField("term", max_length=20, help_text="e.g. FY, S1, S2, Q1")
    school_year = models.PositiveSmallIntegerField(help_text="The calendar year the school year starts in.")
    schedule = models.CharField(max_length=40, blank=True, help_text="Period or block, e.g. 3")
    room_number = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["course__course_number", "section_number"]
        permissions = [("view_section_students", "May see the active students assigned to the section")]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "section_number", "term_local_id", "school_year"], name="section_unique_per_term"
            ),
            models.CheckConstraint(condition=Q(school_year__gte=1990, school_year__lte=2200), name="section_year_sane"),
        ]
        indexes = [models.Index(fields=["school_year", "course"], name="section_year_course_idx")]

    def __str__(self):
        return f"{self.course.course_number}-{self.section_number}"

    @property
    def label(self) -> str:
        period = f" period {self.schedule}" if self.schedule else ""
        return f"{self.course.course_number}-{self.section_number}{period}"


class StudentSectionAssignment(models.Model):
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="section_assignments")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="student_assignments")
    grade_numeric = models.DecimalField(
        "grade in section",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    grade_letter = models.CharField(max_length=4, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "section"], name="student_section_unique"),
            models.CheckConstraint(
                condition=Q(grade_numeric__isnull=True) | Q(grade_numeric__gte=0, grade_numeric__lte=100),
                name="student_section_grade_0_100",
            ),
        ]
        indexes = [models.Index(fields=["section", "student"], name="section_student_idx")]

    def __str__(self):
        return f"assignment #{self.pk}"


class EducatorSectionAssignment(models.Model):
    educator = models.ForeignKey("educators.Educator", on_delete=models.CASCADE, related_name="section_assignments")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="educator_assignments")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["educator", "section"], name="educator_section_unique")]

    def __str__(self):
        return f"teaching assignment #{self.pk}"
