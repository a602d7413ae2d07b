"""Corrections and statements of disagreement in the admin: log the request, decide it, file the family's statement.

Deciding happens on the request's own page: correct the note's text or the service's details in
place (privacy/corrections.py keeps the previous version), mark it "correct in the SIS", or refuse
it; each needs the reason the family is told. A filed statement is never edited or deleted.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from audit.recorder import record_denied, record_objects, record_students
from privacy import corrections
from privacy.admin.shared import AddedByServiceMixin, OperatorsOnlyMixin, StudentByLocalIdMixin
from privacy.forms import CorrectionFieldsForm, DecisionForm, StatementFieldsForm
from privacy.models import CorrectionRequest, CorrectionStatus, DisagreementStatement
from privacy.operators import may_operate


class CorrectionRequestForm(StudentByLocalIdMixin, CorrectionFieldsForm):
    def clean(self):
        cleaned = super().clean()
        student = getattr(self, "student", None)
        if student is not None and cleaned.get("target"):
            try:
                corrections.disputed_record(
                    student=student, target=cleaned["target"], target_id=cleaned.get("target_id")
                )
            except ValidationError as error:
                self.add_error("target_id", error)
        return cleaned


class StatementForm(StudentByLocalIdMixin, StatementFieldsForm):
    pass


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(OperatorsOnlyMixin, AddedByServiceMixin, admin.ModelAdmin):
    list_display = ("__str__", "student_local_id", "target", "target_id", "received_on", "status")
    list_filter = ("status", "target")
    list_select_related = ("student",)
    form = CorrectionRequestForm
    change_form_template = "admin/privacy/correctionrequest/change_form.html"
    add_fields = [
        "student_local_id",
        "requester_name",
        "relationship",
        "received_on",
        "target",
        "target_id",
        "disputed",
    ]

    def save_model(self, request, obj, form, change):
        obj.pk = corrections.correction_open(
            actor=request.user,
            student=form.student,
            requester_name=form.cleaned_data["requester_name"],
            relationship=form.cleaned_data["relationship"],
            received_on=form.cleaned_data["received_on"],
            target=form.cleaned_data["target"],
            target_id=form.cleaned_data["target_id"],
            disputed=form.cleaned_data["disputed"],
        ).pk

    def get_urls(self):
        decide = path(
            "<int:correction_id>/decide/",
            self.admin_site.admin_view(self.decide_view),
            name="privacy_correction_decide",
        )
        return [decide, *super().get_urls()]

    def decide_view(self, request, correction_id: int):
        if not may_operate(request.user):
            record_denied()
            raise PermissionDenied
        correction = get_object_or_404(CorrectionRequest.objects.select_related("student"), pk=correction_id)
        # The page shows what the family disputes about the student: a viewing like the request's change page.
        record_students([correction.student_id])
        record_objects("correction_request", [correction.pk])
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                corrections.correction_decide(
                    actor=request.user,
                    correction=correction,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["corrected_text"],
                    changes=form.service_changes(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, f"{correction} decided.", messages.SUCCESS)
                return redirect(reverse("admin:privacy_correctionrequest_change", args=[correction.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Decide {correction}",
            "correction": correction,
            "open": correction.status == CorrectionStatus.OPEN,
            "form": form,
            "adminform": AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
        }
        return TemplateResponse(request, "admin/privacy/decide.html", context)


@admin.register(DisagreementStatement)
class DisagreementStatementAdmin(OperatorsOnlyMixin, AddedByServiceMixin, admin.ModelAdmin):
    list_display = ("__str__", "student_local_id", "filed_by", "filed_on")
    list_select_related = ("student",)
    form = StatementForm
    add_fields = ["student_local_id", "filed_by", "filed_on", "text", "correction"]

    def save_model(self, request, obj, form, change):
        obj.pk = corrections.statement_file(
            actor=request.user,
            student=form.student,
            filed_by=form.cleaned_data["filed_by"],
            filed_on=form.cleaned_data["filed_on"],
            text=form.cleaned_data["text"],
            correction=form.cleaned_data["correction"],
        ).pk
