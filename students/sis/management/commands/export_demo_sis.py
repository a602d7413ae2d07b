"""`python manage.py export_demo_sis DIR`: write the demo district out as an Insights CSV package.

Demo mode only: the files hold every student's record in plain text, which is fine for the
fictional district and never for a real one. The run is recorded in the audit log.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.recorder import command_recording, record_details, record_students
from insights.database import job_timeouts
from students.sis.export import export_package
from students.sis.sql import fetch


class Command(BaseCommand):
    help = "Write the demo district (seed_demo) as an Insights CSV package into DIR (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The folder to write; created if missing, files in it replaced.")

    @job_timeouts()
    def handle(self, *args, directory, **options):
        if not settings.DEMO_MODE:
            raise CommandError("export_demo_sis only runs in demo mode (DEMO_MODE=true): it writes records to disk.")
        folder = Path(directory)
        with command_recording(actor=None, action="export_demo_sis"):
            names = export_package(folder)
            record_students([row[0] for row in fetch("SELECT id FROM students_student")], kind="exported")
            record_details(files=names)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(names)} files to {folder}."))
