"""Queue a breach notification package: affected students, families' contacts for a mail merge, draft letters.

`manage.py privacy_breach_package --actor ME@district --account X@district --since DAY --until DAY`
(or `--network CIDR`, or both). The options are the breach-scope report's; the package comes to
--actor as a one-time download link.
"""

from audit.forms import BreachScopeForm
from privacy.commands import PrivacyCommand
from privacy.runs import request_breach_package


class Command(PrivacyCommand):
    help = "Prepare the notification package of a breach scope, as a one-time download for --actor."
    form_class = BreachScopeForm

    def handle_recorded(self, *args, actor, **options):
        run = request_breach_package(actor=actor, parameters=self.valid_form(options).parameters())
        self.stdout.write(f"{run} queued. When it is ready, {actor.email} is mailed a one-time download link.")
