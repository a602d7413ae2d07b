"""Privacy operations in the admin: the list of families' access requests and the operator's one-time downloads.

Open only to holders of ``privacy.privacy_operations`` (privacy/operators.py; a superuser without
it sees none of this). The admin's pages of access requests are recorded like any page of student
data (audit/admin_pages.py); logging and closing a request goes through privacy.services.
"""

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from audit.recorder import record_denied
from insights.admin_mixins import ViewOnlyAdminMixin
from privacy import services
from privacy.admin.shared import AddedByServiceMixin, OperatorsOnlyMixin, StudentByLocalIdMixin
from privacy.downloads import (
    DownloadUnavailable,
    available_link,
    claim_download,
    download_path,
    is_chunked,
    stored_chunks,
)
from privacy.forms import not_in_the_future
from privacy.models import AccessRequest, AccessRequestStatus, DownloadLink
from privacy.operators import may_operate
from privacy.runs import request_family_record


class AccessRequestForm(StudentByLocalIdMixin, forms.ModelForm):
    class Meta:
        model = AccessRequest
        fields = ("requester_name", "relationship", "received_on", "notes")

    def clean_received_on(self):
        return not_in_the_future(self.cleaned_data["received_on"])


class OpenFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("overdue", "Overdue"), ("closed", "Fulfilled or withdrawn"), ("all", "All")]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.open()
        if value == "overdue":
            return queryset.overdue()
        if value == "closed":
            return queryset.exclude(status=AccessRequestStatus.OPEN)
        return queryset


@admin.register(AccessRequest)
class AccessRequestAdmin(OperatorsOnlyMixin, AddedByServiceMixin, admin.ModelAdmin):
    list_display = ("__str__", "student_local_id", "student_name", "requester_name", "received_on", "due", "status")
    list_filter = (OpenFilter,)
    list_select_related = ("student",)
    actions = ("prepare_family_record", "mark_fulfilled", "mark_withdrawn")
    add_fields = ["student_local_id", "requester_name", "relationship", "received_on", "notes"]
    readonly_fields = (
        "student_local_id",
        "student_name",
        "requester_name",
        "relationship",
        "received_on",
        "due_on",
        "status",
        "recorded_by",
        "recorded_at",
        "closed_by",
        "closed_at",
        "notes",
    )

    @admin.display(description="student")
    def student_name(self, request_row):
        return request_row.student.full_name

    @admin.display(description="due", ordering="due_on")
    def due(self, request_row):
        if request_row.is_overdue:
            return format_html("<strong>{} (overdue)</strong>", request_row.due_on)
        return request_row.due_on

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AccessRequestForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()  # closed through the actions, never edited

    def save_model(self, request, obj, form, change):
        opened = services.access_request_open(
            actor=request.user,
            student=form.student,
            requester_name=form.cleaned_data["requester_name"],
            relationship=form.cleaned_data["relationship"],
            received_on=form.cleaned_data["received_on"],
            notes=form.cleaned_data["notes"],
        )
        obj.pk = opened.pk
        obj.due_on = opened.due_on

    def _close(self, request, queryset, status: str) -> None:
        closed = 0
        for access_request in queryset.filter(status=AccessRequestStatus.OPEN):
            services.access_request_close(actor=request.user, request=access_request, status=status)
            closed += 1
        self.message_user(request, f"{closed} request{'s' if closed != 1 else ''} marked {status}.", messages.SUCCESS)

    @admin.action(description="Prepare the family's record of the selected requests' students")
    def prepare_family_record(self, request, queryset):
        queued = [
            request_family_record(actor=request.user, student=access_request.student, access_request=access_request)
            for access_request in queryset.filter(status=AccessRequestStatus.OPEN).select_related("student")
        ]
        self.message_user(
            request,
            f"{len(queued)} record{'s' if len(queued) != 1 else ''} being prepared. When one is ready you are mailed "
            "its one-time download link; it is also listed under Privacy operations > Downloads.",
            messages.SUCCESS,
        )

    @admin.action(description="Mark the selected requests fulfilled")
    def mark_fulfilled(self, request, queryset):
        self._close(request, queryset, AccessRequestStatus.FULFILLED)

    @admin.action(description="Mark the selected requests withdrawn")
    def mark_withdrawn(self, request, queryset):
        self._close(request, queryset, AccessRequestStatus.WITHDRAWN)


@admin.register(DownloadLink)
class DownloadLinkAdmin(OperatorsOnlyMixin, ViewOnlyAdminMixin, admin.ModelAdmin):
    """The operator's own files: each downloadable once, for 24 hours."""

    list_display = ("purpose", "filename", "created_at", "expires_at", "state", "link")
    actions = None
    exclude = ("data",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(owner=request.user).defer("data")

    @admin.display(description="status")
    def state(self, link):
        if link.downloaded_at is not None:
            return f"Downloaded {timezone.localtime(link.downloaded_at):%Y-%m-%d %H:%M}"
        return "Ready" if link.is_available else "Expired"

    @admin.display(description="download")
    def link(self, link):
        return format_html('<a href="{}">Download</a>', download_path(link)) if link.is_available else ""

    def get_urls(self):
        download = path(
            "<int:link_id>/download/<str:token>/",
            self.admin_site.admin_view(self.download_view),
            name="privacy_download",
        )
        return [download, *super().get_urls()]

    def download_view(self, request, link_id: int, token: str):
        """GET shows what the file is; POST hands it over once. Anyone else's, used or expired: 404."""
        try:
            if not may_operate(request.user):
                raise DownloadUnavailable
            if request.method != "POST":
                link = available_link(link_id=link_id, token=token, user=request.user)
                context = {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "title": f"Download the {link.purpose}",
                    "link": link,
                    "list_url": reverse("admin:privacy_downloadlink_changelist"),
                }
                return TemplateResponse(request, "admin/privacy/download.html", context)
            link, content = claim_download(link_id=link_id, token=token, user=request.user)
        except DownloadUnavailable:
            record_denied()
            raise Http404("No such download.") from None
        if is_chunked(link, content):  # a large file (an exit export), streamed in constant memory
            response = StreamingHttpResponse(stored_chunks(link), content_type=link.content_type)
            response["Content-Length"] = str(link.size)
        else:
            response = HttpResponse(content, content_type=link.content_type)
        response["Content-Disposition"] = f'attachment; filename="{link.filename}"'
        return response
