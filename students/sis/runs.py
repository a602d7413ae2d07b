"""What people do with import runs: start one, approve or discard a held one. Each checks the permission."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit.recorder import command_recording, record_details
from students.sis.models import ImportFile, ImportRun
from students.sis.pipeline import execute_run
from students.sis.reader import PackageError

PERMISSION = "sis.run_imports"


def check_importer(educator) -> None:
    if educator is None or not educator.is_active or not educator.has_perm(PERMISSION):
        raise PermissionDenied("Running SIS imports needs the run_imports permission.")


def run_import(run: ImportRun, *, actor, on_progress=None) -> ImportRun:
    """Run a received package now (the worker's job, or the command in the foreground)."""
    if actor is not None:
        check_importer(actor)
    return execute_run(run, actor=actor, on_progress=on_progress)


def approve_run(run: ImportRun, *, actor, on_progress=None) -> ImportRun:
    """Apply a held run despite its guards; the approver is recorded on the run and in the audit log."""
    check_importer(actor)
    ImportRun.objects.filter(pk=run.pk).update(decided_by=actor, decided_at=timezone.now())
    return execute_run(run, actor=actor, approve=True, on_progress=on_progress)


def rerun_for_real(run: ImportRun, *, actor) -> ImportRun:
    """A new run of a dry run's stored package, this time to be applied (the admin's "Apply" button)."""
    check_importer(actor)
    if run.status != ImportRun.Status.DRY_RUN:
        raise PackageError(f"Import run #{run.pk} is not a dry run; only a dry run's package can be applied from it.")
    with transaction.atomic():
        fresh = ImportRun.objects.create(
            triggered_by=actor,
            source=run.source,
            package_digest=run.package_digest,
            progress_total=run.progress_total,
        )
        for stored in run.files.all():
            copy = ImportFile.objects.create(
                run=fresh, name=stored.name, sha256=stored.sha256, size=stored.size, encoding=stored.encoding
            )
            copy.copy_chunks(stored)
    return fresh


def discard_run(run: ImportRun, *, actor) -> ImportRun:
    """Drop a held run: nothing is applied and its stored files are deleted."""
    check_importer(actor)
    with transaction.atomic():
        discarded = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.HELD).update(
            status=ImportRun.Status.DISCARDED, decided_by=actor, decided_at=timezone.now()
        )
        if not discarded:
            raise PackageError(f"Import run #{run.pk} is not held; only held runs can be discarded.")
        run.files.all().delete()
        with command_recording(actor=actor, action="sis_import_discard"):
            record_details(run=run.pk, status=ImportRun.Status.DISCARDED)
    run.refresh_from_db()
    return run
