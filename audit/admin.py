"""The audit log in the Django admin: read-only tables and the report pages, for auditors only.

Nobody may add, change or delete audit rows here (the database refuses it anyway). Seeing the
tables or a report needs the ``audit.view_audit_reports`` permission held explicitly (a superuser
without it sees none of this: audit/readers.py); every viewing is recorded, the tables by the
middleware's admin-page rule and the reports by the report view itself.
"""

from django.contrib import admin
from django.contrib.admin.helpers import AdminForm
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from audit.forms import report_forms
from audit.models import AccessEvent, Checkpoint, GrantChangeEvent, SignInEvent
from audit.readers import may_read_audit
from audit.recorder import record_denied
from audit.reports import record_viewing, write_report_csv
from audit.subjects import subject_labels
from insights.admin_mixins import ViewOnlyAdminMixin
from insights.csv import csv_attachment


def report_url_name(slug: str) -> str:
    return "audit_report_" + slug.replace("-", "_")


class ReadOnlyAuditAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    actions = None
    show_full_result_count = False  # a second COUNT(*) over millions of rows buys nothing

    def has_module_permission(self, request):
        return may_read_audit(request.user)

    def has_view_permission(self, request, obj=None):
        return may_read_audit(request.user)


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAuditAdmin):
    list_display = ("id", "occurred_at", "actor_email", "action", "method", "status", "outcome", "student_count")
    list_filter = ("outcome",)
    change_list_template = "admin/audit/accessevent/change_list.html"

    readonly_fields = ("students_named",)

    @admin.display(description="students")
    def student_count(self, event):
        return len(event.student_ids)

    @admin.display(description="students, as the record names them now")
    def students_named(self, event):
        labels = subject_labels(event.student_ids)
        return "; ".join(f"#{student_id} {labels[student_id]}" for student_id in event.student_ids)

    def get_urls(self):
        reports = [
            path(
                f"reports/{slug}/",
                self.admin_site.admin_view(self.report_view),
                {"slug": slug},
                name=report_url_name(slug),
            )
            for slug in report_forms()
        ]
        return reports + super().get_urls()

    def _report_links(self):
        return [(f"admin:{report_url_name(slug)}", form.title) for slug, form in report_forms().items()]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "report_links": self._report_links()})

    def report_view(self, request, slug):
        """Show one report (or its CSV with ?format=csv) and record who looked at it, with what parameters."""
        if not self.has_view_permission(request):
            record_denied()
            raise PermissionDenied
        form = report_forms()[slug](request.GET or None)
        report = None
        if form.is_valid():
            report = form.report()
            exported = request.GET.get("format") == "csv"
            record_viewing(report, name=form.name, parameters=form.parameters(), exported=exported)
            if exported:
                response = csv_attachment(f"{form.name}.csv")
                write_report_csv(report, response)
                return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": form.title,
            "form": form,
            # Rendered by the admin's own fieldset template, like any admin form.
            "adminform": AdminForm(form, [(None, {"fields": list(form.fields)})], {}),  # type: ignore[arg-type]
            "report": report,
            "csv_query": request.GET.urlencode() + "&format=csv",
            "report_links": self._report_links(),
        }
        return TemplateResponse(request, "admin/audit/report.html", context)


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAuditAdmin):
    list_display = ("id", "occurred_at", "kind", "identity", "succeeded", "reason", "client_ip")
    list_filter = ("kind", "succeeded")


@admin.register(GrantChangeEvent)
class GrantChangeEventAdmin(ReadOnlyAuditAdmin):
    list_display = (
        "id",
        "occurred_at",
        "actor_email",
        "change",
        "educator_email",
        "grant_kind",
        "object_label",
        "reason",
    )

    @admin.display(description="change")
    def change(self, event):
        """Grant, revoke or change, in a word: a grant has no before, a revocation no after."""
        if event.before is None:
            return "granted"
        if event.after is None:
            return "revoked"
        return "changed"


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAuditAdmin):
    list_display = ("id", "occurred_at", "table", "row_count", "first_id", "last_id", "head_hash")
    list_filter = ("table",)
