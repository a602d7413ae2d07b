"""A correction request, its decision and a statement of disagreement, as the admin and the commands take them.

The admin pages add the student (by SIS local id) to these; ``privacy_correction``,
``privacy_correction_decide`` and ``privacy_statement`` fill them from their options, so both
validate alike before calling privacy/corrections.py.
"""

from django import forms
from django.utils import timezone

from privacy.corrections import DECISIONS, SERVICE_FIELDS
from privacy.models import CorrectionRequest, DisagreementStatement
from students.models import ServiceType


def not_in_the_future(day):
    if day > timezone.localdate():
        raise forms.ValidationError("A request cannot be received in the future.")
    return day


class CorrectionFieldsForm(forms.ModelForm):
    class Meta:
        model = CorrectionRequest
        fields = ("requester_name", "relationship", "received_on", "target", "target_id", "disputed")

    def clean_received_on(self):
        return not_in_the_future(self.cleaned_data["received_on"])


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=list(DECISIONS.items()), widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="The family is told this reason.")
    corrected_text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text="A note: its corrected text."
    )
    service_type = forms.ChoiceField(required=False, choices=[("", "(unchanged)"), *ServiceType.choices])
    provided_by = forms.CharField(required=False, max_length=200, help_text="A service: the corrected provider.")
    date_started = forms.DateField(required=False, help_text="A service: the corrected start (YYYY-MM-DD).")
    estimated_end_date = forms.DateField(required=False, help_text="A service: the corrected estimated end.")

    def service_changes(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in SERVICE_FIELDS if self.cleaned_data.get(name) not in (None, "")
        }


class StatementFieldsForm(forms.ModelForm):
    class Meta:
        model = DisagreementStatement
        fields = ("filed_by", "filed_on", "text", "correction")
