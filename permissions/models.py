"""Access grants, stored as django-guardian direct foreign-key object permissions.

One table per kind of container a grant can be attached to (district, school, school grade,
homeroom, section, single student), so the policy can join them on indexed columns in SQL.
Each grant also says why it exists, who made it and, optionally, when it expires.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from guardian.models import UserObjectPermissionBase


class GrantSource(models.TextChoices):
    MANUAL = "manual", "Granted by an administrator"
    SIS = "sis", "Derived from SIS assignments"


class Grant(UserObjectPermissionBase):
    reason = models.CharField(max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Leave empty for a grant that does not expire.")
    source = models.CharField(max_length=10, choices=GrantSource.choices, default=GrantSource.MANUAL)
    # Each table's own foreign key to what its grants are attached to (a School, a Section, ...).
    content_object: Any

    class Meta(UserObjectPermissionBase.Meta):
        abstract = True

    def __str__(self):
        # In words ("Homeroom K-101 at Ashford Elementary grant for Kelly Moreau"), never a student's name:
        # the words live beside the rules of each kind, which import this module.
        from permissions.kinds import grant_words

        return grant_words(self)


class DistrictGrant(Grant):
    content_object = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="grants")

    class Meta(Grant.Meta):
        verbose_name = "districtwide grant"
        # The district admin's role: a global permission, declared here because it governs every grant table.
        permissions = [
            ("manage_grants", "May grant and revoke educators' access to students"),
            ("view_as_educator", "May see Insights as another educator sees it, read-only, to support them"),
        ]


class SchoolGrant(Grant):
    content_object = models.ForeignKey("students.School", on_delete=models.CASCADE, related_name="grants")

    class Meta(Grant.Meta):
        verbose_name = "schoolwide grant"


class SchoolGradeGrant(Grant):
    content_object = models.ForeignKey("students.SchoolGrade", on_delete=models.CASCADE, related_name="grants")

    class Meta(Grant.Meta):
        verbose_name = "grade-level grant"


class HomeroomGrant(Grant):
    content_object = models.ForeignKey("students.Homeroom", on_delete=models.CASCADE, related_name="grants")

    class Meta(Grant.Meta):
        verbose_name = "homeroom grant"


class SectionGrant(Grant):
    content_object = models.ForeignKey("students.Section", on_delete=models.CASCADE, related_name="grants")

    class Meta(Grant.Meta):
        verbose_name = "section grant"


class StudentGrant(Grant):
    content_object = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="grants")

    class Meta(Grant.Meta):
        verbose_name = "single-student grant"


class RoleTemplate(models.Model):
    """A named role ("Counselor"): the grant it gives, at which kind of place, and the group of global
    permissions and account flags that go with it, so an admin assigns "counselor at Baker K-8" in one step.

    The permissions live in a Django group of the same name (edited on the group's page, each change
    recorded for every member); assigning the role adds the educator to the group, gives the grant and
    sets the flags (permissions/roles.py). Editing a template changes what later assignments give, not
    what earlier ones gave.
    """

    class GrantKind(models.TextChoices):
        NONE = "", "no grant (permissions only)"
        DISTRICT = "district", "districtwide"
        SCHOOL = "school", "schoolwide, at a school"
        GRADE = "grade", "grade level, at a school's grade"
        HOMEROOM = "homeroom", "homeroom, on a homeroom"
        SECTION = "section", "section, on a section"

    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    grant_kind = models.CharField(
        "grant", max_length=10, choices=GrantKind.choices, blank=True, help_text="The grant the role gives."
    )
    group = models.OneToOneField(
        "auth.Group",
        on_delete=models.PROTECT,
        related_name="role_template",
        help_text="The role's global permissions (restricted notes, audit reports, ...).",
    )
    sped_only = models.BooleanField(
        "limits to special-education students",
        default=False,
        help_text="Sets the educator's narrowing flag, which narrows every grant they hold but districtwide.",
    )
    english_learners_only = models.BooleanField(
        "limits to English learners",
        default=False,
        help_text="Sets the educator's narrowing flag, which narrows every grant they hold but districtwide.",
    )
    admin_site = models.BooleanField("gives the admin site", default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AccessReview(models.Model):
    """One round of reviewing one scope's grants: a school's (its principal reviews them) or the district's
    (districtwide and cross-school grants, and those of the school's own reviewers; a district admin reviews).

    Opened every quarter by a scheduled job (permissions/tasks.py); the reviewer keeps or revokes each grant
    with a reason by ``due_at``; what is still undecided at ``expires_unreviewed_at`` expires
    (permissions/reviews.py).
    """

    school = models.ForeignKey(
        "students.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_reviews",
        help_text="Empty for the district's review.",
    )
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    expires_unreviewed_at = models.DateTimeField(help_text="Grants not reviewed by then expire.")
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "school__name"]
        permissions = [
            ("review_school_access", "May review the grants at the schools where they hold schoolwide access")
        ]
        constraints = [
            # One open review per school, and one for the district (no school: 0).
            models.UniqueConstraint(
                Coalesce("school", 0), condition=models.Q(closed_at__isnull=True), name="one_open_review_per_scope"
            ),
        ]

    def __str__(self):
        where = self.school.name if self.school is not None else "the district"
        return f"Access review of {where}, opened {self.opened_at:%Y-%m-%d}"


class ReviewDecision(models.TextChoices):
    PENDING = "", "not reviewed yet"
    KEEP = "keep", "kept"
    REVOKE = "revoke", "revoked"
    EXPIRED = "expired", "expired unreviewed"
    GONE = "gone", "gone before review"


class AccessReviewItem(models.Model):
    """One grant under review, as it stood when the review opened, and what the reviewer decided."""

    review = models.ForeignKey(AccessReview, on_delete=models.PROTECT, related_name="items")
    grant_kind = models.CharField(max_length=10)
    grant_id = models.BigIntegerField(help_text="The grant row in its kind's table; not a foreign key.")
    educator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=300, help_text="The grant in words when the review opened.")
    source = models.CharField(max_length=10, choices=GrantSource.choices)
    granted_at = models.DateTimeField()
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "educator__full_name", "grant_kind", "grant_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "grant_kind", "grant_id"], name="review_item_unique_grant"),
        ]

    def __str__(self):
        return f"{self.label} ({self.get_decision_display()})"
