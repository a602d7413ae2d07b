"""Queue a family's record: `manage.py privacy_family_record --actor ME@district --student LOCAL_ID_OR_NAME`.

The record is built by the worker and comes to --actor as a one-time download link (mailed, and
listed under Privacy operations > Downloads). The run is recorded under --actor.
"""

from django.core.management.base import CommandError

from audit.commands import RecordedCommand
from privacy.commands import STUDENT_HELP, student_named
from privacy.models import AccessRequest
from privacy.operators import may_operate
from privacy.runs import request_family_record


class Command(RecordedCommand):
    help = "Prepare a family's record (PDF and CSVs) of one student, as a one-time download for --actor."
    required_permission = "privacy.privacy_operations"

    def actor_may_run(self, educator) -> bool:
        return may_operate(educator)  # held explicitly: being a superuser is not enough

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--student", required=True, help=STUDENT_HELP)
        parser.add_argument("--request", type=int, help="The access request this answers (its number).")

    def handle_recorded(self, *args, actor, student, request, **options):
        subject, found = student_named(student)
        access_request = None
        if request is not None:
            access_request = AccessRequest.objects.filter(pk=request, student=found).first()
            if access_request is None:
                raise CommandError("--request: this student has no access request with that number.")
        run = request_family_record(actor=actor, student=found, access_request=access_request)
        self.stdout.write(
            f"{run} queued for {subject.label}. When it is ready, {actor.email} is mailed a one-time download link."
        )
