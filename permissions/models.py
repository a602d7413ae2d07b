"""Access grants, stored as django-guardian direct foreign-key object permissions.

One table per kind of container a grant can be attached to (district, school, school grade,
homeroom, section, single student), so the policy can join them on indexed columns in SQL.
Each grant also says why it exists, who made it and, optionally, when it expires.
"""

from typing import Any

from django.conf import settings
from django.db import models
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
        return f"{type(self).__name__} #{self.pk}"


class DistrictGrant(Grant):
    content_object = models.ForeignKey("students.District", on_delete=models.CASCADE, related_name="grants")

    class Meta(Grant.Meta):
        verbose_name = "districtwide grant"
        # The district admin's role: a global permission, declared here because it governs every grant table.
        permissions = [("manage_grants", "May grant and revoke educators' access to students")]


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
