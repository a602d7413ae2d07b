"""The base of destruction's commands: ``--actor EMAIL`` of an active privacy officer, refusals as clear errors.

Each operation records its own audit event (destruction/services.py and friends), so the command
does not open another one around it.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from destruction.models import Destruction
from destruction.refusals import DestructionRefused
from educators.models import Educator
from insights.database import job_timeouts
from privacy.operators import require_operator


class PrivacyCommand(BaseCommand):
    """Subclasses implement ``run(actor=..., **options)``; refusals become CommandError with the rule's words."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--actor",
            required=True,
            metavar="EMAIL",
            help="The privacy officer this is for; recorded in the audit log.",
        )

    def run(self, *, actor, **options): ...

    def handle(self, *args, actor, **options):
        educator = Educator.objects.by_email(actor).filter(is_active=True).first()
        if educator is None:
            raise CommandError("--actor must be the email of an active educator.")
        try:
            require_operator(educator)
            with job_timeouts():
                self.run(actor=educator, **options)
        except (PermissionDenied, DestructionRefused, ValueError) as refused:
            raise CommandError(str(refused)) from None


def numbered_destruction(number: int) -> Destruction:
    """The destruction a command names by its number, or a refusal saying there is none."""
    found = Destruction.objects.filter(pk=number).first()
    if found is None:
        raise ValueError(f"There is no destruction #{number}.")
    return found
