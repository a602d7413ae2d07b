"""The import pages in the admin: upload a package, watch it run, read its diff, approve or discard it.

Everything here needs ``sis.run_imports`` (superusers hold it too). Uploads are stored and handed
to the worker at once (insights/jobs.py), so no request waits for an import; the run's page polls
its progress. Row errors download as file/row/column/code only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode

import students.sis.sftp.admin  # noqa: F401 (registers the SFTP import sources' admin)
from insights.admin_mixins import ViewOnlyAdminMixin
from insights.csv import csv_attachment, write_csv
from students.sis.admin_access import ImportersOnlyAdminMixin
from students.sis.codes import VOCABULARIES
from students.sis.models import ImportRun
from students.sis.reader import PackageError
from students.sis.receive import receive_uploads
from students.sis.runs import discard_run, rerun_for_real
from students.sis.tasks import approve_import_job, run_import_job


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the pattern Django's file-upload docs give)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": ".zip,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        help_text="A zip of the package, or its CSV files including manifest.csv (docs/import-format.md).",
    )
    dry_run = forms.BooleanField(
        required=False, initial=True, help_text="Check the package and show what would change, without applying it."
    )


@admin.register(ImportRun)
class ImportRunAdmin(ImportersOnlyAdminMixin, ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "status",
        "dry_run",
        "source",
        "triggered_by",
        "created_at",
        "finished_at",
        "row_error_count",
    )
    list_filter = ("status", "dry_run", "source")
    ordering = ("-created_at",)

    def get_urls(self):
        own = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="sis_importrun_upload"),
            path("<int:run_id>/approve/", self.admin_site.admin_view(self.approve_view), name="sis_importrun_approve"),
            path("<int:run_id>/apply/", self.admin_site.admin_view(self.apply_view), name="sis_importrun_apply"),
            path("<int:run_id>/discard/", self.admin_site.admin_view(self.discard_view), name="sis_importrun_discard"),
            path("<int:run_id>/errors.csv", self.admin_site.admin_view(self.errors_view), name="sis_importrun_errors"),
            path(
                "<int:run_id>/progress/", self.admin_site.admin_view(self.progress_view), name="sis_importrun_progress"
            ),
        ]
        return own + super().get_urls()

    def _run(self, request, run_id) -> ImportRun:
        if not self._allowed(request):
            raise PermissionDenied
        return get_object_or_404(ImportRun, pk=run_id)

    def changelist_view(self, request, extra_context=None):
        extra = {"upload_url": reverse("admin:sis_importrun_upload")} if self._allowed(request) else {}
        return super().changelist_view(request, extra_context={**(extra_context or {}), **extra})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self._run(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(run),
            "run": run,
            "files": run.files.all(),
            "errors_by_code": _errors_by_code(run),
            "unmapped_codes": _unmapped_codes(run, request.user),
            "running": run.status in (ImportRun.Status.RECEIVED, ImportRun.Status.RUNNING),
        }
        return TemplateResponse(request, "admin/sis/run.html", context)

    def upload_view(self, request):
        if not self._allowed(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            run = receive_uploads(
                form.cleaned_data["files"],
                triggered_by=request.user,
                dry_run=form.cleaned_data["dry_run"],
                source="upload",
            )
            if run.status == ImportRun.Status.RECEIVED:
                run_import_job.defer(run_id=run.pk, actor_id=request.user.pk)
            else:
                messages.error(request, run.error)
            return redirect("admin:sis_importrun_change", run.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Upload a package"}
        return TemplateResponse(request, "admin/sis/upload.html", {**context, "form": form})

    def approve_view(self, request, run_id):
        run = self._run(request, run_id)
        if request.method != "POST":
            return redirect("admin:sis_importrun_change", run.pk)
        if run.status != ImportRun.Status.HELD:
            messages.error(request, "Only a held run can be approved.")
        else:
            approve_import_job.defer(run_id=run.pk, actor_id=request.user.pk)
            messages.success(request, f"{run} approved: it is being applied.")
        return redirect("admin:sis_importrun_change", run.pk)

    def apply_view(self, request, run_id):
        run = self._run(request, run_id)
        if request.method != "POST":
            return redirect("admin:sis_importrun_change", run.pk)
        try:
            fresh = rerun_for_real(run, actor=request.user)
        except PackageError as problem:
            messages.error(request, str(problem))
            return redirect("admin:sis_importrun_change", run.pk)
        run_import_job.defer(run_id=fresh.pk, actor_id=request.user.pk)
        return redirect("admin:sis_importrun_change", fresh.pk)

    def discard_view(self, request, run_id):
        run = self._run(request, run_id)
        if request.method == "POST":
            try:
                discard_run(run, actor=request.user)
                messages.success(request, f"{run} discarded; its files were deleted.")
            except PackageError as problem:
                messages.error(request, str(problem))
        return redirect("admin:sis_importrun_change", run.pk)

    def errors_view(self, request, run_id):
        run = self._run(request, run_id)
        response = csv_attachment(f"import-{run.pk}-errors.csv")
        rows = run.row_errors.values_list("file", "row_number", "column", "code").iterator()
        write_csv(response, ["file", "row_number", "column", "code"], rows)  # column names come from the upload
        return response

    def progress_view(self, request, run_id):
        run = self._run(request, run_id)
        return JsonResponse(
            {
                "status": run.status,
                "stage": run.progress_stage,
                "percent": run.progress_percent,
                "finished": run.status not in (ImportRun.Status.RECEIVED, ImportRun.Status.RUNNING),
            }
        )


def _unmapped_codes(run: ImportRun, user) -> list[tuple]:
    """(vocabulary, code, rows, link to map it or None) for each code the run found unmapped."""
    models = {vocabulary.name: vocabulary.model for vocabulary in VOCABULARIES}
    found = []
    for name, codes in run.unmapped_codes.get("codes", {}).items():
        model = models.get(name)
        may_map = model is not None and user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}")
        for code, rows in codes.items():
            link = None
            if may_map:
                link = (
                    reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
                    + "?"
                    + urlencode({"code": code})
                )
            found.append((name, code, rows, link))
    return found


def _errors_by_code(run: ImportRun) -> list[tuple]:
    return list(
        run.row_errors.values_list("file", "column", "code").annotate(count=Count("id")).order_by("file", "code")
    )
