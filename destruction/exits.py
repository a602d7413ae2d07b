"""Starting and running the district's exit export: a page or a command asks, the queue's job writes the zip.

The job writes the zip to a temporary file (destruction/export.py), hands it to the requester as a
one-time download link and records one audit event under them naming every student exported.
"""

import hashlib
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit.recorder import command_recording, record_details, record_objects, record_students
from destruction.delivery import deliver_file
from destruction.export import estimated_rows, write_exit_export
from destruction.models import ExitExport
from insights.jobs import app
from privacy.operators import require_operator
from students.sis.progress import Progress

EXIT_EXPORT_TASK = "destruction.exit_export"  # destruction/tasks.py


def request_exit_export(*, actor, include_restricted: bool, queue: bool = True) -> ExitExport:
    """Ask for an exit export for ``actor``; queued, its job starts when this transaction commits.

    ``queue=False`` leaves it for the caller to run (the command's ``--wait``).
    """
    require_operator(actor)
    with transaction.atomic():
        export = ExitExport.objects.create(requested_by=actor, include_restricted=include_restricted)
        if queue:
            app.configure_task(EXIT_EXPORT_TASK).defer(export_id=export.pk)
    return export


def filename_of(export: ExitExport) -> str:
    return f"exit-export-{settings.DISTRICT_KEY}-{export.pk}.zip"


def run_exit_export(export: ExitExport, *, on_progress=None):
    """Write the export and deliver it; returns the download link. A failure leaves the export marked failed."""
    actor = export.requested_by
    try:
        require_operator(actor)
    except PermissionDenied as refusal:  # the requester left or lost the permission while it was queued
        ExitExport.objects.filter(pk=export.pk, status=ExitExport.Status.QUEUED).update(
            status=ExitExport.Status.FAILED, error=f"{refusal} The requester may no longer run it: nothing exported."
        )
        raise
    claimed = ExitExport.objects.filter(pk=export.pk, status=ExitExport.Status.QUEUED).update(
        status=ExitExport.Status.RUNNING, progress_total=estimated_rows(), progress_done=0
    )
    if not claimed:
        raise ValueError(f"Exit export #{export.pk} is not queued.")
    export.refresh_from_db()
    progress = Progress(export, on_progress)
    try:
        with tempfile.TemporaryDirectory(prefix="insights-exit-zip-") as folder:
            path = Path(folder) / filename_of(export)
            files, student_ids = write_exit_export(
                path, export_id=export.pk, include_restricted=export.include_restricted, progress=progress
            )
            progress.close()
            with command_recording(actor=actor, action="exit_export"):
                link = deliver_file(
                    requester=actor,
                    path=path,
                    filename=filename_of(export),
                    content_type="application/zip",
                    purpose=f"exit export #{export.pk}",
                    student_ids=student_ids,
                )
                export.status = ExitExport.Status.DONE
                export.finished_at = timezone.now()
                export.tables = {name: facts["rows"] for name, facts in files.items() if facts["rows"] is not None}
                export.size = path.stat().st_size
                export.sha256 = _sha256(path)
                export.progress_done = export.progress_total
                export.save()
                record_students(student_ids, kind="exported")
                record_objects("exit_export", [export.pk])
                record_details(exit_export=export.pk, restricted_text=export.include_restricted, files=len(files))
    except Exception:
        progress.close()
        ExitExport.objects.filter(pk=export.pk).update(
            status=ExitExport.Status.FAILED, error="The export stopped with an error; nothing was delivered."
        )
        raise
    return link


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
