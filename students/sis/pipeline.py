"""Running an import: structure checks, then stage, diff, guard and apply in one transaction.

The run's changes are made by set-based SQL inside one transaction (apply.py), so the diff is
what those statements report: a dry run or a held run performs them, records the counts and
rolls the transaction back; an applied run commits them together with its audit event and its
own status. Any failure rolls everything back and marks the run failed: the district's data is
exactly as it was, and running the package again is safe.
"""

import logging
import time
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.recorder import command_recording, record_details, record_students_from_query
from destruction.tombstones import refuse_destroyed_students
from permissions.sync import sync_sis_grants
from students.sis import guards, notify, skipping
from students.sis.apply import Applier
from students.sis.codes import UnmappedCodes, mappings_digest
from students.sis.format import FILES
from students.sis.models import ImportFile, ImportRowError, ImportRun
from students.sis.packages import check_package
from students.sis.plans import apply_plans
from students.sis.progress import Progress
from students.sis.reader import PackageError, RowError
from students.sis.sql import CHANGED_TABLE, scalar
from students.sis.staging import check_references, create_tables, remove_duplicates, stage_file

logger = logging.getLogger(__name__)
MAX_STORED_ROW_ERRORS = 50_000
LOCK_KEY = 7_301_012  # pg_advisory_xact_lock key: one import at a time per database
ORDER = [spec.name for spec in FILES]
# The reference checks ask, for every staged row, whether its student (school, section) is in the
# database or the package: PostgreSQL answers by hashing the package's keys once, but only when the
# hash fits in work_mem. At the default 4 MB a package of 500,000 students does not, and each of
# tens of millions of attendance rows would scan the staged students again. Raised for the import's
# transaction only; one import runs at a time (the advisory lock).
CHECK_WORK_MEM = "256MB"


class _RollBack(Exception):
    """Leave the transaction without committing (dry runs and held runs)."""


class RunState:
    """What a run found; saved on the ImportRun whatever the outcome."""

    def __init__(self):
        self.timings: dict[str, float] = {}
        self.counts: dict = {}
        self.guards: list = []
        self.warnings: list[str] = []
        self.errors: list[RowError] = []
        self.file_rows: dict[str, int] = {}
        self.manifest: dict = {}
        self.unmapped = UnmappedCodes()
        self.mappings_digest = mappings_digest()
        self.live_snapshot = ""
        self.skips = skipping.SkipPlan()

    @contextmanager
    def timed(self, stage: str):
        started = time.monotonic()
        try:
            yield
        finally:
            self.timings[stage] = round(self.timings.get(stage, 0) + time.monotonic() - started, 3)


def is_no_op(run: ImportRun, state: RunState) -> bool:
    """The package and code mappings are the last applied run's, and the live data is as that run left it."""
    last = skipping.last_applied(run)
    return (
        last is not None
        and (run.package_digest, state.mappings_digest) == (last.package_digest, last.mappings_digest)
        and not skipping.stopped_since(last, run)
        and not skipping.written_outside(last)
    )


def execute_run(run: ImportRun, *, actor, approve: bool = False, on_progress=None) -> ImportRun:
    """Run a received (or, with ``approve``, a held) import to its outcome; returns the updated run."""
    expected = ImportRun.Status.HELD if approve else ImportRun.Status.RECEIVED
    claimed = ImportRun.objects.filter(pk=run.pk, status=expected).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now(), progress_done=0, progress_stage="checking"
    )
    if not claimed:
        raise PackageError(f"Import run #{run.pk} is not {expected.label.lower()}; it cannot be run now.")
    run.refresh_from_db()
    state = RunState()
    if not run.dry_run and not approve and is_no_op(run, state):
        return _finish(run, state, ImportRun.Status.UNCHANGED, actor=actor)
    progress = Progress(run, on_progress)
    try:
        with state.timed("check"):
            package = check_package(list(run.files.all()))
        state.warnings = package.warnings
        state.manifest = package.manifest.as_json()
        outcome = _stage_and_apply(run, package, state, progress, actor=actor, approve=approve)
    except _RollBack as rolled_back:
        outcome = rolled_back.args[0]
    except PackageError as problem:
        progress.close()
        return _finish(run, state, ImportRun.Status.FAILED, actor=actor, error=str(problem))
    except DatabaseError as problem:
        progress.close()
        logger.warning("Import run #%s failed in the database (%s)", run.pk, type(problem).__name__)
        return _finish(run, state, ImportRun.Status.FAILED, actor=actor, error=_database_message(problem))
    except Exception:
        progress.close()
        _finish(run, state, ImportRun.Status.FAILED, actor=actor, error="An unexpected error stopped the run.")
        raise
    progress.close()
    if outcome == ImportRun.Status.APPLIED:
        _store_row_errors(run, state)
        run.refresh_from_db()
        return run
    return _finish(run, state, outcome, actor=actor)


