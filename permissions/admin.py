"""The grant pages of the Django admin: district admins grant and revoke access, always with a reason.

Only holders of ``permissions.manage_grants`` see or change grants here. Adding and changing go
through permissions.services.grant_access, revoking through revoke_access, so every change needs
a reason and is recorded in the audit log; grants derived from the SIS are read-only (they follow
the teaching assignments). The educator and what the grant is on are picked by name from
searchable lists (admin_search.py), the form shows the grant's reach before it is saved, and the
pages and messages speak in words ("Homeroom K-101 at Ashford Elementary grant for Kelly Moreau
revoked: left the school"). What the educator and student admins plug in is in admin_mixins.py.
"""

import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from permissions import admin_search
from permissions.admin_search import search_url
from permissions.kinds import GRANT_KINDS, KIND_BY_MODEL, grant_words, live_grants, object_label
from permissions.models import GrantSource, StudentGrant
from permissions.services import can_manage_grants, clean_expiry, grant_access, revoke_access
from permissions.targets import container_label, educator_label, name_if_visible, reach

REASON_HELP = "Why this change: kept in the audit log with your name."


class ManagersOnlyAdmin:
    """Grant pages exist only for district admins."""

    def has_module_permission(self, request):
        return can_manage_grants(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_grants(request.user)


# --- grant pages -----------------------------------------------------------------------------------
class GrantTargetSelect(AutocompleteSelect):
    """The admin's autocomplete widget, asking the grant page's own search (admin_search.py): it searches
    only what a district admin may grant, names students only to admins who may see them, and records
    student searches."""

    def get_url(self):
        return search_url(self.admin_site.name, KIND_BY_MODEL[self.field.model])


class NamedChoiceField(forms.ModelChoiceField):
    """A choice shown by the words ``name(obj)`` give it (the chosen educator or target, when the form comes back)."""

    def __init__(self, *args, name, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = name

    def label_from_instance(self, obj) -> str:
        return self.name(obj)


class GrantForm(forms.ModelForm):
    """Add a grant, or change a hand-made one's reason and expiry; the reason is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = KIND_BY_MODEL[self._meta.model]
        if "reason" in self.fields:  # not on the read-only page of an SIS grant
            self.fields["reason"].required = True
            self.fields["reason"].help_text = REASON_HELP
        if "user" in self.fields:  # only when adding
            self.fields["user"].label, self.fields["user"].help_text = "educator", "Search by name or email."
            self.fields["content_object"].label = TARGET_NAMES[kind.key]
            self.fields["content_object"].help_text = TARGET_HELP[kind.key]

    def clean_expires_at(self):
        return clean_expiry(self.cleaned_data["expires_at"])

    def clean(self):
        cleaned = super().clean() or {}
        target = cleaned.get("content_object")
        if self.instance.pk is None and cleaned.get("user") and target is not None:
            kind = KIND_BY_MODEL[self._meta.model]
            if live_grants(kind).filter(user=cleaned["user"], content_object=target).exists():
                raise ValidationError("This educator already holds this grant: change it instead.")
        return cleaned


TARGET_NAMES = {
    "district": "district",
    "school": "school",
    "grade": "grade at a school",
    "homeroom": "homeroom",
    "section": "section",
    "student": "student",
}
TARGET_HELP = {
    "district": "The whole district.",
    "school": "Search by name or SIS id.",
    "grade": "Search by school and grade, e.g. “Baker 3”.",
    "homeroom": "Search by homeroom, school or teacher.",
    "section": "Search by course number, course name or school.",
    "student": "Search by SIS local id (by name among the students you may see yourself).",
}


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text=REASON_HELP, widget=forms.TextInput(attrs={"size": 60}))


class GrantAdmin(ManagersOnlyAdmin, admin.ModelAdmin):
    """One grant table. Adding and changing go through grant_access, deleting through revoke_access."""

    form = GrantForm
    list_display = ["grant", "reason", "source", "granted_by", "granted_at", "expires_at", "is_live"]
    list_filter = ["source", ("expires_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__full_name", "reason"]
    date_hierarchy = "granted_at"
    delete_confirmation_template = "admin/permissions/grant_delete_confirmation.html"

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

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        lookups = [
            path("search/", self.admin_site.admin_view(self.search_view), name=f"{name}_search"),
            path("reach/", self.admin_site.admin_view(self.reach_view), name=f"{name}_reach"),
        ]
        return lookups + super().get_urls()

    def search_view(self, request):
        return admin_search.search(request, self.kind)

    def reach_view(self, request):
        return admin_search.reach_view(request, self.kind)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("user", "content_object"):
            kwargs["widget"] = GrantTargetSelect(db_field, self.admin_site)
            # A chosen student stays opaque ("Student #12"); the search names them to those who may see them.
            name = educator_label if db_field.name == "user" else functools.partial(container_label, self.kind)
            kwargs["form_class"] = functools.partial(NamedChoiceField, name=name)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @property
    def media(self):
        return super().media + admin_search.REACH_MEDIA

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "content_object", "reach", "reason", "expires_at"]
        return ["user", "object_label", "source", "granted_by", "granted_at", "reason", "expires_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["reach"]
        fixed = ["user", "object_label", "source", "granted_by", "granted_at"]
        return fixed if obj.source == GrantSource.MANUAL else [*fixed, "reason", "expires_at"]

    def has_add_permission(self, request):
        return can_manage_grants(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_grants(request.user) and (obj is None or obj.source == GrantSource.MANUAL)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    @admin.display(description="grant")
    def grant(self, grant):
        return self.words(grant)

    def words(self, grant) -> str:
        """The grant in words on this admin's pages (a single-student grant names its student where the admin may)."""
        return str(grant)

    @admin.display(description="this grant will show")
    def reach(self, grant):
        prompt = "Choose an educator and what the grant is on to see how many students it will show."
        url = admin_search.reach_url(self.admin_site.name, self.kind)
        return format_html('<span id="grant-reach" data-url="{}" data-prompt="{}">{}</span>', url, prompt, prompt)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        """The admin's "The grant “…” was added" becomes the change in words, with its reason."""
        if level == messages.SUCCESS and getattr(request, "grant_change_words", None):
            message = request.grant_change_words
        super().message_user(request, message, level, *args, **kwargs)

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
        if change:
            request.grant_change_words = f"{self.words(grant)} changed: {grant.reason}."
        else:
            shown = reach(self.kind, grant.content_object, grant.user).students
            plural = "" if shown == 1 else "s"
            request.grant_change_words = (
                f"{self.words(grant)} given: {grant.reason}. It shows {shown:,} student{plural}."
            )

    def delete_view(self, request, object_id, extra_context=None):
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and not form.is_valid():
            request.POST = QueryDict()  # no reason given: show the confirmation again, with the error
        return super().delete_view(request, object_id, {**(extra_context or {}), "revoke_form": form})

    def delete_model(self, request, obj):
        reason = request.POST["reason"].strip()
        request.grant_change_words = f"{self.words(obj)} revoked: {reason}."
        revoke_access(actor=request.user, grant=obj, reason=reason)


class StudentGrantAdmin(GrantAdmin):
    """Single-student grants: the student by SIS local id, and by name only where the admin may see them."""

    list_display = ["grant", "student_local_id", *GrantAdmin.list_display[1:]]

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
            .annotate(student_name=name_if_visible(request.user, "content_object"))
        )

    def words(self, grant) -> str:
        name = getattr(grant, "student_name", "")
        return grant_words(grant, f"{name}, {grant.content_object.local_id}" if name else grant.content_object.local_id)

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
            {},
        ),
    )


# The role templates' pages build on the grant forms above.
from permissions import admin_roles  # noqa: E402, F401
