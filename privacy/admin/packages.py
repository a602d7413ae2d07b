"""Packages in the admin: ask for a family's record or a breach notification package, and watch them run.

Both are jobs on the queue (privacy/runs.py); the page returns at once, the list shows each run's
progress, and the finished file is the asker's one-time download (mailed and listed under Downloads).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from audit.forms import BreachScopeForm
from audit.recorder import record_denied
from insights.admin_mixins import ViewOnlyAdminMixin
from privacy.admin.shared import OperatorsOnlyMixin, StudentByLocalIdMixin
from privacy.downloads import download_path
from privacy.models import PackageRun
from privacy.operators import may_operate
from privacy.runs import request_breach_package, request_family_record


class FamilyRecordForm(StudentByLocalIdMixin, forms.Form):
    """The student whose record to prepare."""


@admin.register(PackageRun)
class PackageRunAdmin(OperatorsOnlyMixin, ViewOnlyAdminMixin, admin.ModelAdmin):
    list_filter = ("kind", "status")
    actions = None
    change_list_template = "admin/privacy/packagerun/change_list.html"
    exclude = ("student",)

    @admin.display(description="progress")
    def progress(self, run):
        return f"{run.progress_percent}% {run.progress_stage}".strip()

    def get_list_display(self, request):
        @admin.display(description="download")
        def link(run):
            """Only the asker's own file, while it can still be downloaded."""
            download = run.download
            if download is None or download.owner_id != request.user.pk or not download.is_available:
                return ""
            return format_html('<a href="{}">Download</a>', download_path(download))

        return ("__str__", "status", "progress", "student_count", "requested_by", "created_at", link)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by", "download")

    def get_urls(self):
        pages = [
            path("family-record/", self.admin_site.admin_view(self.family_record_view), name="privacy_family_record"),
            path("breach/", self.admin_site.admin_view(self.breach_view), name="privacy_breach_package"),
        ]
        return pages + super().get_urls()

    def _form_page(self, request, form, title: str, intro: str, submit: str):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "intro": intro,
            "submit": submit,
            "form": form,
            "adminform": AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
        }
        return TemplateResponse(request, "admin/privacy/package_form.html", context)

    def _queued(self, request, run: PackageRun):
        self.message_user(
            request,
            f"{run} is being prepared. When it is ready you are mailed its one-time download link; "
            "it is also listed here and under Downloads.",
            messages.SUCCESS,
        )
        return redirect(reverse("admin:privacy_packagerun_changelist"))

    def family_record_view(self, request):
        if not may_operate(request.user):
            raise_denied()
        form = FamilyRecordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            return self._queued(request, request_family_record(actor=request.user, student=form.student))
        return self._form_page(
            request,
            form,
            "Prepare a family's record",
            "Everything Insights holds on one student, as a PDF and CSV files, with the record of who saw it. "
            "Log the family's request under Access requests first to track its due date.",
            "Prepare the record",
        )

    def breach_view(self, request):
        if not may_operate(request.user):
            raise_denied()
        form = BreachScopeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            return self._queued(request, request_breach_package(actor=request.user, parameters=form.parameters()))
        return self._form_page(
            request,
            form,
            "Prepare a breach notification package",
            "The account and/or network that was misused and the days it was misused: every student whose data "
            "it was shown, their families' contacts for a mail merge, the categories of data, and draft letters.",
            "Prepare the package",
        )


def raise_denied():
    record_denied()
    raise PermissionDenied
