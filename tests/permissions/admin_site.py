"""A test admin site with the permissions mixins plugged into plain model admins, as the lead's admins will.

Keeps the mixins' tests independent of how students/admin.py and educators/admin.py are written.
"""

from django.contrib import admin
from django.contrib.auth.models import Group

from educators.models import Educator
from permissions.admin_mixins import (
    EducatorAccessAdminMixin,
    GrantObjectPermissionsAdminMixin,
    HomeroomGrantSyncAdminMixin,
    SectionGrantSyncAdminMixin,
)
from permissions.kinds import GRANT_KINDS
from permissions.models import RoleTemplate
from permissions.policy import visible_students
from students.models import EducatorSectionAssignment, Homeroom, School, Section, Student

site = admin.AdminSite(name="permissions_test_admin")


class EducatorAdmin(EducatorAccessAdminMixin, admin.ModelAdmin):
    fieldsets = [(None, {"fields": ["email", "full_name"]})]


class SchoolAdmin(GrantObjectPermissionsAdminMixin, admin.ModelAdmin):
    pass


class HomeroomAdmin(HomeroomGrantSyncAdminMixin, GrantObjectPermissionsAdminMixin, admin.ModelAdmin):
    fields = ["school", "name", "grade", "educator"]


class TeacherInline(admin.TabularInline):
    model = EducatorSectionAssignment
    extra = 0


class SectionAdmin(SectionGrantSyncAdminMixin, GrantObjectPermissionsAdminMixin, admin.ModelAdmin):
    fields = ["course", "section_number", "term_local_id", "school_year", "schedule"]
    inlines = [TeacherInline]


class StudentAdmin(GrantObjectPermissionsAdminMixin, admin.ModelAdmin):
    fields = ["local_id"]

    def get_queryset(self, request):
        return visible_students(request.user)


site.register(Educator, EducatorAdmin)
site.register(School, SchoolAdmin)
site.register(Homeroom, HomeroomAdmin)
site.register(Section, SectionAdmin)
site.register(Student, StudentAdmin)
for model in [*(kind.model for kind in GRANT_KINDS), RoleTemplate, Group]:
    site.register(model, type(admin.site._registry[model]))
