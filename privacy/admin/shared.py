"""What the privacy admin pages share: operators only, records added through their service and then kept as they
are, and naming a student by the SIS local id."""

from django import forms
from django.contrib import admin

from privacy.operators import may_operate
from privacy.selectors import student_by_local_id


class OperatorsOnlyMixin:
    """Every page here needs the privacy operations permission, held explicitly."""

    def has_module_permission(self, request):
        return may_operate(request.user)

    def has_view_permission(self, request, obj=None):
        return may_operate(request.user)


class AddedByServiceMixin:
    """Operators add a record on the ``add_fields`` form and its service writes it (audit event included); once
    written it is never edited or deleted, so its page shows every field read-only."""

    add_fields: list[str] = []

    def has_add_permission(self, request):
        return may_operate(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] if obj is not None else ()

    def log_addition(self, request, obj, message):
        """The audit log records it (through the service); the admin's own history would duplicate it."""

    def save_related(self, request, form, formsets, change):
        """Nothing related to save: the service wrote the record whole."""

    @admin.display(description="SIS local id")
    def student_local_id(self, row):
        return row.student.local_id


class StudentByLocalIdMixin(forms.Form):
    student_local_id = forms.CharField(
        label="Student's SIS local id", max_length=40, help_text="The id the SIS and the student's profile show."
    )

    def clean_student_local_id(self):
        student = student_by_local_id(self.cleaned_data["student_local_id"])
        if student is None:
            raise forms.ValidationError("No student has that SIS local id.")
        self.student = student
        return self.cleaned_data["student_local_id"]
