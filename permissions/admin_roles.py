"""The role templates' admin pages (district admins edit the roles and assign one in a single step), and
the access reviews' list, which links to each review's page.

"Assign" on a role opens a form asking whom and where ("Counselor" → Nora Quinn at Baker K-8), with
the same searchable lists and reach preview as the grant forms; saving goes through
permissions.role_templates.assign_role, so the grant, the group and the flags change together and
each change is a grant change event. The role's permissions are its group's, edited on the group's
page (which records each change for every member).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from educators.models import Educator
from insights.admin_mixins import ViewOnlyAdminMixin
from permissions import admin_search
from permissions.admin import (
    REASON_HELP,
    TARGET_HELP,
    TARGET_NAMES,
    GrantTargetSelect,
    ManagersOnlyAdmin,
    NamedChoiceField,
)
from permissions.kinds import KIND_BY_KEY
from permissions.models import AccessReview, DistrictGrant, ReviewDecision, RoleTemplate
from permissions.role_templates import assign_role, target_model
from permissions.services import can_manage_grants, clean_expiry
from permissions.targets import container_label, educator_label


class AssignRoleForm(forms.Form):
    """Whom to give the role, and where: the educator and (for a role with a grant) what it is on."""

    def __init__(self, *args, template: RoleTemplate, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        kind = KIND_BY_KEY[template.grant_kind] if template.grant_kind else None
        grant_model = kind.model if kind is not None else DistrictGrant  # any grant page searches educators
        self.fields["user"] = NamedChoiceField(
            queryset=Educator.objects.filter(is_active=True),
            name=educator_label,
            label="educator",
            help_text="Search by name or email.",
            widget=GrantTargetSelect(grant_model._meta.get_field("user"), admin_site),
        )
        if kind is not None:
            self.fields["content_object"] = NamedChoiceField(
                queryset=target_model(template).objects.all(),
                name=lambda obj: container_label(kind, obj),
                label=TARGET_NAMES[kind.key],
                help_text=TARGET_HELP[kind.key],
                widget=GrantTargetSelect(kind.model._meta.get_field("content_object"), admin_site),
            )
            self.fields["expires_at"] = forms.SplitDateTimeField(
                label="grant expires",
                required=False,
                widget=AdminSplitDateTime,
                help_text="Leave empty for a grant that does not expire.",
            )
        self.fields["reason"] = forms.CharField(max_length=250, help_text=REASON_HELP)

    def clean_expires_at(self):
        return clean_expiry(self.cleaned_data["expires_at"])


@admin.register(RoleTemplate)
class RoleTemplateAdmin(ManagersOnlyAdmin, admin.ModelAdmin):
    """The district's roles: what each gives, who holds it, and a link to assign it."""

    list_display = ["name", "grant_kind", "permissions", "flags", "holders", "assign_link"]
    fields = ["name", "description", "grant_kind", "sped_only", "english_learners_only", "admin_site", "permissions"]
    readonly_fields = ["permissions"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        holders = Count("group__user", filter=Q(group__user__is_active=True))  # counted in SQL, not per row
        return (
            super()
            .get_queryset(request)
            .select_related("group")
            .prefetch_related("group__permissions")
            .annotate(holder_count=holders)
        )

    def has_add_permission(self, request):
        return can_manage_grants(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_grants(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # its holders keep the group; a role nobody should get is renamed or left unassigned

    def save_model(self, request, obj, form, change):
        """A new role gets a group of its own name; a renamed role renames its group."""
        if not change:
            obj.group = Group.objects.create(name=obj.name)
        elif "name" in form.changed_data:
            obj.group.name = obj.name
            obj.group.save(update_fields=["name"])
        super().save_model(request, obj, form, change)

    @admin.display(description="permissions")
    def permissions(self, template):
        if template.pk is None:
            return "Saved with a group of its own, whose permissions you then choose."
        names = sorted(permission.name for permission in template.group.permissions.all()) or ["none"]
        url = reverse(f"{self.admin_site.name}:auth_group_change", args=[template.group_id])
        return format_html('{} (<a href="{}">change the group\'s permissions</a>)', "; ".join(names), url)

    @admin.display(description="sets")
    def flags(self, template):
        flags = [
            (label,)
            for label, on in (
                ("special-education students only", template.sped_only),
                ("English learners only", template.english_learners_only),
                ("admin site", template.admin_site),
            )
            if on
        ]
        return format_html_join(", ", "{}", flags) or "—"

    @admin.display(description="holders")
    def holders(self, template):
        return template.holder_count

    @admin.display(description="")
    def assign_link(self, template):
        url = reverse(f"{self.admin_site.name}:permissions_roletemplate_assign", args=[template.pk])
        return format_html('<a href="{}">assign</a>', url)

    def get_urls(self):
        assign = self.admin_site.admin_view(self.assign_view)
        return [path("<int:object_id>/assign/", assign, name="permissions_roletemplate_assign"), *super().get_urls()]

    def assign_view(self, request, object_id):
        if not can_manage_grants(request.user):
            raise PermissionDenied
        template = get_object_or_404(RoleTemplate, pk=object_id)
        form = AssignRoleForm(request.POST or None, template=template, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            educator = form.cleaned_data["user"]
            assignment = assign_role(  # the form has checked what assign_role would refuse
                actor=request.user,
                educator=educator,
                template=template,
                target=form.cleaned_data.get("content_object"),
                reason=form.cleaned_data["reason"],
                expires_at=form.cleaned_data.get("expires_at"),
            )
            words = assignment.words(educator)
            self.message_user(request, f"{words}: {form.cleaned_data['reason'].strip()}.", messages.SUCCESS)
            return redirect(f"{self.admin_site.name}:educators_educator_change", educator.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Assign the {template.name} role",
            "opts": self.opts,
            "template": template,
            "form": form,
            "media": self.media + form.media + admin_search.REACH_MEDIA,
            "reach_url": admin_search.reach_url(self.admin_site.name, KIND_BY_KEY[template.grant_kind])
            if template.grant_kind
            else "",
        }
        return TemplateResponse(request, "admin/permissions/roletemplate/assign.html", context)


@admin.register(AccessReview)
class AccessReviewAdmin(ManagersOnlyAdmin, ViewOnlyAdminMixin, admin.ModelAdmin):
    """The reviews, for district admins to follow: decisions are made on each review's own page."""

    list_display = ["__str__", "due_at", "expires_unreviewed_at", "left", "closed_at", "page"]
    list_filter = [("closed_at", admin.EmptyFieldListFilter)]

    def get_queryset(self, request):
        pending = Count("items", filter=Q(items__decision=ReviewDecision.PENDING))
        return super().get_queryset(request).select_related("school").annotate(pending=pending)

    @admin.display(description="left to review")
    def left(self, review):
        return review.pending

    @admin.display(description="")
    def page(self, review):
        return format_html('<a href="{}">review page</a>', reverse("permissions:access_review", args=[review.pk]))
