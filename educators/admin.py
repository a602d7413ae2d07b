"""Django admin for educator accounts: district admins create, deactivate and inspect accounts.

Accounts are never deleted in bulk; deactivate instead (inactive educators cannot sign in and
see no students).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from educators.admin_actions import send_invitations
from educators.models import Educator
from permissions.admin_mixins import EducatorAccessAdminMixin
from students.admin import WithoutBulkDelete


class EducatorCreationForm(forms.ModelForm):
    """New accounts get no password: the educator sets one through an invitation link."""

    class Meta:
        model = Educator
        fields = ["email", "full_name", "staff_type", "home_school"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Educator.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An educator with this email address already exists.")
        return email

    def save(self, commit=True):
        educator = super().save(commit=False)
        educator.set_unusable_password()
        if commit:
            educator.save()
        return educator


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
        ("Activity", {"fields": ["last_login", "date_joined"]}),
    ]
    add_form = EducatorCreationForm
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "staff_type", "home_school"]}),
    ]
    filter_horizontal = ["groups", "user_permissions"]
    actions = [send_invitations]
