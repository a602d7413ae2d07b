"""What the privacy office's commands share: --actor holding privacy_operations, --student as the reports take it,
and options that are a form's fields, so a command validates its input as the admin page does."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from audit.commands import RecordedCommand
from audit.subjects import Subject, SubjectNotFound, resolve_subject
from privacy.operators import may_operate
from privacy.selectors import student_by_pk
from students.models import Student

STUDENT_HELP = "The student's SIS local id, state id or name."


def option_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def student_named(identifier: str) -> tuple[Subject, Student]:
    """The one student --student names (as audit_student_access finds them), or a CommandError saying why not."""
    try:
        subject = resolve_subject(identifier)
    except SubjectNotFound as error:
        raise CommandError(f"--student: {error}") from None
    return subject, student_by_pk(subject.pk)


def refused(error: ValidationError) -> CommandError:
    """A service's refusal (privacy/corrections.py) as the command's error; nothing was written."""
    return CommandError(" ".join(error.messages))


class PrivacyCommand(RecordedCommand):
    """Run for --actor, who holds privacy.privacy_operations explicitly; its options are ``form_class``'s fields."""

    required_permission = "privacy.privacy_operations"
    form_class: type[forms.BaseForm]

    def actor_may_run(self, educator) -> bool:
        return may_operate(educator)  # held explicitly: being a superuser is not enough

    def add_arguments(self, parser):
        super().add_arguments(parser)
        for name, field in self.form_class.base_fields.items():
            listed = isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField)
            choices = [str(value) for value, _ in field.choices if value != ""] if listed else []
            help_text = str(field.help_text or field.label or name.replace("_", " "))
            if choices:
                help_text += f" One of: {', '.join(choices)}."
            if field.initial is not None:
                help_text += f" Default: {field.initial}."
            parser.add_argument(
                option_name(name),
                dest=name,
                required=field.required and field.initial is None,
                default=field.initial,
                help=help_text,
            )

    def valid_form(self, options: dict, **kwargs) -> forms.BaseForm:
        """The form filled from the options, valid, or a CommandError naming each wrong option."""
        data = {name: options[name] for name in self.form_class.base_fields if options.get(name) is not None}
        form = self.form_class(data=data, **kwargs)
        if not form.is_valid():
            raise CommandError(
                "; ".join(
                    " ".join(errors) if field == "__all__" else f"{option_name(field)}: {' '.join(errors)}"
                    for field, errors in form.errors.items()
                )
            )
        return form
