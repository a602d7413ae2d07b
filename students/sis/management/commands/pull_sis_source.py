"""`python manage.py pull_sis_source NAME --actor EMAIL`: pull a configured SFTP source's newest package now.

The same pull the schedule makes (host key pinned, maximum age, size limits), in the foreground:
the run appears in the import history and the command exits non-zero when it failed.
"""

from django.core.management.base import BaseCommand, CommandError

from insights.database import job_timeouts
from students.sis.management.commands.import_sis import Command as ImportCommand
from students.sis.management.commands.import_sis import importer_from_option
from students.sis.models import ImportRun
from students.sis.sftp.models import ImportSource
from students.sis.sftp.pulls import pull_source


class Command(BaseCommand):
    help = "Pull a configured SFTP import source's newest package and import it now."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The source's name (SIS import › SFTP import sources in the admin).")
        parser.add_argument("--actor", required=True, metavar="EMAIL", help="The educator running the pull.")

    @job_timeouts()
    def handle(self, *args, name, actor, **options):
        educator = importer_from_option(actor)
        source = ImportSource.objects.filter(name=name).first()
        if source is None:
            known = ", ".join(ImportSource.objects.values_list("name", flat=True)) or "none is configured"
            raise CommandError(f"No import source is named {name!r} (sources: {known}).")
        run = pull_source(source, actor=educator)
        ImportCommand(stdout=self.stdout, stderr=self.stderr).report(run)
        if run.status == ImportRun.Status.FAILED:
            raise CommandError(f"Import run #{run.pk} failed: {run.error}")
