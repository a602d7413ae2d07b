"""Django admin for educator accounts: district admins create, deactivate and inspect accounts.

Accounts are never deleted in bulk; deactivate instead (inactive educators cannot sign in and
see no students).
"""

from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group

from educators.admin_actions import send_enrolment_links, send_invitations
from educators.emails import validate_new_account_email
from educators.models import Educator
from permissions.admin_mixins import EducatorAccessAdminMixin
from permissions.privileges import (
    FLAGS,
    group_permissions,
    privilege_snapshot,
    record_factor_removed,
    record_group_permission_changes,
    record_privilege_changes,
)
from students.admin import WithoutBulkDelete

PRIVILEGE_FIELDS = frozenset((*FLAGS, "groups", "user_permissions"))


class EducatorCreationForm(forms.ModelForm):
    """New accounts get no password: the educator sets one through an invitation link."""

    class Meta:
        model = Educator
        fields = ["email", "full_name", "staff_type", "home_school"]

    def clean_email(self):
        email = validate_new_account_email(self.cleaned_data["email"])
        if Educator.objects.by_email(email).exists():
            raise forms.ValidationError("An educator with this email address already exists.")
        return email

    def save(self, commit=True):
        educator = super().save(commit=False)
        educator.set_unusable_password()
        if commit:
            educator.save()
        return educator


class EducatorChangeForm(UserChangeForm):
    """The change form, with the reason every change to the account's privileges must give."""

    access_change_reason = forms.CharField(
        required=False,
        max_length=300,
        label="Reason for an access change",
        help_text="Required when you change the flags, groups or permissions above; kept in the audit log.",
    )

    def clean(self):
        cleaned = super().clean()
        if PRIVILEGE_FIELDS & set(self.changed_data) and not cleaned.get("access_change_reason", "").strip():
            self.add_error("access_change_reason", "Say why: every change to an account's access needs a reason.")
        return cleaned


@admin.register(Educator)
class EducatorAdmin(EducatorAccessAdminMixin, WithoutBulkDelete, UserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "staff_type", "home_school", "is_active", "is_staff"]
    list_filter = ["is_active", "staff_type", "home_school", "is_staff", "sped_only", "english_learners_only"]
    search_fields = ["email", "full_name", "=local_id"]
    list_select_related = ["home_school"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "local_id", "staff_type", "home_school", "is_active"]}),
        ("Narrowing flags", {"fields": ["sped_only", "english_learners_only"]}),
        ("Admin site", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Why", {"fields": ["access_change_reason"]}),
        ("Activity", {"fields": ["last_login", "date_joined"]}),
    ]
    form = EducatorChangeForm
    add_form = EducatorCreationForm
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "staff_type", "home_school"]}),
    ]
    filter_horizontal = ["groups", "user_permissions"]
    actions = [send_invitations, send_enrolment_links]

    def save_model(self, request, obj, form, change):
        """Note the account's privileges before the change; save_related records the difference."""
        form.privileges_before = privilege_snapshot(obj.pk) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # groups and permissions are saved here
        if form.privileges_before is not None:
            record_privilege_changes(
                actor=request.user,
                educator=form.instance,
                before=form.privileges_before,
                after=privilege_snapshot(form.instance.pk),
                reason=form.cleaned_data["access_change_reason"].strip(),
            )


admin.site.unregister(Group)


@admin.register(Group)
class RecordedGroupAdmin(GroupAdmin):
    """Changing a group's permissions changes every member's privileges: each member gets the record."""

    def save_model(self, request, obj, form, change):
        form.permissions_before = group_permissions(obj.pk) if change else []
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record_group_permission_changes(
            actor=request.user,
            group=form.instance,
            before=form.permissions_before,
            after=group_permissions(form.instance.pk),
        )


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class RecordedAuthenticatorAdmin(AuthenticatorAdmin):
    """Second factors can be looked at and removed here (a lost phone), never added or edited: each removal is
    recorded. Enrolment belongs to the account's owner."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        record_factor_removed(actor=request.user, educator=obj.user, factor_type=obj.type)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for authenticator in queryset.select_related("user"):
            record_factor_removed(actor=request.user, educator=authenticator.user, factor_type=authenticator.type)
        super().delete_queryset(request, queryset)
