"""Investigate access, as CSV: the students an educator may see and why, or the educators who may see a student and why.

`manage.py access_report --actor ME@district --educator TEACHER@district`
`manage.py access_report --actor ME@district --student LOCAL_ID_OR_NAME`
The run reads student data, so it is recorded in the audit log under --actor with the students listed.
"""

from django.core.management.base import CommandError

from audit.commands import RecordedCommand
from audit.recorder import record_details, record_students
from audit.subjects import SubjectNotFound
from educators.models import Educator
from insights.csv import write_csv
from permissions.reasons import educators_with_access, visible_students_with_reasons
from permissions.services import student_for_access_report


class Command(RecordedCommand):
    help = "CSV of the students an educator may see and why (--educator), or who may see a student and why (--student)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--educator", metavar="EMAIL", help="List the students this educator may see.")
        target.add_argument(
            "--student",
            metavar="ID_OR_NAME",
            help="List the educators who may see this student (SIS local id, state id or name).",
        )

    def handle_recorded(self, *args, actor, **options):
        educator, student = options["educator"], options["student"]
        if educator is not None:
            subject = Educator.objects.by_email(educator).first()
            if subject is None:
                raise CommandError("No educator has this email address.")
            record_details(report="students an educator may see", educator_id=subject.pk)
            rows = visible_students_with_reasons(subject)
            record_students([row.pk for row, _reasons in rows], kind="exported")
            write_csv(
                self.stdout,
                ["student_id", "local_id", "reasons"],
                ([row.pk, row.local_id, "; ".join(reasons)] for row, reasons in rows),
            )
        else:
            try:
                found = student_for_access_report(student)
            except SubjectNotFound as error:
                raise CommandError(str(error)) from None
            record_details(report="educators who may see a student")
            record_students([found.pk], kind="exported")
            holders = educators_with_access(found)
            write_csv(
                self.stdout,
                ["educator_id", "email", "full_name", "reasons"],
                ([holder.pk, holder.email, holder.full_name, "; ".join(reasons)] for holder, reasons in holders),
            )
            self.stderr.write(
                f"Educators who may see {found.full_name} (SIS local id {found.local_id}): {len(holders)}."
            )
