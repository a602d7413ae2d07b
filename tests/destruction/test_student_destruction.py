"""Destroying one student on request: two people, refusals first, every row gone, a tombstone and the audit log kept."""

import hmac

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from audit.models import AccessEvent
from audit.subjects import subject_labels
from destruction import graph
from destruction.models import Destruction, LegalHold, Tombstone
from destruction.refusals import DestructionRefused
from destruction.services import (
    approve_destruction,
    cancel_destruction,
    lift_legal_hold,
    place_legal_hold,
    request_student_destruction,
)
from destruction.tombstones import local_id_hash
from privacy.downloads import store_download
from students.models import Student

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(demo, officer):
    return request_student_destruction(actor=officer, student=demo.student("mateo"), reason="Parent's written request")


def test_a_request_alone_destroys_nothing(demo, requested):
    mateo = demo.student("mateo")
    assert requested.status == Destruction.Status.REQUESTED
    assert Student.objects.filter(pk=mateo.pk).exists()
    assert not Tombstone.objects.exists()
    event = AccessEvent.objects.get(action="destruction_request")
    assert event.student_ids == [mateo.pk]


def test_the_requester_cannot_approve_their_own_request(officer, requested):
    with pytest.raises(DestructionRefused, match="cannot also approve"):
        approve_destruction(actor=officer, destruction=requested)
    requested.refresh_from_db()
    assert requested.status == Destruction.Status.REQUESTED


def test_the_database_also_refuses_an_approver_who_is_the_requester(requested):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Destruction.objects.filter(pk=requested.pk).update(approved_by_id=requested.requested_by_id)


def test_only_privacy_officers_may_request_or_approve_not_even_a_superuser(demo, requested):
    superuser = demo.educator("admin")
    with pytest.raises(PermissionDenied):
        request_student_destruction(actor=superuser, student=demo.student("lily"), reason="x")
    with pytest.raises(PermissionDenied):
        approve_destruction(actor=superuser, destruction=requested)


def test_a_second_officer_approves_and_every_row_of_the_student_goes(demo, officer, second_officer, requested):
    mateo = demo.student("mateo")
    lily = demo.student("lily")
    before = graph.count_rows([mateo.pk])
    lily_before = graph.count_rows([lily.pk])
    events_before = AccessEvent.objects.filter(student_ids__contains=[mateo.pk]).count()

    done = approve_destruction(actor=second_officer, destruction=requested)

    assert done.status == Destruction.Status.DONE
    assert done.approved_by_email == second_officer.email
    assert done.requested_by_email == officer.email
    assert done.counts == before and done.counts["students_student"] == 1
    assert done.backups_expire_on is not None
    assert graph.count_rows([mateo.pk]) == {}
    assert graph.count_rows([lily.pk]) == lily_before
    # The audit log is kept whole: every earlier event still names the student, and the destruction too.
    assert AccessEvent.objects.filter(student_ids__contains=[mateo.pk]).count() == events_before + 1
    destroyed = AccessEvent.objects.get(action="destruction_approve")
    assert destroyed.changed_student_ids == [mateo.pk]
    assert destroyed.details["rows"] == before


def test_files_made_for_the_student_and_not_yet_downloaded_are_wiped(demo, officer, second_officer, requested):
    mateo, lily = demo.student("mateo"), demo.student("lily")
    pending = store_download(
        owner=officer,
        purpose="family's record",
        filename="r.zip",
        content_type="application/zip",
        content=b"mateo's record",
        student_ids=[mateo.pk],
    )
    other = store_download(
        owner=officer,
        purpose="family's record",
        filename="l.zip",
        content_type="application/zip",
        content=b"lily's record",
        student_ids=[lily.pk],
    )
    done = approve_destruction(actor=second_officer, destruction=requested)
    pending.refresh_from_db()
    other.refresh_from_db()
    assert bytes(pending.data) == b"" and bytes(other.data) != b""
    assert done.counts["privacy_downloadlink (files not yet downloaded)"] == 1


def test_the_tombstone_keeps_only_a_keyed_hash_of_the_sis_id(settings, demo, second_officer, requested):
    local_id = demo.student("mateo").local_id
    approve_destruction(actor=second_officer, destruction=requested)
    tombstone = Tombstone.objects.get()
    assert tombstone.local_id_hash == local_id_hash(local_id)
    assert local_id not in tombstone.local_id_hash
    expected = hmac.new(settings.TOMBSTONE_KEY.encode(), local_id.encode(), "sha256").hexdigest()
    assert tombstone.local_id_hash == expected
    settings.TOMBSTONE_KEY = "another-key"
    assert local_id_hash(local_id) != tombstone.local_id_hash


