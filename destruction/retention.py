"""The retention sweep: what the district keeps no longer than necessary, destroyed daily on the queue.

Three rules, each a setting: records of students who left more than STUDENT_RETENTION_YEARS ago
(603 CMR 23.06's temporary record: seven years), stored SIS import files and their row errors
after IMPORT_FILE_RETENTION_DAYS, and sign-in IP addresses (the account's session list) after
SIGN_IN_IP_RETENTION_DAYS. A student "left" when their record last changed while no longer
enrolled (withdrawn, transferred, graduated, or missing from the SIS export). A dry run lists what
is due and destroys nothing; a real run destroys the students through the same path as a
destruction on request (tombstones, certificate, audit), skipping any under a legal hold or an
open access request, and lists those it held back and why.
"""

import datetime

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from audit.recorder import command_recording, record_details, record_objects, record_students
from destruction.models import Destruction, RetentionSweep
from destruction.refusals import blocked
from destruction.services import destroy_students, person
from students.models import Student
from students.sis.models import ImportFile, ImportFileChunk, ImportRowError, ImportRun

SWEEP_ACTION = "retention_sweep"


def _years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def students_due(now: datetime.datetime) -> list[int]:
    left = ~Q(enrollment_status=Student.EnrollmentStatus.ACTIVE) | Q(missing_from_last_export=True)
    cutoff = _years_before(now, settings.STUDENT_RETENTION_YEARS)
    return list(Student.objects.filter(left, updated_at__lt=cutoff).order_by("pk").values_list("pk", flat=True))


def import_runs_due(now: datetime.datetime) -> list[int]:
    cutoff = now - datetime.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    runs = ImportRun.objects.filter(created_at__lt=cutoff).filter(Q(files__isnull=False) | Q(row_errors__isnull=False))
    return sorted(set(runs.values_list("pk", flat=True)))


def sessions_due(now: datetime.datetime):
    return UserSession.objects.filter(
        last_seen_at__lt=now - datetime.timedelta(days=settings.SIGN_IN_IP_RETENTION_DAYS)
    )


def _destroy_import_files(run_ids: list[int]) -> dict[str, int]:
    chunks = ImportFileChunk.objects.filter(file__run_id__in=run_ids)
    files = ImportFile.objects.filter(run_id__in=run_ids)
    errors = ImportRowError.objects.filter(run_id__in=run_ids)
    counts = {ImportFileChunk._meta.db_table: chunks._raw_delete(chunks.db)}
    counts[ImportFile._meta.db_table] = files._raw_delete(files.db)
    counts[ImportRowError._meta.db_table] = errors._raw_delete(errors.db)
    ImportRun.objects.filter(pk__in=run_ids).update(row_error_count=0)
    return counts


def sweep(*, actor=None, dry_run: bool, now: datetime.datetime | None = None) -> RetentionSweep:
    """Apply (or, as a dry run, only list) the retention rules; ``actor`` None is the scheduled run."""
    now = now or timezone.now()
    with command_recording(actor=actor, action=SWEEP_ACTION):
        due = students_due(now)
        held_back = blocked(due)
        students = [student_id for student_id in due if student_id not in held_back]
        runs = import_runs_due(now)
        sessions = sessions_due(now)
        found = {
            "students": students,
            "held_back": {str(student_id): reason for student_id, reason in held_back.items()},
            "import_runs": runs,
            "sign_in_sessions": sessions.count(),
            "rules": {
                "student_retention_years": settings.STUDENT_RETENTION_YEARS,
                "import_file_retention_days": settings.IMPORT_FILE_RETENTION_DAYS,
                "sign_in_ip_retention_days": settings.SIGN_IN_IP_RETENTION_DAYS,
            },
        }
        destruction = None
        if not dry_run and (students or runs or found["sign_in_sessions"]):
            destruction = Destruction.objects.create(
                kind=Destruction.Kind.RETENTION,
                status=Destruction.Status.APPROVED,
                reason=(
                    f"The district's retention rules: students who left more than "
                    f"{settings.STUDENT_RETENTION_YEARS} years ago, import files after "
                    f"{settings.IMPORT_FILE_RETENTION_DAYS} days, sign-in addresses after "
                    f"{settings.SIGN_IN_IP_RETENTION_DAYS} days."
                ),
                student_ids=students,
                approved_at=now,
                details={"import_runs": runs},
                **person(actor, "requested_by"),
            )
            destroy_students(destruction)
            extra = _destroy_import_files(runs)
            extra[UserSession._meta.db_table] = sessions._raw_delete(sessions.db)
            destruction.counts = {**destruction.counts, **{table: rows for table, rows in extra.items() if rows}}
            destruction.save(update_fields=["counts"])
        record = RetentionSweep.objects.create(
            dry_run=dry_run, actor_email=actor.email if actor else "", found=found, destruction=destruction
        )
        record_students(due)
        record_objects("retention_sweep", [record.pk])
        record_details(dry_run=dry_run, students=len(students), held_back=len(held_back), import_runs=len(runs))
    return record
