"""The SIS import does not bring a destroyed student back (a row error, no id) until the tombstone is lifted."""

import logging

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from audit.models import AccessEvent
from destruction.models import Tombstone
from destruction.services import approve_destruction, request_student_destruction
from destruction.tombstones import REFUSED_CODE, lift_tombstone
from students.models import Absence, Student
from students.sis.export import export_package
from students.sis.models import ImportRun
from students.sis.receive import receive_path
from students.sis.runs import run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(tmp_path, demo):
    """Tonight's SIS export, still listing the student about to be destroyed."""
    export_package(tmp_path)
    return tmp_path


@pytest.fixture
def destroyed(demo, officer, second_officer):
    mateo = demo.student("mateo")
    request = request_student_destruction(actor=officer, student=mateo, reason="Parent's request")
    approve_destruction(actor=second_officer, destruction=request)
    return mateo


def import_package(path, actor) -> ImportRun:
    return run_import(receive_path(path, triggered_by=actor, source="command"), actor=actor)


def test_the_import_refuses_to_recreate_a_destroyed_student_and_says_where(package, destroyed, demo, caplog):
    caplog.set_level(logging.DEBUG)
    importer = demo.educator("admin")
    run = import_package(package, importer)

    assert run.status == ImportRun.Status.APPLIED
    assert not Student.objects.filter(local_id=destroyed.local_id).exists()
    assert not Absence.objects.filter(student_id=destroyed.pk).exists()
    refused = run.row_errors.get(code=REFUSED_CODE)
    assert (refused.file, refused.column) == ("students.csv", "local_id")
    assert refused.row_number > 1
    # The other rows of the student (attendance, assessments…) follow as unknown students.
    assert run.row_errors.filter(code="unknown_student").exists()
    # Nobody is named: not in the row errors, the run, or the log.
    assert destroyed.local_id not in caplog.text and destroyed.last_name not in caplog.text
    assert destroyed.local_id not in str(run.counts) + run.error
    assert Student.objects.count() == 19


def test_lifting_the_tombstone_is_recorded_and_lets_the_import_recreate_the_student(package, destroyed, demo, officer):
    tombstone = Tombstone.objects.get()
    with pytest.raises(ValueError, match="Say why"):
        lift_tombstone(tombstone, actor=officer, reason="")
    lift_tombstone(tombstone, actor=officer, reason="Re-enrolled on 2026-11-30")
    event = AccessEvent.objects.get(action="destruction_lift_tombstone")
    assert event.details["reason"] == "Re-enrolled on 2026-11-30"
    assert event.actor_email == officer.email

    run = import_package(package, demo.educator("admin"))
    assert not run.row_errors.filter(code=REFUSED_CODE).exists()
    assert Student.objects.filter(local_id=destroyed.local_id).exists()


def test_lifting_a_lifted_tombstone_again_is_refused_and_the_attempt_recorded(destroyed, officer):
    tombstone = Tombstone.objects.get()
    lift_tombstone(tombstone, actor=officer, reason="Re-enrolled on 2026-11-30")
    with pytest.raises(ValueError, match="already lifted"):
        lift_tombstone(tombstone, actor=officer, reason="Again")
    events = AccessEvent.objects.filter(action="destruction_lift_tombstone").order_by("id")
    assert [event.outcome for event in events] == [AccessEvent.Outcome.OK, AccessEvent.Outcome.ERROR]
    assert Tombstone.objects.get().lift_reason == "Re-enrolled on 2026-11-30"


def test_the_lift_command_finds_the_tombstone_by_sis_id(destroyed, officer):
    with pytest.raises(CommandError, match="No standing tombstone"):
        call_command("lift_tombstone", actor=officer.email, student="no-such-id", reason="x")
    call_command("lift_tombstone", actor=officer.email, student=destroyed.local_id, reason="Destroyed by mistake")
    assert Tombstone.objects.get().lifted_by_email == officer.email
    with pytest.raises(CommandError, match="No standing tombstone"):
        call_command("lift_tombstone", actor=officer.email, student=destroyed.local_id, reason="again")


def test_the_family_can_still_ask_who_looked_at_the_destroyed_record(destroyed, demo, officer, client):
    """The audit report finds the destroyed student by SIS local id and lists who accessed it."""
    officer.user_permissions.add(Permission.objects.get(codename="view_audit_reports"))
    client.force_login(officer)
    page = client.get("/admin/audit/accessevent/reports/student-access/", {"student": destroyed.local_id})
    text = page.content.decode()
    assert page.status_code == 200
    assert "destroyed record" in text
    assert "approved the destruction of the student" in text
    assert destroyed.first_name not in text
    missing = client.get("/admin/audit/accessevent/reports/student-access/", {"student": "no-such-student"})
    assert "No student has that SIS local id" in missing.content.decode()
