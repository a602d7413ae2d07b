"""Investigate access, as CSV: the students an educator may see and why, or the educators who may see a student and why.

`manage.py access_report --actor ME@district --educator TEACHER@district`
`manage.py access_report --actor ME@district --student LOCAL_ID`
The run reads student data, so it is recorded in the audit log under --actor with the students listed.
"""

from django.core.management.base import CommandError

from audit.commands import RecordedCommand
from audit.recorder import record_details, record_students
from educators.models import Educator
from insights.csv import write_csv
from permissions.reasons import educators_with_access, visible_students_with_reasons
from permissions.services import student_by_local_id


class Command(RecordedCommand):
    help = "CSV of the students an educator may see and why (--educator), or who may see a student and why (--student)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--educator", metavar="EMAIL", help="List the students this educator may see.")
        target.add_argument("--student", metavar="LOCAL_ID", help="List the educators who may see this student.")

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
            found = student_by_local_id(student)
            if found is None:
                raise CommandError("No student has this local id.")
            record_details(report="educators who may see a student")
            record_students([found.pk], kind="exported")
            write_csv(
                self.stdout,
                ["educator_id", "email", "full_name", "reasons"],
                (
                    [holder.pk, holder.email, holder.full_name, "; ".join(reasons)]
                    for holder, reasons in educators_with_access(found)
                ),
            )
