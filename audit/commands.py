"""Base classes for management commands that read student data or audit data.

Such a command must say who it runs for (``--actor EMAIL``) and its run is recorded under that
educator, like a page view (Zulip-style: one base class instead of a rule every command repeats).
"""

from typing import TypeVar

from django import forms
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.forms import ReportForm
from audit.models import REPORT_PERMISSION
from audit.readers import may_read_audit
from audit.recorder import command_recording
from audit.reports import record_viewing, write_report_csv


def option_name(field: str) -> str:
    """A form field as a command's option: ``--received-on`` for ``received_on``."""
    return "--" + field.replace("_", "-")


FormT = TypeVar("FormT", bound=forms.Form | forms.ModelForm)


def form_from_options(form_class: type[FormT], options: dict, **kwargs) -> FormT:
    """A form filled from a command's options (its fields'), valid, or a CommandError naming each wrong option."""
    form = form_class(
        data={name: options[name] for name in form_class.base_fields if options.get(name) is not None}, **kwargs
    )
    if not form.is_valid():
        raise CommandError(
            "; ".join(
                " ".join(map(str, errors))
                if field == "__all__"
                else f"{option_name(field)}: {' '.join(map(str, errors))}"
                for field, errors in form.errors.items()
            )
        )
    return form


class RecordedCommand(BaseCommand):
    """Requires ``--actor`` (an active educator) and records the run; subclasses implement ``handle_recorded``."""

    # A permission the actor must hold ("app_label.codename"), or None.
    required_permission: str | None = None

    def actor_may_run(self, educator) -> bool:
        return self.required_permission is None or educator.has_perm(self.required_permission)

    def add_arguments(self, parser):
        parser.add_argument(
            "--actor", required=True, metavar="EMAIL", help="The educator this run is for; recorded in the audit log."
        )

    def handle_recorded(self, *args, actor, **options): ...

    def audit_action(self) -> str:
        return type(self).__module__.rpartition(".")[2]

    def handle(self, *args, actor, **options):
        user_model = get_user_model()
        educator = user_model.objects.filter(email=user_model.normalize_username(actor), is_active=True).first()
        if educator is None:
            raise CommandError("--actor must be the email of an active educator.")
        if not self.actor_may_run(educator):
            raise CommandError(f"The --actor educator lacks the {self.required_permission} permission.")
        with command_recording(actor=educator, action=self.audit_action()):
            return self.handle_recorded(*args, actor=educator, **options)


class ReportCommand(RecordedCommand):
    """Prints one audit report as CSV; the options are the report form's fields (``--since`` for ``since``)."""

    required_permission = REPORT_PERMISSION
    form_class: type[ReportForm]

    def actor_may_run(self, educator) -> bool:
        return may_read_audit(educator)  # held explicitly: being a superuser is not enough

    def add_arguments(self, parser):
        super().add_arguments(parser)
        for name, form_field in self.form_class.base_fields.items():
            parser.add_argument(option_name(name), dest=name, required=form_field.required, help=form_field.help_text)

    def handle_recorded(self, *args, actor, **options):
        form = form_from_options(self.form_class, options)
        report = form.report()
        record_viewing(report, name=form.name, parameters=form.parameters(), exported=True)
        write_report_csv(report, self.stdout)
        # On the terminal, not in the CSV: whose report this is, and that no rows is an answer.
        self.stderr.write(f"{report.title}: {len(report.rows)} row{'' if len(report.rows) == 1 else 's'}.")
