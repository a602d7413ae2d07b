"""Decide a request to correct a record:
`manage.py privacy_correction_decide --actor ME@district --request N --decision amend|sis|refuse --reason "..."`,
with `--corrected-text "..."` for a note, or any of `--service-type --provided-by --date-started
--estimated-end-date` for a service. The note or service is corrected in place and its previous
version kept; the decision, the correction and its audit event are written together or not at all.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from privacy.commands import PrivacyCommand, refused
from privacy.corrections import correction_decide
from privacy.forms import DecisionForm
from privacy.models import CorrectionRequest


class Command(PrivacyCommand):
    help = "Decide a correction request: correct it in Insights, mark it correct in the SIS, or refuse it."
    form_class = DecisionForm

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--request", type=int, required=True, help="The correction request's number.")

    def handle_recorded(self, *args, actor, request, **options):
        form = self.valid_form(options)
        correction = CorrectionRequest.objects.select_related("student").filter(pk=request).first()
        if correction is None:
            raise CommandError("--request: no correction request has that number.")
        try:
            correction = correction_decide(
                actor=actor,
                correction=correction,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["corrected_text"],
                changes=form.service_changes(),
            )
        except ValidationError as error:
            raise refused(error) from None
        self.stdout.write(f"{correction} decided: {correction.get_status_display()}.")
