"""Admin pieces the student and educator admins plug in, so access is managed where people look for it.

- ``EducatorAccessAdminMixin`` for the Educator admin: the access summary ("can see 412 students:
  schoolwide at Baker K-8; restricted notes"), the educator's grants with their reasons (each
  linking to its grant page to change or revoke) and links to grant more;
- ``GrantObjectPermissionsAdminMixin`` for the School, SchoolGrade, Homeroom, Section and Student
  admins: guardian's "Object permissions" pages, for district admins only, limited to the
  object's visibility permission, granting and revoking through permissions.services with a reason;
- ``HomeroomGrantSyncAdminMixin`` / ``SectionGrantSyncAdminMixin``: re-derive the SIS grants when a
  homeroom's teacher or a section's teachers change in the admin.
"""

import functools

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from guardian.admin import AdminUserObjectPermissionsForm, GuardedModelAdminMixin

from audit.recorder import record_objects, record_students
from permissions.admin import REASON_HELP, ManagersOnlyAdmin
from permissions.containers import students_in
from permissions.kinds import GRANT_KINDS, KIND_BY_MODEL, KIND_BY_TARGET, object_label, visibility_grants
from permissions.models import GrantSource
from permissions.reasons import access_summary
from permissions.services import (
    can_manage_grants,
    clean_expiry,
    grant_access,
    record_grants_deleted_with,
    revoke_access,
)
from permissions.sync import sync_homeroom_grants, sync_section_grants


# --- the educator's access panel -------------------------------------------------------------------
class EducatorGrantInline(ManagersOnlyAdmin, admin.TabularInline):
    """One kind of grant the educator holds, read-only here: each row links to its page to change or revoke."""

    fk_name = "user"
    extra = 0
    can_delete = False
    readonly_fields = ("attached_to", "reason", "source", "granted_by", "granted_at", "expires_at", "change_link")
    fields = readonly_fields

    def get_queryset(self, request):
        kind = KIND_BY_MODEL[self.model]
        return (
            super()
            .get_queryset(request)
            .filter(permission__codename=kind.codename)
            .select_related("granted_by", *kind.related)
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="attached to")
    def attached_to(self, grant):
        return object_label(KIND_BY_MODEL[self.model], grant.content_object)

    @admin.display(description="")
    def change_link(self, grant):
        url = reverse(f"{self.admin_site.name}:permissions_{self.model._meta.model_name}_change", args=[grant.pk])
        return format_html('<a href="{}">change or revoke</a>', url)


GRANT_INLINES = [
    type(f"Educator{kind.model.__name__}Inline", (EducatorGrantInline,), {"model": kind.model}) for kind in GRANT_KINDS
]


