"""The correction and statement commands: the admin's steps from a terminal, via the same services and audit events."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AccessEvent
from destruction.models import Destruction, Tombstone
from destruction.tombstones import local_id_hash
from privacy.models import CorrectionRequest, DisagreementStatement
from students.models import Service

pytestmark = pytest.mark.django_db

RECEIVED = "2026-11-02"


def run(name: str, actor, *options: str) -> str:
    out = io.StringIO()
    call_command(name, "--actor", actor.email, *options, stdout=out)
    return out.getvalue()


def open_request(officer, student: str, target: str, *more: str) -> str:
    return run(
        "privacy_correction",
        officer,
        "--student",
        student,
        "--requester-name",
        "Rosa Alvarez",
        "--received-on",
        RECEIVED,
        "--target",
        target,
        "--disputed",
        "He was absent two days, not five.",
        *more,
    )


def test_a_request_is_logged_and_a_note_corrected_in_place_with_the_events_recorded(demo, officer, note):
    mateo = demo.student("mateo")
    out = open_request(officer, mateo.local_id, "note", "--target-id", str(note.pk))
    correction = CorrectionRequest.objects.get()
    assert f"{correction} logged for Mateo Alvarez (SIS local id {mateo.local_id})" in out
    assert (correction.requester_name, correction.relationship, correction.target_id) == (
        "Rosa Alvarez",
        "parent",
        note.pk,
    )
    logged = AccessEvent.objects.get(action="privacy_correction")
    assert (logged.actor_id, logged.changed_student_ids) == (officer.pk, [mateo.pk])
    assert logged.object_ids == {"correction_request": [correction.pk]}

    out = run(
        "privacy_correction_decide",
        officer,
        "--request",
        str(correction.pk),
        "--decision",
        "amend",
        "--reason",
        "The attendance record shows two days.",
        "--corrected-text",
        "Mateo was absent two days.",
    )
    assert "decided: Corrected in Insights." in out
    note.refresh_from_db()
    assert note.text == "Mateo was absent two days."
    assert [revision.text for revision in note.revisions.all()] == ["Mateo was absent all week."]
    decided = AccessEvent.objects.get(action="privacy_correction_decide")
    assert decided.changed_student_ids == [mateo.pk]
    assert decided.object_ids == {"note": [note.pk], "correction_request": [correction.pk]}
    assert "absent" not in out


def test_a_service_is_corrected_sis_data_sent_to_the_sis_and_a_refusal_recorded(demo, officer):
    mateo = demo.student("mateo")
    service = Service.objects.create(
        student=mateo,
        service_type="reading_intervention",
        provided_by="Ms. Reyes",
        date_started=datetime.date(2026, 9, 8),
        recorded_by=demo.educator("teacher.5"),
    )
    open_request(officer, mateo.local_id, "service", "--target-id", str(service.pk))
    open_request(officer, mateo.local_id, "sis")
    open_request(officer, mateo.local_id, "sis")
    to_service, to_sis, to_refuse = CorrectionRequest.objects.order_by("id")
    run(
        "privacy_correction_decide",
        officer,
        "--request",
        str(to_service.pk),
        "--decision",
        "amend",
        "--reason",
        "Wrong provider.",
        "--provided-by",
        "Mr. Ortiz",
        "--date-started",
        "2026-09-15",
    )
    service.refresh_from_db()
    assert (service.provided_by, service.date_started) == ("Mr. Ortiz", datetime.date(2026, 9, 15))
    to_service.refresh_from_db()
    assert to_service.previous["provided_by"] == "Ms. Reyes"
    run("privacy_correction_decide", officer, "--request", str(to_sis.pk), "--decision", "sis", "--reason", "Sent.")
    run(
        "privacy_correction_decide",
        officer,
        "--request",
        str(to_refuse.pk),
        "--decision",
        "refuse",
        "--reason",
        "Accurate.",
    )
    statuses = list(CorrectionRequest.objects.order_by("id").values_list("status", "decision_reason"))
    assert statuses == [("amended", "Wrong provider."), ("correct_in_sis", "Sent."), ("refused", "Accurate.")]


def test_a_statement_is_filed_and_goes_with_the_record(demo, officer):
    mateo = demo.student("mateo")
    open_request(officer, mateo.local_id, "sis")
    correction = CorrectionRequest.objects.get()
    out = run(
        "privacy_statement",
        officer,
        "--student",
        mateo.local_id,
        "--filed-by",
        "Rosa Alvarez",
        "--filed-on",
        RECEIVED,
        "--text",
        "We disagree with the note of October 1.",
        "--correction",
        str(correction.pk),
    )
    statement = DisagreementStatement.objects.get()
    assert f"{statement} filed with the record of Mateo Alvarez" in out
    assert (statement.student, statement.correction, statement.text) == (
        mateo,
        correction,
        "We disagree with the note of October 1.",
    )
    event = AccessEvent.objects.get(action="privacy_statement")
    assert event.object_ids == {"disagreement_statement": [statement.pk]}


def decide(officer, *options):
    return run("privacy_correction_decide", officer, *options)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--decision", "forget", "--reason", "x"), "--decision: Select a valid choice"),
        (("--decision", "refuse", "--reason", " "), "--reason: This field is required"),
        (("--decision", "amend", "--reason", "Agreed."), 'choose "Correct in the SIS"'),
        (("--decision", "sis", "--reason", "x", "--date-started", "soon"), "--date-started: Enter a valid date"),
    ],
)
def test_a_bad_decision_is_refused_and_leaves_the_request_open(demo, officer, options, message):
    open_request(officer, demo.student("mateo").local_id, "sis")
    correction = CorrectionRequest.objects.get()
    with pytest.raises(CommandError, match=message):
        decide(officer, "--request", str(correction.pk), *options)
    correction.refresh_from_db()
    assert (correction.status, correction.decided_at) == ("open", None)
    assert AccessEvent.objects.get(action="privacy_correction_decide").outcome == "error"


def test_a_decided_request_or_an_unknown_one_is_refused(demo, officer):
    open_request(officer, demo.student("mateo").local_id, "sis")
    correction = CorrectionRequest.objects.get()
    decide(officer, "--request", str(correction.pk), "--decision", "refuse", "--reason", "Accurate.")
    with pytest.raises(CommandError, match="already been decided"):
        decide(officer, "--request", str(correction.pk), "--decision", "sis", "--reason", "x")
    with pytest.raises(CommandError, match="--request: no correction request has that number"):
        decide(officer, "--request", str(correction.pk + 1000), "--decision", "sis", "--reason", "x")


@pytest.mark.parametrize(
    ("command", "options", "message"),
    [
        (
            "privacy_correction",
            ("--target", "sis", "--requester-name", "X", "--received-on", RECEIVED, "--disputed", "x"),
            "--student: No student has that SIS local id",
        ),
        ("privacy_statement", ("--filed-by", "X", "--filed-on", RECEIVED, "--text", "t"), "--student: No student"),
    ],
)
def test_an_unknown_student_is_refused(officer, command, options, message):
    with pytest.raises(CommandError, match=message):
        run(command, officer, "--student", "nobody-at-all", *options)
    assert not CorrectionRequest.objects.exists() and not DisagreementStatement.objects.exists()


@pytest.mark.parametrize(
    ("command", "options"),
    [
        (
            "privacy_correction",
            ("--target", "sis", "--requester-name", "X", "--received-on", RECEIVED, "--disputed", "x"),
        ),
        ("privacy_statement", ("--filed-by", "X", "--filed-on", RECEIVED, "--text", "t")),
        ("privacy_family_record", ()),
    ],
)
def test_a_destroyed_student_is_refused_plainly(officer, command, options):
    # The lookup names a destroyed student too (for their access report); there is no record left to act on.
    destruction = Destruction.objects.create(kind=Destruction.Kind.STUDENT, reason="Parent's request")
    Tombstone.objects.create(local_id_hash=local_id_hash("GONE-1"), student_id=10**9, destruction=destruction)
    with pytest.raises(CommandError, match="--student: that is a destroyed record .*nothing is held to act on"):
        run(command, officer, "--student", "GONE-1", *options)
    assert not CorrectionRequest.objects.exists() and not DisagreementStatement.objects.exists()


def test_the_request_and_the_statement_are_validated(demo, officer, note):
    lily = demo.student("lily").local_id
    with pytest.raises(CommandError, match="This student has no note with that number"):
        open_request(officer, lily, "note", "--target-id", str(note.pk))
    with pytest.raises(CommandError, match="--target: Select a valid choice"):
        open_request(officer, lily, "grades")
    with pytest.raises(CommandError, match="--received-on: A request cannot be received in the future"):
        open_request(officer, lily, "sis", "--received-on", "2999-01-01")
    with pytest.raises(CommandError, match="--text: This field is required"):
        run("privacy_statement", officer, "--student", lily, "--filed-by", "X", "--filed-on", RECEIVED, "--text", " ")
    assert not CorrectionRequest.objects.exists() and not DisagreementStatement.objects.exists()


@pytest.mark.parametrize(
    ("command", "options"),
    [
        (
            "privacy_correction",
            ("--target", "sis", "--requester-name", "X", "--received-on", RECEIVED, "--disputed", "x"),
        ),
        ("privacy_correction_decide", ("--request", "1", "--decision", "sis", "--reason", "x")),
        ("privacy_statement", ("--filed-by", "X", "--filed-on", RECEIVED, "--text", "t")),
    ],
)
def test_the_commands_refuse_an_actor_without_privacy_operations(demo, command, options):
    student = () if command == "privacy_correction_decide" else ("--student", demo.student("mateo").local_id)
    with pytest.raises(CommandError, match="lacks the privacy.privacy_operations permission"):
        run(command, demo.educator("admin"), *student, *options)
    assert not CorrectionRequest.objects.exists() and not DisagreementStatement.objects.exists()