def _database_message(problem: DatabaseError) -> str:
    """Name the rule the package broke, never the values (PostgreSQL's own message quotes them)."""
    cause = problem.__cause__
    diag = getattr(cause, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if constraint:
        return f"The package breaks the database rule {constraint}; nothing was changed."
    return f"The database refused the package ({type(problem).__name__}); nothing was changed."


def _stage_and_apply(run, package, state: RunState, progress: Progress, *, actor, approve: bool) -> str:
    manifest = package.manifest
    today = timezone.localdate()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            cursor.execute(f"SET LOCAL work_mem = '{CHECK_WORK_MEM}'")
        skipping.as_import()  # its own writes are not noted as written outside an import
        state.live_snapshot = scalar("SELECT pg_current_snapshot()::text")
        state.skips = skipping.plan(run, package, mappings_digest=state.mappings_digest, today=today)
        for checked in package.files:
            if checked.spec.name in state.skips.skipped:
                progress.advance(checked.stored.size)
        files = sorted(
            (checked for checked in package.files if checked.spec.name not in state.skips.skipped),
            key=lambda checked: ORDER.index(checked.spec.name),
        )
        staged = {checked.spec.name for checked in files}
        create_tables(files)
        with state.timed("parse_and_copy"):
            for checked in files:
                progress.stage(f"reading {checked.spec.filename}")
                window = manifest.windows.get(checked.spec.name)
                state.file_rows[checked.stored.name] = stage_file(
                    checked, today=today, window=window, errors=state.errors, on_bytes=progress.advance
                )
        progress.stage("checking references")
        with state.timed("resolve"):
            for checked in files:
                state.errors += remove_duplicates(checked.spec)
                if checked.spec.name == "students":
                    state.errors += refuse_destroyed_students(checked.spec.filename)
                state.errors += check_references(checked.spec, staged, manifest.scope_schools)
                state.errors += state.unmapped.resolve(checked.spec)
            state.errors, state.file_rows = package.report(state.errors, state.file_rows)
            state.errors += state.skips.errors()
            state.file_rows |= state.skips.file_rows()
        applier = Applier(staged=staged, scope_schools=manifest.scope_schools, windows=manifest.windows, run_id=run.pk)
        progress.stage("comparing with the district's data")
        with state.timed("diff_and_apply"):
            baseline = guards.measure_baseline(applier)
            state.counts = applier.apply()
            if "programs" in staged:
                state.counts |= apply_plans(
                    scope_condition=applier.in_scope("t.school_id"),
                    params=applier.params,
                    with_accommodations="accommodations" in staged,
                )
        state.counts |= state.skips.counts()
        with state.timed("grants"):
            if staged & {"educators", "educator_section_assignments"}:
                synced = sync_sis_grants()
                state.counts["sis grants"] = {"inserted": synced.added, "deleted": synced.removed}
        state.guards = guards.evaluate(
            run=run, baseline=baseline, counts=state.counts, file_rows=state.file_rows, unmapped=state.unmapped
        )
        held = any(result.tripped for result in state.guards) and not approve
        if run.dry_run:
            raise _RollBack(ImportRun.Status.DRY_RUN)
        if held:
            raise _RollBack(ImportRun.Status.HELD)
        progress.close()
        skipping.forget_writes_seen_by(state.live_snapshot)
        _save(run, state, ImportRun.Status.APPLIED)
        with command_recording(actor=actor, action="sis_import"):
            # Every student changed, listed by the database: at 500,000 students the list alone is most of the
            # worker's memory when held in Python.
            record_students_from_query(f"SELECT DISTINCT student_id FROM {CHANGED_TABLE} ORDER BY student_id")
            record_details(run=run.pk, status=run.status, counts=state.counts)
        skipping.as_import(False)  # for the rest of a transaction the run was part of
    return ImportRun.Status.APPLIED


def _save(run: ImportRun, state: RunState, status: str, error: str = "") -> None:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.counts = state.counts
    run.guard_results = guards.as_json(state.guards)
    run.stage_timings = state.timings
    run.warnings = state.warnings
    run.manifest = state.manifest
    run.row_error_count = len(state.errors)
    run.unmapped_codes = state.unmapped.as_json()
    run.mappings_digest = state.mappings_digest
    run.live_snapshot = state.live_snapshot
    run.progress_stage = ""
    run.progress_done = run.progress_total
    run.save()
    skipped = {previous.name: state.skips.last for previous in state.skips.skipped.values()}
    for name, rows in state.file_rows.items():
        ImportFile.objects.filter(run=run, name=name).update(rows=rows, unchanged_since=skipped.get(name))


def _store_row_errors(run: ImportRun, state: RunState) -> None:
    run.row_errors.all().delete()  # an approved run was checked once already, when it was held
    ImportRowError.objects.bulk_create(
        (
            ImportRowError(run=run, file=e.file, row_number=e.row_number, column=e.column, code=e.code)
            for e in state.errors[:MAX_STORED_ROW_ERRORS]
        ),
        batch_size=5000,
    )


def _finish(run: ImportRun, state: RunState, status: str, *, actor, error: str = "") -> ImportRun:
    """Save a run that did not apply (dry run, held, unchanged, failed) with one audit event of its own."""
    with transaction.atomic():
        _save(run, state, status, error)
        _store_row_errors(run, state)
        with command_recording(actor=actor, action="sis_import"):
            record_details(run=run.pk, status=status)
    if status in (ImportRun.Status.FAILED, ImportRun.Status.HELD):
        notify.importers_about(run)
    return run
