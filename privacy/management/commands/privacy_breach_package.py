"""Queue a breach notification package: affected students, families' contacts for a mail merge, draft letters.

`manage.py privacy_breach_package --actor ME@district --account X@district --since DAY --until DAY`
(or `--network CIDR`, or both). The options are the breach-scope report's; the package comes to
--actor as a one-time download link.
"""

from django.core.management.base import CommandError

from audit.commands import RecordedCommand
from audit.forms import BreachScopeForm
from privacy.operators import may_operate
from privacy.runs import request_breach_package


class Command(RecordedCommand):
    help = "Prepare the notification package of a breach scope, as a one-time download for --actor."
    required_permission = "privacy.privacy_operations"

    def actor_may_run(self, educator) -> bool:
        return may_operate(educator)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        for name, form_field in BreachScopeForm.base_fields.items():
            parser.add_argument(f"--{name}", required=form_field.required, help=form_field.help_text)

    def handle_recorded(self, *args, actor, **options):
        form = BreachScopeForm(data={name: options[name] for name in BreachScopeForm.base_fields if options.get(name)})
        if not form.is_valid():
            raise CommandError("; ".join(" ".join(map(str, errors)) for errors in form.errors.values()))
        run = request_breach_package(actor=actor, parameters=form.parameters())
        self.stdout.write(f"{run} queued. When it is ready, {actor.email} is mailed a one-time download link.")
