"""What the privacy office's commands share: --actor holding privacy_operations, --student as the reports take it,
and options that are a form's fields, so a command validates its input as the admin page does."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from audit.commands import RecordedCommand, form_from_options, option_name
from audit.forms import STUDENT_HELP
from audit.subjects import Subject, SubjectNotFound, resolve_subject
from privacy.operators import may_operate
from privacy.selectors import student_by_pk
from students.models import Student


def student_named(identifier: str) -> tuple[Subject, Student]:
    """The one student --student names (as audit_student_access finds them), or a CommandError saying why not."""
    try:
        subject = resolve_subject(identifier)
    except SubjectNotFound as error:
        raise CommandError(f"--student: {error}") from None
    found = student_by_pk(subject.pk)
    if found is None:  # the lookup also names destroyed students, for their access reports
        raise CommandError(f"--student: that is a {subject.name} ({subject.description}); nothing is held to act on.")
    return subject, found


def refused(error: ValidationError) -> CommandError:
    """A service's refusal (privacy/corrections.py) as the command's error; nothing was written."""
    return CommandError(" ".join(error.messages))


class PrivacyCommand(RecordedCommand):
    """Run for --actor, who holds privacy.privacy_operations explicitly; its options are ``form_class``'s fields."""

    required_permission = "privacy.privacy_operations"
    form_class: type[forms.BaseForm] | None = None

    def actor_may_run(self, educator) -> bool:
        return may_operate(educator)  # held explicitly: being a superuser is not enough

    def add_arguments(self, parser):
        super().add_arguments(parser)
        for name, field in self.form_class.base_fields.items() if self.form_class else ():
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
        assert self.form_class is not None
        return form_from_options(self.form_class, options, **kwargs)


class StudentCommand(PrivacyCommand):
    """A privacy command about the one student ``--student`` names: its options (the form's fields, valid) and the
    student go to ``handle_student``, whose message is printed; a service's refusal is the command's error."""

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--student", required=True, help=STUDENT_HELP)

    def handle_student(self, *, actor, subject: Subject, student: Student, fields: dict, options: dict) -> str:
        """Act on the student; the message to print."""
        raise NotImplementedError

    def handle_recorded(self, *args, actor, student, **options):
        subject, found = student_named(student)
        fields = self.valid_form(options).cleaned_data if self.form_class else {}
        try:
            message = self.handle_student(actor=actor, subject=subject, student=found, fields=fields, options=options)
        except ValidationError as error:
            raise refused(error) from None
        self.stdout.write(message)