def test_a_legal_hold_refuses_the_request_and_the_approval(demo, officer, second_officer, requested):
    lily = demo.student("lily")
    place_legal_hold(actor=officer, student=lily, reason="Litigation hold, case 26-114")
    with pytest.raises(DestructionRefused, match="legal hold"):
        request_student_destruction(actor=officer, student=lily, reason="Parent's request")

    hold = place_legal_hold(actor=officer, student=demo.student("mateo"), reason="Subpoena")
    with pytest.raises(DestructionRefused, match="legal hold"):
        approve_destruction(actor=second_officer, destruction=requested)
    assert Student.objects.filter(pk=hold.student_id).exists()
    refused = AccessEvent.objects.filter(action="destruction_approve").get()
    assert refused.outcome == AccessEvent.Outcome.ERROR

    lift_legal_hold(actor=officer, hold=hold)
    assert approve_destruction(actor=second_officer, destruction=requested).status == Destruction.Status.DONE


def test_an_open_access_request_refuses_destruction(demo, officer, second_officer, requested, open_access_request):
    with pytest.raises(DestructionRefused, match="99.10"):
        request_student_destruction(
            actor=officer, student=open_access_request(demo.student("lily")).student, reason="x"
        )
    open_access_request(demo.student("mateo"))
    with pytest.raises(DestructionRefused, match="access request"):
        approve_destruction(actor=second_officer, destruction=requested)
    requested.refresh_from_db()
    assert requested.status == Destruction.Status.REQUESTED


def test_a_second_request_for_the_same_student_waits_for_the_first(demo, officer, requested):
    with pytest.raises(DestructionRefused, match="already waiting"):
        request_student_destruction(actor=officer, student=demo.student("mateo"), reason="again")


def test_a_request_needs_a_reason(demo, officer):
    with pytest.raises(DestructionRefused, match="Say why"):
        request_student_destruction(actor=officer, student=demo.student("lily"), reason="  ")


def test_a_cancelled_request_can_no_longer_be_approved(officer, second_officer, requested):
    cancel_destruction(actor=officer, destruction=requested)
    with pytest.raises(DestructionRefused, match="not waiting"):
        approve_destruction(actor=second_officer, destruction=requested)


def test_the_commands_request_and_approve_with_two_actors(demo, officer, second_officer, capsys):
    local_id = demo.student("lily").local_id
    call_command("request_destruction", actor=officer.email, student=local_id, reason="Parent's request")
    destruction = Destruction.objects.get()
    with pytest.raises(CommandError, match="cannot also approve"):
        call_command("approve_destruction", destruction.pk, actor=officer.email)
    call_command("approve_destruction", destruction.pk, actor=second_officer.email)
    output = capsys.readouterr().out
    assert f"Destruction #{destruction.pk} done" in output and "students_student" in output
    assert not Student.objects.filter(local_id=local_id).exists()
    with pytest.raises(CommandError, match="No student has that SIS local id"):
        call_command("request_destruction", actor=officer.email, student=local_id, reason="again")


@pytest.mark.parametrize("command", ["approve_destruction", "destruction_certificate"])
def test_the_commands_refuse_a_destruction_number_that_does_not_exist(officer, command):
    with pytest.raises(CommandError, match="There is no destruction #999999"):
        call_command(command, 999999, actor=officer.email)


def test_the_legal_hold_command_places_and_lifts(demo, officer):
    local_id = demo.student("lily").local_id
    call_command("legal_hold", actor=officer.email, student=local_id, reason="Case 26-114")
    assert LegalHold.objects.get().lifted_at is None
    call_command("legal_hold", actor=officer.email, student=local_id, lift=True)
    assert LegalHold.objects.get().lifted_by == officer
    with pytest.raises(CommandError, match="no standing legal hold"):
        call_command("legal_hold", actor=officer.email, student=local_id, lift=True)


def test_commands_refuse_an_actor_without_the_permission(demo):
    with pytest.raises(CommandError, match="privacy_operations"):
        call_command("request_destruction", actor=demo.educator("admin").email, student="100000", reason="x")


def test_the_audit_log_names_a_destroyed_student_a_destroyed_record(demo, second_officer, requested):
    mateo, lily = demo.student("mateo"), demo.student("lily")
    approve_destruction(actor=second_officer, destruction=requested)
    labels = subject_labels([mateo.pk, lily.pk, 10**12])
    assert labels == {
        mateo.pk: "destroyed record",
        lily.pk: f"{lily.full_name} (SIS local id {lily.local_id})",
        10**12: "no longer in the record",
    }
