"""The grant pages of the Django admin: district admins grant and revoke access, always with a reason.

Only holders of ``permissions.manage_grants`` see or change grants here. Adding and changing go
through permissions.services.grant_access, revoking through revoke_access, so every change needs
a reason and is recorded in the audit log; grants derived from the SIS are read-only (they follow
the teaching assignments). What the educator and student admins plug in is in admin_mixins.py.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from permissions.kinds import GRANT_KINDS, KIND_BY_MODEL, live_grants, object_label
from permissions.models import GrantSource, StudentGrant
from permissions.services import can_manage_grants, clean_expiry, grant_access, revoke_access, student_by_local_id

REASON_HELP = "Why this change: kept in the audit log with your name."


class ManagersOnlyAdmin:
    """Grant pages exist only for district admins."""

    def has_module_permission(self, request):
        return can_manage_grants(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_grants(request.user)


# --- grant pages -----------------------------------------------------------------------------------
class GrantForm(forms.ModelForm):
    """Add a grant, or change a hand-made one's reason and expiry; the reason is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reason" in self.fields:  # not on the read-only page of an SIS grant
            self.fields["reason"].required = True
            self.fields["reason"].help_text = REASON_HELP

    def clean_expires_at(self):
        return clean_expiry(self.cleaned_data["expires_at"])

    def clean(self):
        cleaned = super().clean() or {}
        target = self.target()
        if self.instance.pk is None and cleaned.get("user") and target is not None:
            kind = KIND_BY_MODEL[self._meta.model]
            if live_grants(kind).filter(user=cleaned["user"], content_object=target).exists():
                raise ValidationError("This educator already holds this grant: change it instead.")
        return cleaned

    def target(self):
        return self.cleaned_data.get("content_object")


class StudentGrantForm(GrantForm):
    """A single-student grant names the student by SIS local id: the admin granting it need not see the student."""

    student_local_id = forms.CharField(label="student's SIS local id", max_length=40)

    def clean_student_local_id(self):
        student = student_by_local_id(self.cleaned_data["student_local_id"])
        if student is None:
            raise ValidationError("No student has this local id.")
        self.instance.content_object = student
        return self.cleaned_data["student_local_id"]

    def target(self):
        return self.instance.content_object if "student_local_id" in self.cleaned_data else None


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text=REASON_HELP, widget=forms.TextInput(attrs={"size": 60}))


class GrantAdmin(ManagersOnlyAdmin, admin.ModelAdmin):
    """One grant table. Adding and changing go through grant_access, deleting through revoke_access."""

    form = GrantForm
    list_display = ["user", "object_label", "reason", "source", "granted_by", "granted_at", "expires_at", "is_live"]
    list_filter = ["source", ("expires_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__full_name", "reason"]
    raw_id_fields = ["user"]
    date_hierarchy = "granted_at"
    delete_confirmation_template = "admin/permissions/grant_delete_confirmation.html"
    target_fields = ["content_object"]

    @property
    def kind(self):
        return KIND_BY_MODEL[self.model]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(permission__codename=self.kind.codename)
            .select_related("user", "granted_by", *self.kind.related)
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # every revocation needs its own reason
        return actions

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", *self.target_fields, "reason", "expires_at"]
        return ["user", "object_label", "source", "granted_by", "granted_at", "reason", "expires_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = ["user", "object_label", "source", "granted_by", "granted_at"]
        return fixed if obj.source == GrantSource.MANUAL else [*fixed, "reason", "expires_at"]

    def has_add_permission(self, request):
        return can_manage_grants(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_grants(request.user) and (obj is None or obj.source == GrantSource.MANUAL)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    @admin.display(description="attached to")
    def object_label(self, grant):
        return object_label(self.kind, grant.content_object)

    @admin.display(description="live", boolean=True)
    def is_live(self, grant):
        return grant.expires_at is None or grant.expires_at > timezone.now()

    def save_model(self, request, obj, form, change):
        grant = grant_access(
            actor=request.user,
            educator=obj.user,
            kind=self.kind.key,
            obj=obj.content_object,
            reason=form.cleaned_data["reason"],
            expires_at=form.cleaned_data["expires_at"],
        )
        obj.pk = grant.pk

    def delete_view(self, request, object_id, extra_context=None):
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and not form.is_valid():
            request.POST = QueryDict()  # no reason given: show the confirmation again, with the error
        return super().delete_view(request, object_id, {**(extra_context or {}), "revoke_form": form})

    def delete_model(self, request, obj):
        revoke_access(actor=request.user, grant=obj, reason=request.POST["reason"])


class StudentGrantAdmin(GrantAdmin):
    form = StudentGrantForm
    target_fields = ["student_local_id"]
    list_display = ["user", "student_local_id", *GrantAdmin.list_display[2:]]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("content_object")
            .only(
                *(f.name for f in StudentGrant._meta.concrete_fields),
                "user__email",
                "user__full_name",
                "granted_by__email",
                "granted_by__full_name",
                "content_object__local_id",
            )
        )

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj is None else [fields[0], "student_local_id", *fields[1:]]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else [*fields, "student_local_id"]

    @admin.display(description="student's SIS local id")
    def student_local_id(self, grant):
        return grant.content_object.local_id


for _kind in GRANT_KINDS:
    admin.site.register(
        _kind.model,
        type(
            f"{_kind.model.__name__}Admin",
            (StudentGrantAdmin if _kind.model is StudentGrant else GrantAdmin,),
            {"raw_id_fields": ["user", "content_object"]} if _kind.key in ("homeroom", "section") else {},
        ),
    )
