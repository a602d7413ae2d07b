"""Pulling a source's newest package into an import run, testing a source, and finding the sources due.

Every pull leaves a run in the import history: the package's own run (applied, held, unchanged,
failed…) when a file was fetched, or a failed run saying why none was (the server refused us, the
host key is not the pinned one, no file matches, the newest file is older than the source's
maximum age). Failed pulls email the importers, like failed imports.
"""

import datetime
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.recorder import command_recording, record_details
from students.sis import notify
from students.sis.models import ImportRun
from students.sis.receive import human_size, receive_path
from students.sis.runs import check_importer, run_import
from students.sis.sftp.models import ImportSource
from students.sis.sftp.remote import Listing, PullError, RemoteFile


def _refuse_stale_or_large(source: ImportSource, now: datetime.datetime):
    def accept(remote: RemoteFile) -> None:
        age = now - remote.modified
        if age > datetime.timedelta(days=source.max_age_days):
            raise PullError(
                f"The newest file matching {source.file_pattern!r} on {source.host}, {remote.name}, was last changed "
                f"{remote.modified:%Y-%m-%d %H:%M} UTC ({age.days} days ago); files older than "
                f"{source.max_age_days} days are refused. Check that the SIS export still runs."
            )
        limit = settings.SIS_IMPORT["MAX_PACKAGE_BYTES"]
        if remote.size > limit:
            raise PullError(f"{remote.name} on {source.host} is larger than the limit of {human_size(limit)}.")

    return accept


def _failed_pull(source: ImportSource, problem: PullError, *, actor) -> ImportRun:
    """A run in the history saying why nothing was fetched, recorded and mailed to the importers."""
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=source.run_label,
            triggered_by=actor,
            status=ImportRun.Status.FAILED,
            error=str(problem),
            finished_at=timezone.now(),
        )
        with command_recording(actor=actor, action="sis_pull"):
            record_details(run=run.pk, source=source.name, status=run.status)
    notify.importers_about(run)
    return run


def pull_source(source: ImportSource, *, actor=None) -> ImportRun:
    """Fetch the source's newest package and import it now (the worker's job); ``actor`` None is the schedule."""
    from students.sis.sftp import client  # asyncssh loads with the first pull or test (keys.py)

    if actor is not None:
        check_importer(actor)
    now = timezone.now()
    with tempfile.TemporaryDirectory(prefix="insights-sftp-") as folder:
        try:
            remote, local = client.download_newest(
                source.endpoint(),
                folder=source.remote_folder,
                pattern=source.file_pattern,
                accept=_refuse_stale_or_large(source, now),
                into=Path(folder),
            )
        except PullError as problem:
            run = _failed_pull(source, problem, actor=actor)
            ImportSource.objects.filter(pk=source.pk).update(last_pull_run=run, last_pull_file="")
            return run
        run = receive_path(local, triggered_by=actor, source=source.run_label)
    ImportSource.objects.filter(pk=source.pk).update(last_pull_run=run, last_pull_file=remote.path)
    if run.status == ImportRun.Status.RECEIVED:
        return run_import(run, actor=actor)
    notify.importers_about(run)  # the package itself was refused (damaged zip, over a size limit)
    return run


def describe_listing(source: ImportSource, listing: Listing, now: datetime.datetime) -> tuple[bool, str]:
    """Whether a pull now would fetch a file, and a sentence saying what it found."""
    newest = listing.newest
    if newest is None:
        return False, f"Connected, but no file matching {source.file_pattern!r} is in {listing.folder!r}."
    age = now - newest.modified
    found = (
        f"Connected; {len(listing.matches)} matching file(s), the newest {newest.name} "
        f"({human_size(newest.size)}, changed {newest.modified:%Y-%m-%d %H:%M} UTC)."
    )
    if age > datetime.timedelta(days=source.max_age_days):
        return False, f"{found} It is older than {source.max_age_days} days: a pull would refuse it."
    return True, found


def check_connection(source: ImportSource, *, actor) -> ImportSource:
    """Connect, check the host key and login, list the folder; the outcome is saved on the source."""
    from students.sis.sftp import client  # asyncssh loads with the first pull or test (keys.py)

    check_importer(actor)
    now = timezone.now()
    try:
        ok, message = describe_listing(
            source,
            client.list_matches(source.endpoint(), folder=source.remote_folder, pattern=source.file_pattern),
            now,
        )
    except PullError as problem:
        ok, message = False, str(problem)
    ImportSource.objects.filter(pk=source.pk).update(last_test_at=now, last_test_ok=ok, last_test_message=message)
    source.refresh_from_db()
    return source


def claim_due_sources(now: datetime.datetime) -> list[ImportSource]:
    """The enabled sources whose run time has come since their last scheduled pull, each claimed once.

    The claim is a conditional update, so two workers (or a tick repeated after an outage) never
    start the same scheduled pull twice; a worker that was down at the run time catches up once.
    """
    claimed = []
    for source in ImportSource.objects.filter(enabled=True):
        due = source.latest_scheduled_time(now)
        if ImportSource.objects.filter(pk=source.pk, last_scheduled_for__lt=due).update(last_scheduled_for=due):
            claimed.append(source)
    return claimed
