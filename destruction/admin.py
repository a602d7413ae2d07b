"""Destruction, legal holds, tombstones, retention sweeps and exit exports in the admin, for privacy officers only.

Every page needs ``privacy.privacy_operations`` held explicitly (privacy/operators.py). Nothing is
edited in place: each button calls the service that checks, records and does the work
(destruction/services.py, tombstones.py, retention.py, exits.py), and a refusal is shown as the
page's error message. Files (certificates, exit exports) go out as one-time download links.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from destruction.exits import request_exit_export
from destruction.models import Destruction, ExitExport, LegalHold, RetentionSweep, Tombstone
from destruction.refusals import DestructionRefused
from destruction.retention import sweep
from destruction.services import (
    approve_destruction,
    cancel_destruction,
    deliver_certificate,
    lift_legal_hold,
    place_legal_hold,
    request_student_destruction,
    student_by_local_id,
)
from destruction.tombstones import lift_tombstone
from insights.admin_mixins import ViewOnlyAdminMixin
from privacy.admin import OperatorsOnlyMixin
from privacy.downloads import download_path
from privacy.operators import may_operate


class StudentByLocalIdForm(forms.Form):
    student_local_id = forms.CharField(
        label="Student's SIS local id", max_length=40, help_text="The id the SIS and the student's profile show."
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def clean_student_local_id(self):
        try:
            self.student = student_by_local_id(self.cleaned_data["student_local_id"])
        except DestructionRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return self.cleaned_data["student_local_id"]


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300)


class ExitExportForm(forms.Form):
    include_restricted = forms.BooleanField(
        required=False,
        help_text="Include restricted note text, decrypted. Only when the district asks for it in writing.",
    )


class PrivacyAdmin(OperatorsOnlyMixin, ViewOnlyAdminMixin, admin.ModelAdmin):
    """A view-only list for privacy officers, with pages of its own for what people do with the rows."""

    actions = None
    change_list_template = "admin/destruction/change_list.html"

    def _page(self, request, title: str, form, *, submit: str, intro: str = ""):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "submit": submit,
            "intro": intro,
        }
        return TemplateResponse(request, "admin/destruction/form.html", context)

    def _refused(self, request, refused: Exception) -> None:
        self.message_user(request, str(refused), messages.ERROR)

    def _require(self, request) -> None:
        if not may_operate(request.user):
            raise PermissionDenied

    def _url(self, name: str, *args) -> str:
        return reverse(f"admin:destruction_{name}", args=args)


@admin.register(Destruction)
class DestructionAdmin(PrivacyAdmin):
    list_display = (
        "__str__",
        "kind",
        "status",
        "requested_by_email",
        "requested_at",
        "approved_by_email",
        "destroyed_at",
        "rows",
    )
    list_filter = ("kind", "status")
    change_form_template = "admin/destruction/destruction/change_form.html"
    fields = (
        "kind",
        "status",
        "reason",
        "students",
        "requested_by_name",
        "requested_by_email",
        "requested_at",
        "approved_by_name",
        "approved_by_email",
        "approved_at",
        "destroyed_at",
        "table_counts",
        "backups_expire_on",
        "error",
    )
    readonly_fields = fields

    @admin.display(description="rows destroyed")
    def rows(self, destruction):
        return destruction.total_rows if destruction.status == Destruction.Status.DONE else ""

    @admin.display(description="students (Insights ids)")
    def students(self, destruction):
        if destruction.kind == Destruction.Kind.DISTRICT:
            return f"all {len(destruction.student_ids)}"
        label = " (destroyed record)" if destruction.status == Destruction.Status.DONE else ""
        return ", ".join(f"#{student_id}{label}" for student_id in destruction.student_ids[:200])

    @admin.display(description="rows per table")
    def table_counts(self, destruction):
        return format_html_join(mark_safe("<br>"), "{}: {}", sorted(destruction.counts.items())) or "—"

    def get_urls(self):
        own = [
            path("request/", self.admin_site.admin_view(self.request_view), name="destruction_destruction_request"),
            path(
                "<int:pk>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="destruction_destruction_approve",
            ),
            path(
                "<int:pk>/cancel/", self.admin_site.admin_view(self.cancel_view), name="destruction_destruction_cancel"
            ),
            path(
                "<int:pk>/certificate/",
                self.admin_site.admin_view(self.certificate_view),
                name="destruction_destruction_certificate",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        links = [(self._url("destruction_request"), "Request the destruction of a student's record")]
        return super().changelist_view(request, {**(extra_context or {}), "destruction_links": links})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        destruction = self.get_object(request, object_id)
        extra = {
            "may_approve": destruction is not None
            and destruction.status == Destruction.Status.REQUESTED
            and destruction.requested_by_id != request.user.pk,
            "may_cancel": destruction is not None and destruction.status == Destruction.Status.REQUESTED,
            "has_certificate": destruction is not None and destruction.status == Destruction.Status.DONE,
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def request_view(self, request):
        self._require(request)
        form = StudentByLocalIdForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                destruction = request_student_destruction(
                    actor=request.user, student=form.student, reason=form.cleaned_data["reason"]
                )
            except DestructionRefused as refused:
                self._refused(request, refused)
            else:
                self.message_user(request, f"{destruction} requested: another privacy officer must approve it.")
                return redirect(self._url("destruction_change", destruction.pk))
        return self._page(
            request,
            "Request the destruction of a student's record",
            form,
            submit="Request destruction",
            intro="Another privacy officer approves it; then every row of the student's data is destroyed.",
        )

    def _post_only(self, request, pk):
        self._require(request)
        if request.method != "POST":
            return redirect(self._url("destruction_change", pk))
        return get_object_or_404(Destruction, pk=pk)

    def approve_view(self, request, pk):
        destruction = self._post_only(request, pk)
        if not isinstance(destruction, Destruction):
            return destruction
        try:
            approve_destruction(actor=request.user, destruction=destruction)
        except DestructionRefused as refused:
            self._refused(request, refused)
        else:
            self.message_user(
                request, f"{destruction} done: {destruction.total_rows} rows destroyed.", messages.SUCCESS
            )
        return redirect(self._url("destruction_change", pk))

    def cancel_view(self, request, pk):
        destruction = self._post_only(request, pk)
        if not isinstance(destruction, Destruction):
            return destruction
        try:
            cancel_destruction(actor=request.user, destruction=destruction)
        except DestructionRefused as refused:
            self._refused(request, refused)
        return redirect(self._url("destruction_change", pk))

    def certificate_view(self, request, pk):
        destruction = self._post_only(request, pk)
        if not isinstance(destruction, Destruction):
            return destruction
        try:
            link = deliver_certificate(actor=request.user, destruction=destruction)
        except ValueError as refused:
            self._refused(request, refused)
            return redirect(self._url("destruction_change", pk))
        return redirect(download_path(link))


@admin.register(LegalHold)
class LegalHoldAdmin(PrivacyAdmin):
    list_display = ("__str__", "student_id", "reason", "placed_by", "placed_at", "lifted_at")
    list_filter = (("lifted_at", admin.EmptyFieldListFilter),)
    readonly_fields = ("student_id", "reason", "placed_by", "placed_at", "lifted_by", "lifted_at")
    fields = readonly_fields
    actions = ("lift",)

    def get_urls(self):
        place = path("place/", self.admin_site.admin_view(self.place_view), name="destruction_legalhold_place")
        return [place, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        links = [(self._url("legalhold_place"), "Place a legal hold on a student's record")]
        return super().changelist_view(request, {**(extra_context or {}), "destruction_links": links})

    def place_view(self, request):
        self._require(request)
        form = StudentByLocalIdForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            hold = place_legal_hold(actor=request.user, student=form.student, reason=form.cleaned_data["reason"])
            self.message_user(request, f"{hold} placed: the record cannot be destroyed while it stands.")
            return redirect(self._url("legalhold_changelist"))
        return self._page(request, "Place a legal hold", form, submit="Place the hold")

    @admin.action(description="Lift the selected legal holds")
    def lift(self, request, queryset):
        lifted = 0
        for hold in queryset.filter(lifted_at=None):
            lift_legal_hold(actor=request.user, hold=hold)
            lifted += 1
        self.message_user(request, f"{lifted} legal hold{'s' if lifted != 1 else ''} lifted.", messages.SUCCESS)


@admin.register(Tombstone)
class TombstoneAdmin(PrivacyAdmin):
    list_display = ("__str__", "destruction", "created_at", "lifted_at", "lifted_by_email", "lift")
    list_filter = (("lifted_at", admin.EmptyFieldListFilter),)
    readonly_fields = ("destruction", "created_at", "lifted_at", "lifted_by_email", "lift_reason")
    fields = readonly_fields

    @admin.display(description="")
    def lift(self, tombstone):
        if tombstone.lifted_at is not None:
            return ""
        return format_html('<a href="{}">Lift…</a>', self._url("tombstone_lift", tombstone.pk))

    def get_urls(self):
        lift = path("<int:pk>/lift/", self.admin_site.admin_view(self.lift_view), name="destruction_tombstone_lift")
        return [lift, *super().get_urls()]

    def lift_view(self, request, pk):
        self._require(request)
        tombstone = get_object_or_404(Tombstone, pk=pk, lifted_at=None)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            lift_tombstone(tombstone, actor=request.user, reason=form.cleaned_data["reason"])
            self.message_user(request, f"{tombstone} lifted: the next SIS import may re-create the student.")
            return redirect(self._url("tombstone_changelist"))
        return self._page(
            request,
            f"Lift {tombstone}",
            form,
            submit="Lift the tombstone",
            intro="The student was re-enrolled, or destroyed by mistake: the next SIS import will re-create them.",
        )


@admin.register(ExitExport)
class ExitExportAdmin(PrivacyAdmin):
    list_display = ("__str__", "status", "progress", "include_restricted", "requested_by", "created_at", "finished_at")
    readonly_fields = (
        "status",
        "progress",
        "include_restricted",
        "requested_by",
        "created_at",
        "finished_at",
        "size",
        "sha256",
        "files",
        "error",
    )
    fields = readonly_fields
    change_form_template = "admin/destruction/exitexport/change_form.html"

    @admin.display(description="progress")
    def progress(self, export):
        return f"{export.progress_percent}%" + (f" ({export.progress_stage})" if export.progress_stage else "")

    @admin.display(description="rows per file")
    def files(self, export):
        return format_html_join(mark_safe("<br>"), "{}: {}", sorted(export.tables.items())) or "—"

    def get_urls(self):
        own = [
            path("start/", self.admin_site.admin_view(self.start_view), name="destruction_exitexport_start"),
            path(
                "<int:pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="destruction_exitexport_progress",
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        export = self.get_object(request, object_id)
        running = export is not None and export.status in (ExitExport.Status.QUEUED, ExitExport.Status.RUNNING)
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "running": running})

    def progress_view(self, request, pk):
        self._require(request)
        export = get_object_or_404(ExitExport, pk=pk)
        finished = export.status not in (ExitExport.Status.QUEUED, ExitExport.Status.RUNNING)
        return JsonResponse(
            {
                "status": export.status,
                "stage": export.progress_stage,
                "percent": export.progress_percent,
                "finished": finished,
            }
        )

    def changelist_view(self, request, extra_context=None):
        links = [(self._url("exitexport_start"), "Export all the district's data")]
        return super().changelist_view(request, {**(extra_context or {}), "destruction_links": links})

    def start_view(self, request):
        self._require(request)
        form = ExitExportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            export = request_exit_export(actor=request.user, include_restricted=form.cleaned_data["include_restricted"])
            self.message_user(
                request, f"{export} queued: its download link appears under Privacy operations → Downloads."
            )
            return redirect(self._url("exitexport_change", export.pk))
        return self._page(
            request,
            "Export all the district's data",
            form,
            submit="Start the export",
            intro="One zip: a CSV per table, a data dictionary, a manifest and the Insights import format. "
            "It runs in the background; you get a one-time download link.",
        )


@admin.register(RetentionSweep)
class RetentionSweepAdmin(PrivacyAdmin):
    list_display = ("__str__", "dry_run", "ran_at", "actor_email", "students_due", "destruction")
    readonly_fields = ("dry_run", "ran_at", "actor_email", "students_due", "held_back", "import_runs", "destruction")
    fields = readonly_fields

    @admin.display(description="students due")
    def students_due(self, record):
        return len(record.found.get("students", []))

    @admin.display(description="held back")
    def held_back(self, record):
        held = record.found.get("held_back", {})
        return format_html_join(mark_safe("<br>"), "student #{}: {}", sorted(held.items())) or "—"

    @admin.display(description="import runs whose files are due")
    def import_runs(self, record):
        return ", ".join(f"#{run}" for run in record.found.get("import_runs", [])) or "—"

    def get_urls(self):
        dry = path("dry-run/", self.admin_site.admin_view(self.dry_run_view), name="destruction_retentionsweep_dry_run")
        return [dry, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        links = [(self._url("retentionsweep_dry_run"), "List what the retention rules would destroy today (dry run)")]
        return super().changelist_view(request, {**(extra_context or {}), "destruction_links": links})

    def dry_run_view(self, request):
        self._require(request)
        form = forms.Form(request.POST or None)
        if request.method == "POST":
            record = sweep(actor=request.user, dry_run=True)
            return redirect(self._url("retentionsweep_change", record.pk))
        return self._page(
            request,
            "Retention: what is due",
            form,
            submit="Run a dry run",
            intro="Lists the records, import files and sign-in addresses the daily sweep would destroy; "
            "destroys nothing.",
        )
