"""The demo district's access grants: the cast's roles, and SIS-derived homeroom and section grants.

Part of DemoDistrictBuilder (students/demo/generate.py).
"""

import datetime

from django.contrib.auth.models import Permission

from permissions.kinds import GRANT_KINDS, visibility_permission
from permissions.models import (
    DistrictGrant,
    GrantSource,
    HomeroomGrant,
    SchoolGradeGrant,
    SchoolGrant,
    SectionGrant,
    StudentGrant,
)
from permissions.sync import SIS_REASON
from students.demo import BATCH_SIZE, cast


class GrantsMixin:
    def _grants(self):
        permission = {kind.model: visibility_permission(kind) for kind in GRANT_KINDS}
        district_perm, school_perm = permission[DistrictGrant], permission[SchoolGrant]
        grade_perm, homeroom_perm = permission[SchoolGradeGrant], permission[HomeroomGrant]
        section_perm, student_perm = permission[SectionGrant], permission[StudentGrant]
        admin = self.cast_educators["admin"]
        grade_by_key = {(g.school.local_id, g.grade): g for g in self.school_grades}
        students_by_key = dict(zip([p.key for p in cast.STUDENTS], self.students, strict=False))
        grants: dict[type, list] = {model: [] for model in permission}
        manual = {"granted_by": admin, "source": GrantSource.MANUAL}
        for person in cast.EDUCATORS:
            educator = self.cast_educators[person.key]
            if person.district_grant:
                grants[DistrictGrant].append(
                    DistrictGrant(
                        user=educator,
                        permission=district_perm,
                        content_object=self.district,
                        reason="Districtwide role",
                        **manual,
                    )
                )
            for sid in person.school_grants:
                grants[SchoolGrant].append(
                    SchoolGrant(
                        user=educator,
                        permission=school_perm,
                        content_object=self.school_by_id[sid],
                        reason=person.staff_type.replace("_", " ").capitalize(),
                        **manual,
                    )
                )
            for key in person.grade_grants:
                grants[SchoolGradeGrant].append(
                    SchoolGradeGrant(
                        user=educator,
                        permission=grade_perm,
                        content_object=grade_by_key[key],
                        reason="Grade-level team",
                        **manual,
                    )
                )
        for counselor in self.generated_counselors:
            grants[SchoolGrant].append(
                SchoolGrant(
                    user=counselor,
                    permission=school_perm,
                    content_object=counselor.home_school,
                    reason="Counselor",
                    **manual,
                )
            )
        sis = {"source": GrantSource.SIS, "reason": SIS_REASON}
        for homeroom in self.homerooms:
            grants[HomeroomGrant].append(
                HomeroomGrant(user=homeroom.educator, permission=homeroom_perm, content_object=homeroom, **sis)
            )
        for section in self.sections:
            grants[SectionGrant].append(
                SectionGrant(
                    user=self.section_teacher[section.pk], permission=section_perm, content_object=section, **sis
                )
            )
        for educator_key, student_key, reason, days in cast.STUDENT_GRANTS:
            grants[StudentGrant].append(
                StudentGrant(
                    user=self.cast_educators[educator_key],
                    permission=student_perm,
                    content_object_id=students_by_key[student_key].pk,
                    reason=reason,
                    expires_at=self.now + datetime.timedelta(days=days) if days is not None else None,
                    **manual,
                )
            )
        for model, rows in grants.items():
            model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            self.summary.rows[model._meta.verbose_name_plural] = len(rows)
        self._global_permissions()

    def _global_permissions(self):
        def permission(app_label: str, codename: str) -> Permission:
            return Permission.objects.get(content_type__app_label=app_label, codename=codename)

        restricted = permission("students", "view_restricted_notes")
        who_has_access = permission("students", "view_educators_with_access")
        manage_grants = permission("permissions", "manage_grants")
        audit_reports = permission("audit", "view_audit_reports")
        privacy_operations = permission("privacy", "privacy_operations")
        reviews = permission("permissions", "review_school_access")
        for person in cast.EDUCATORS:
            educator = self.cast_educators[person.key]
            if person.restricted_notes:
                educator.user_permissions.add(restricted)
            if person.sees_educators_with_access:
                educator.user_permissions.add(who_has_access)
            if person.manages_grants:
                educator.user_permissions.add(manage_grants)
            if person.reads_audit_reports:
                educator.user_permissions.add(audit_reports)
            if person.runs_privacy_operations:
                educator.user_permissions.add(privacy_operations)
            if person.reviews_school_access:
                educator.user_permissions.add(reviews)
