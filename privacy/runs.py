"""Starting and running the privacy office's packages: a family's record, a breach notification package.

Asking for a package creates a PackageRun and defers its job in the same transaction (the request
returns at once). The job builds the file inside one recording under the person who asked, so the
audit event naming every student in the file commits with the stored download, or neither does;
then it mails the owner the one-time link. Progress goes through students/sis/progress.py.
"""

import logging

from django.db import transaction
from django.utils import timezone

from audit.recorder import command_recording, record_details, record_objects, record_students
from insights.jobs import app
from privacy.breach import build_breach_package
from privacy.downloads import notify_ready, store_download
from privacy.models import AccessRequest, PackageKind, PackageRun, PackageStatus
from privacy.operators import require_operator
from privacy.packages import build_family_record
from students.models import Student
from students.sis.progress import Progress

logger = logging.getLogger(__name__)
BUILD_TASK = "privacy.build_package"
PRIVACY_QUEUE = "privacy"


def _queue(run: PackageRun) -> PackageRun:
    # By name: the task module imports this one. Deferred in the caller's transaction.
    app.configure_task(name=BUILD_TASK, queue=PRIVACY_QUEUE).defer(run_id=run.pk)
    record_objects("package_run", [run.pk])
    return run


def request_family_record(*, actor, student: Student, access_request: AccessRequest | None = None) -> PackageRun:
    """Queue the family's record of ``student`` for ``actor``; the file comes as a one-time download."""
    require_operator(actor)
    with transaction.atomic():
        run = PackageRun.objects.create(
            kind=PackageKind.FAMILY_RECORD, requested_by=actor, student=student, access_request=access_request
        )
        record_students([student.pk])
        return _queue(run)


def request_breach_package(*, actor, parameters: dict) -> PackageRun:
    """Queue the notification package for a breach scope (account and/or network, first and last day)."""
    require_operator(actor)
    with transaction.atomic():
        run = PackageRun.objects.create(kind=PackageKind.BREACH, requested_by=actor, parameters=parameters)
        return _queue(run)


BUILDERS = {PackageKind.FAMILY_RECORD: build_family_record, PackageKind.BREACH: build_breach_package}
JOB_ACTIONS = {PackageKind.FAMILY_RECORD: "privacy_family_record_job", PackageKind.BREACH: "privacy_breach_package_job"}


def run_package(run: PackageRun) -> PackageRun:
    """Build the run's file, store it as the owner's one-time download and record what it holds."""
    PackageRun.objects.filter(pk=run.pk).update(status=PackageStatus.RUNNING, started_at=timezone.now())
    run.refresh_from_db()
    progress = Progress(run)
    try:
        with command_recording(actor=run.requested_by, action=JOB_ACTIONS[run.kind]):
            built = BUILDERS[run.kind](run, progress)
            progress.close()
            link = store_download(
                owner=run.requested_by,
                purpose=run.get_kind_display().lower(),
                filename=built.filename,
                content_type=built.content_type,
                content=built.content,
                student_ids=built.student_ids,
            )
            record_students(built.student_ids, kind="exported")
            record_objects("package_run", [run.pk])
            record_details(package=run.kind, students=len(built.student_ids), **run.parameters)
            PackageRun.objects.filter(pk=run.pk).update(
                status=PackageStatus.READY,
                download=link,
                student_count=len(built.student_ids),
                finished_at=timezone.now(),
            )
    except Exception as error:
        logger.exception("Privacy package run %s failed.", run.pk)
        PackageRun.objects.filter(pk=run.pk).update(
            status=PackageStatus.FAILED,
            error=f"The package could not be built ({type(error).__name__}); nothing was stored.",
            finished_at=timezone.now(),
        )
        raise
    finally:
        progress.close()
    run.refresh_from_db()
    notify_ready(link)
    return run
