"""What the privacy admin pages share: operators only, and naming a student by the SIS local id."""

from django import forms

from privacy.operators import may_operate
from privacy.selectors import student_by_local_id


class OperatorsOnlyMixin:
    """Every page here needs the privacy operations permission, held explicitly."""

    def has_module_permission(self, request):
        return may_operate(request.user)

    def has_view_permission(self, request, obj=None):
        return may_operate(request.user)


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
