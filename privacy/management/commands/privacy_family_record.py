"""Queue a family's record: `manage.py privacy_family_record --actor ME@district --student LOCAL_ID_OR_NAME`.

The record is built by the worker and comes to --actor as a one-time download link (mailed, and
listed under Privacy operations > Downloads). The run is recorded under --actor.
"""

from django.core.management.base import CommandError

from privacy.commands import StudentCommand
from privacy.models import AccessRequest
from privacy.runs import request_family_record


class Command(StudentCommand):
    help = "Prepare a family's record (PDF and CSVs) of one student, as a one-time download for --actor."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--request", type=int, help="The access request this answers (its number).")

    def handle_student(self, *, actor, subject, student, fields, options) -> str:
        access_request = None
        if options["request"] is not None:
            access_request = AccessRequest.objects.filter(pk=options["request"], student=student).first()
            if access_request is None:
                raise CommandError("--request: this student has no access request with that number.")
        run = request_family_record(actor=actor, student=student, access_request=access_request)
        return f"{run} queued for {subject.label}. When it is ready, {actor.email} is mailed a one-time download link."
