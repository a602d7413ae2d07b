"""The retention sweep: a dry run lists what is due; a real run destroys it through the destruction path."""

import datetime

import pytest
from allauth.usersessions.models import UserSession
from django.core.management import call_command
from django.utils import timezone

from audit.models import AccessEvent
from destruction import graph
from destruction.models import Destruction, LegalHold, RetentionSweep, Tombstone
from destruction.retention import sweep
from destruction.tasks import retention_sweep_job
from destruction.tombstones import local_id_hash
from insights.jobs import app
from students.models import Student
from students.sis.models import ImportFile, ImportFileChunk, ImportRowError, ImportRun

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LONG_AGO = NOW - datetime.timedelta(days=365 * 8)


def left_long_ago(student, status=Student.EnrollmentStatus.WITHDRAWN):
    Student.objects.filter(pk=student.pk).update(enrollment_status=status, updated_at=LONG_AGO)
    return student


@pytest.fixture
def due(demo):
    """Two students who left eight years ago, one who left last year, and an old import with its files."""
    gone = [
        left_long_ago(demo.student("mateo")),
        left_long_ago(demo.student("lily"), Student.EnrollmentStatus.GRADUATED),
    ]
    Student.objects.filter(pk=demo.student("aisha").pk).update(enrollment_status="Transferred", updated_at=NOW)
    run = ImportRun.objects.create(status=ImportRun.Status.APPLIED)
    ImportRun.objects.filter(pk=run.pk).update(created_at=NOW - datetime.timedelta(days=91))
    stored = ImportFile.objects.create(run=run, name="students.csv", sha256="0" * 64, size=3)
    ImportFileChunk.objects.create(file=stored, index=0, data=b"x")
    ImportRowError.objects.create(run=run, file="students.csv", row_number=2, code="bad_date")
    return gone, run


def test_a_dry_run_lists_what_is_due_and_destroys_nothing(due, officer):
    (mateo, lily), run = due
    record = sweep(actor=officer, dry_run=True)
    assert record.found["students"] == sorted([mateo.pk, lily.pk])
    assert record.found["import_runs"] == [run.pk]
    assert record.destruction is None
    assert Student.objects.filter(pk__in=[mateo.pk, lily.pk]).count() == 2
    assert ImportFile.objects.filter(run=run).exists()
    event = AccessEvent.objects.get(action="retention_sweep")
    assert set(event.student_ids) == {mateo.pk, lily.pk} and event.details["dry_run"] is True


def test_a_real_run_destroys_through_the_same_path_with_tombstones_and_a_certificate(due, demo):
    (mateo, lily), run = due
    aisha = demo.student("aisha")
    old_session = UserSession.objects.create(
        user=demo.educator("teacher.5"),
        ip="203.0.113.9",
        session_key="old",
        user_agent="x",
        last_seen_at=NOW - datetime.timedelta(days=400),
    )
    UserSession.objects.create(user=demo.educator("teacher.5"), ip="203.0.113.10", session_key="new", user_agent="x")

    record = sweep(actor=None, dry_run=False)

    destruction = record.destruction
    assert destruction.kind == Destruction.Kind.RETENTION and destruction.status == Destruction.Status.DONE
    assert destruction.requested_by_name == "Scheduled retention sweep"
    assert graph.count_rows([mateo.pk, lily.pk]) == {}
    assert Student.objects.filter(pk=aisha.pk).exists()  # left a year ago: kept
    assert set(Tombstone.objects.values_list("local_id_hash", flat=True)) == {
        local_id_hash(mateo.local_id),
        local_id_hash(lily.local_id),
    }
    assert not ImportFile.objects.filter(run=run).exists() and not ImportRowError.objects.filter(run=run).exists()
    assert ImportRun.objects.filter(pk=run.pk).exists()  # the run's history stays
    assert not UserSession.objects.filter(pk=old_session.pk).exists()
    assert UserSession.objects.filter(session_key="new").exists()
    assert destruction.counts["students_student"] == 2
    assert destruction.counts["sis_importfilechunk"] == 1 and destruction.counts["usersessions_usersession"] == 1
    event = AccessEvent.objects.get(action="retention_sweep")
    assert set(event.changed_student_ids) == {mateo.pk, lily.pk} and event.actor_id is None


def test_students_under_a_legal_hold_or_an_open_request_are_held_back_and_listed(due, officer, open_access_request):
    (mateo, lily), _run = due
    LegalHold.objects.create(student=mateo, reason="Case 26", placed_by=officer)
    open_access_request(lily)
    record = sweep(actor=officer, dry_run=False)
    assert record.found["students"] == []
    assert set(record.found["held_back"]) == {str(mateo.pk), str(lily.pk)}
    assert "legal hold" in record.found["held_back"][str(mateo.pk)]
    assert Student.objects.filter(pk__in=[mateo.pk, lily.pk]).count() == 2


def test_the_retention_period_is_a_setting(settings, due):
    settings.STUDENT_RETENTION_YEARS = 9
    settings.IMPORT_FILE_RETENTION_DAYS = 120
    record = sweep(actor=None, dry_run=True)
    assert record.found["students"] == [] and record.found["import_runs"] == []


def test_the_command_prints_the_dry_run_list(due, officer, capsys):
    (mateo, _lily), _run = due
    call_command("retention_sweep", actor=officer.email, dry_run=True)
    output = capsys.readouterr().out
    assert "students would be destroyed: 2" in output and f"student #{mateo.pk}" in output
    assert RetentionSweep.objects.get().dry_run


def test_the_sweep_is_registered_as_a_daily_job_and_obeys_the_apply_switch(settings, due):
    periodic = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["destruction.retention_sweep"] == "17 3 * * *"
    settings.RETENTION_SWEEP_APPLY = False
    assert RetentionSweep.objects.get(pk=retention_sweep_job(timestamp=0)).dry_run