class EducatorAccessAdminMixin:
    """For the Educator admin: what the educator can see and why, their grants, links to grant more.

    A mixin before the ModelAdmin (its ``super()`` calls reach it, hence the type ignores below).
    """

    admin_site: admin.AdminSite

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        if obj is not None and can_manage_grants(request.user):
            fieldsets.append(("Access to students", {"fields": ["access_summary", "grant_links"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "access_summary", "grant_links"]  # type: ignore[misc]

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))  # type: ignore[misc]
        return inlines + GRANT_INLINES if obj is not None and can_manage_grants(request.user) else inlines

    @admin.display(description="can see")
    def access_summary(self, educator):
        return access_summary(educator)

    @admin.display(description="grant access")
    def grant_links(self, educator):
        links = [
            (
                reverse(f"{self.admin_site.name}:permissions_{kind.model._meta.model_name}_add"),
                educator.pk,
                kind.model._meta.verbose_name,
            )
            for kind in GRANT_KINDS
        ]
        roles = reverse(f"{self.admin_site.name}:permissions_roletemplate_changelist")
        return format_html(
            '{} · or <a href="{}">assign a role</a> (a grant with its permissions)',
            format_html_join(" · ", '<a href="{}?user={}">{}</a>', links),
            roles,
        )


# --- guardian's object-permission pages --------------------------------------------------------------
class GrantObjectPermissionsForm(AdminUserObjectPermissionsForm):
    """Guardian's per-user form, limited to the object's visibility permission, with a reason and expiry."""

    def __init__(self, user, obj, *args, actor, **kwargs):
        self.actor = actor
        self.kind = KIND_BY_TARGET[type(obj)]
        self.grant = visibility_grants(self.kind).filter(user=user, content_object=obj).first()
        super().__init__(user, obj, *args, **kwargs)
        self.fields["expires_at"] = forms.SplitDateTimeField(
            required=False,
            widget=AdminSplitDateTime,
            initial=self.grant.expires_at if self.grant is not None else None,
            help_text="Leave empty for a grant that does not expire.",
        )
        self.fields["reason"] = forms.CharField(max_length=300, help_text=REASON_HELP)

    def get_obj_perms_field_choices(self):
        return [(self.kind.codename, self.kind.model._meta.verbose_name)]

    def get_obj_perms_field_initial(self):
        return [self.kind.codename] if self.grant is not None else []

    def clean_expires_at(self):
        return clean_expiry(self.cleaned_data["expires_at"])

    def clean(self):
        cleaned = super().clean() or {}
        if self.grant is not None and self.grant.source == GrantSource.SIS and not cleaned.get("permissions"):
            raise ValidationError("This grant follows the SIS teaching assignment; change the assignment instead.")
        return cleaned

    def save_obj_perms(self):
        # The object's students are the ones this grant change affects: the page's access event names them.
        record_objects(str(self.obj._meta.model_name), [self.obj.pk])
        record_students(students_in(type(self.obj), [self.obj.pk]), kind="changed")
        if self.cleaned_data["permissions"]:
            grant_access(
                actor=self.actor,
                educator=self.user,
                kind=self.kind.key,
                obj=self.obj,
                reason=self.cleaned_data["reason"],
                expires_at=self.cleaned_data["expires_at"],
            )
        elif self.grant is not None:
            revoke_access(actor=self.actor, grant=self.grant, reason=self.cleaned_data["reason"])


class GrantObjectPermissionsAdminMixin(GuardedModelAdminMixin):
    """For the School, SchoolGrade, Homeroom, Section and Student admins: guardian's "Object permissions"
    pages, for district admins only, listing the object's grants with reasons and granting through
    permissions.services. Groups are not offered: the policy reads user grants only."""

    obj_perms_manage_template = "admin/permissions/obj_perms_manage.html"

    def _require_manager(self, request):
        if not can_manage_grants(request.user):
            raise PermissionDenied

    def obj_perms_manage_view(self, request, object_pk):
        self._require_manager(request)
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        self._require_manager(request)
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        raise Http404("Group grants are not used.")

    def get_obj_perms_base_context(self, request, obj):
        context = super().get_obj_perms_base_context(request, obj)
        kind = KIND_BY_TARGET[type(obj)]
        context["grant_kind"] = kind.model._meta.verbose_name
        context["grants"] = (
            visibility_grants(kind)
            .filter(content_object=obj)
            .select_related("user", "granted_by")
            .order_by("user__email")
        )
        return context

    def get_obj_perms_manage_user_form(self, request):
        return functools.partial(GrantObjectPermissionsForm, actor=request.user)

    def delete_model(self, request, obj):
        record_grants_deleted_with(obj, actor=request.user)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_grants_deleted_with(obj, actor=request.user)
        super().delete_queryset(request, queryset)  # type: ignore[misc]


# --- keeping SIS grants in step with admin edits -------------------------------------------------------
class HomeroomGrantSyncAdminMixin:
    """For the Homeroom admin: a new homeroom teacher gets the homeroom grant, the previous one loses it."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        sync_homeroom_grants(obj, actor=request.user)


class SectionGrantSyncAdminMixin:
    """For the Section admin (teachers edited inline): the section's teachers get its grant, others lose it."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        sync_section_grants(form.instance, actor=request.user)
