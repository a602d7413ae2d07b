"""The district's own codes, mapped to what Insights means by them: which programs count as
special education and which as English-learner programs is the district's to say.

``CodeMapping`` is the shape every vocabulary's table shares (a code as the SIS exports it, a label,
and the category it maps to); ``ProgramCode`` is the first. The access policy's SPED-only and
EL-only narrowing, the roster filters and the reasons all read ``ProgramCode`` through the helpers
here, so changing a mapping in the admin changes all three at once. A code with no row maps to
"regular".
"""

from django.db import models
from django.db.models import Q


class CodeMapping(models.Model):
    """One code of one vocabulary as the district's SIS exports it, and what it stands for."""

    code = models.CharField(max_length=40, unique=True, help_text="Exactly as the SIS export spells it.")
    label = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.code  # a district's code, never anything about a student


class ProgramCategory(models.TextChoices):
    SPECIAL_EDUCATION = "special_education", "Special education"
    ENGLISH_LEARNER = "english_learner", "English learner program"
    REGULAR = "regular", "Regular education (neither)"


class ProgramCode(CodeMapping):
    """A program code (a student's ``program_assigned``) and whether it is special education, an
    English-learner program, or neither."""

    category = models.CharField(max_length=20, choices=ProgramCategory.choices, default=ProgramCategory.REGULAR)

    class Meta(CodeMapping.Meta):
        verbose_name = "program code"
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=[choice.value for choice in ProgramCategory]),
                name="program_code_category_known",
            )
        ]


def programs_in(category: ProgramCategory) -> models.QuerySet:
    """The codes mapped to the category, as a subquery."""
    return ProgramCode.objects.filter(category=category).values("code")


def program_category_of(code: str) -> str:
    """The category a code maps to (one query); an unmapped code is regular."""
    found = ProgramCode.objects.filter(code=code).values_list("category", flat=True).first()
    return found or ProgramCategory.REGULAR


def with_program_category(students: models.QuerySet) -> models.QuerySet:
    """The students with their program's category fetched in the same query (for ``Student.program_category``)."""
    return students.annotate(
        mapped_program_category=models.Subquery(
            ProgramCode.objects.filter(code=models.OuterRef("program_assigned")).values("category")[:1]
        )
    )
