"""Correcting a record on request: Insights' own data in place with the previous version kept, the SIS's marked
for correction there, refusals with a reason, and statements of disagreement shown and exported with the record."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AccessEvent
from audit.recorder import command_recording
from privacy.corrections import (
    correction_amend_note,
    correction_amend_service,
    correction_open,
    correction_refuse,
    correction_send_to_sis,
    statement_file,
)
from privacy.models import CorrectionRequest, DisagreementStatement
from privacy.packages import family_record_files
from privacy.record import family_record
from students.models import EventNote, Service

pytestmark = pytest.mark.django_db

RECEIVED = datetime.date(2026, 11, 2)


@pytest.fixture
def service(demo):
    return Service.objects.create(
        student=demo.student("mateo"),
        service_type="reading_intervention",
        provided_by="Ms. Reyes",
        date_started=datetime.date(2026, 9, 8),
        recorded_by=demo.educator("teacher.5"),
    )


def open_correction(officer, student, target, target_id=None, disputed="This is wrong."):
    return correction_open(
        actor=officer,
        student=student,
        requester_name="Rosa Alvarez",
        relationship="parent",
        received_on=RECEIVED,
        target=target,
        target_id=target_id,
        disputed=disputed,
    )


def test_a_disputed_note_is_corrected_in_place_and_its_previous_version_kept(demo, officer, note):
    correction = open_correction(officer, demo.student("mateo"), "note", note.pk, "He was absent two days, not five.")
    with command_recording(actor=officer, action="test"):
        correction_amend_note(
            actor=officer,
            correction=correction,
            text="Mateo was absent two days.",
            reason="The attendance record shows two days.",
        )
    note.refresh_from_db()
    assert note.text == "Mateo was absent two days."
    assert [revision.text for revision in note.revisions.all()] == ["Mateo was absent all week."]
    correction.refresh_from_db()
    assert (correction.status, correction.decided_by) == ("amended", officer)
    event = AccessEvent.objects.latest("id")
    assert event.changed_student_ids == [demo.student("mateo").pk]
    assert event.object_ids == {"note": [note.pk], "correction_request": [correction.pk]}


def test_a_restricted_note_is_corrected_in_its_encrypted_column(demo, officer):
    restricted = EventNote.objects.create(
        student=demo.student("mateo"),
        author=demo.educator("counselor.baker"),
        note_type="counselor",
        is_restricted=True,
        restricted_text="Old text.",
        recorded_at="2026-10-01T12:00:00Z",
    )
    correction = open_correction(officer, demo.student("mateo"), "note", restricted.pk)
    correction_amend_note(actor=officer, correction=correction, text="New text.", reason="Agreed.")
    restricted.refresh_from_db()
    assert (restricted.text, restricted.restricted_text) == ("", "New text.")
    assert restricted.revisions.get().restricted_text == "Old text."


def test_a_disputed_service_is_corrected_with_its_old_values_on_the_request(demo, officer, service):
    correction = open_correction(officer, demo.student("mateo"), "service", service.pk)
    correction_amend_service(
        actor=officer,
        correction=correction,
        reason="Wrong provider.",
        changes={"provided_by": "Mr. Ortiz", "date_started": datetime.date(2026, 9, 15)},
    )
    service.refresh_from_db()
    assert (service.provided_by, service.date_started) == ("Mr. Ortiz", datetime.date(2026, 9, 15))
    correction.refresh_from_db()
    assert correction.previous["provided_by"] == "Ms. Reyes" and correction.previous["date_started"] == "2026-09-08"


def test_a_service_correction_is_validated(demo, officer, service):
    correction = open_correction(officer, demo.student("mateo"), "service", service.pk)
    for changes, message in (
        ({}, "changes its type"),
        ({"recorded_by": 1}, "changes its type"),
        ({"service_type": "magic"}, "Unknown service type"),
        ({"estimated_end_date": datetime.date(2026, 1, 1)}, "before the start"),
    ):
        with pytest.raises(ValidationError, match=message):
            correction_amend_service(actor=officer, correction=correction, changes=changes, reason="x")
    service.refresh_from_db()
    assert service.estimated_end_date is None


def test_sis_data_is_marked_correct_in_the_sis_and_a_refusal_needs_a_reason(demo, officer):
    mateo = demo.student("mateo")
    sis = open_correction(officer, mateo, "sis", disputed="His birth date is wrong.")
    correction_send_to_sis(actor=officer, correction=sis, reason="Sent to the registrar.")
    assert CorrectionRequest.objects.get(pk=sis.pk).status == "correct_in_sis"
    refused = open_correction(officer, mateo, "sis")
    with pytest.raises(ValidationError, match="Give the reason"):
        correction_refuse(actor=officer, correction=refused, reason="  ")
    correction_refuse(actor=officer, correction=refused, reason="The record is accurate.")
    with pytest.raises(ValidationError, match="already been decided"):
        correction_send_to_sis(actor=officer, correction=refused, reason="again")
    with pytest.raises(ValidationError, match="does not dispute a note"):
        correction_amend_note(actor=officer, correction=open_correction(officer, mateo, "sis"), text="x", reason="y")


def test_a_request_must_name_a_record_of_this_student(demo, officer, note):
    with pytest.raises(ValidationError, match="no note with that number"):
        open_correction(officer, demo.student("lily"), "note", note.pk)
    with pytest.raises(ValidationError, match="no service with that number"):
        open_correction(officer, demo.student("mateo"), "service", None)
    with pytest.raises(PermissionDenied):
        correction_open(
            actor=demo.educator("admin"),
            student=demo.student("mateo"),
            requester_name="X",
            relationship="parent",
            received_on=RECEIVED,
            target="sis",
            target_id=None,
            disputed="x",
        )
    with pytest.raises(ValidationError, match="future"):
        correction_open(
            actor=officer,
            student=demo.student("mateo"),
            requester_name="X",
            relationship="parent",
            received_on=timezone.localdate() + datetime.timedelta(days=1),
            target="sis",
            target_id=None,
            disputed="x",
        )


def test_a_statement_is_shown_on_the_profile_to_those_who_may_see_the_student_and_in_every_export(
    demo, officer, client_for
):
    mateo = demo.student("mateo")
    statement_file(
        actor=officer,
        student=mateo,
        filed_by="Rosa Alvarez",
        filed_on=RECEIVED,
        text="We disagree with the note of October 1.",
    )
    assert (
        "We disagree with the note of October 1."
        in client_for("teacher.5").get(f"/students/{mateo.pk}/").content.decode()
    )
    assert client_for("teacher.k").get(f"/students/{mateo.pk}/").status_code == 404
    files = family_record_files(family_record(mateo), generated_by="Parker Privacy")
    assert "We disagree with the note of October 1." in files["statements_of_disagreement.csv"].decode("utf-8-sig")
    stored = DisagreementStatement.objects.get()
    assert "We disagree" not in str(stored)


def test_a_statement_is_refused_without_text_or_for_another_students_request(demo, officer):
    with pytest.raises(ValidationError, match="needs its text"):
        statement_file(actor=officer, student=demo.student("mateo"), filed_by="X", filed_on=RECEIVED, text=" ")
    other = open_correction(officer, demo.student("lily"), "sis")
    with pytest.raises(ValidationError, match="another student"):
        statement_file(
            actor=officer, student=demo.student("mateo"), filed_by="X", filed_on=RECEIVED, text="t", correction=other
        )


def test_the_admin_logs_decides_and_files(client_for, demo, note):
    client = client_for("privacy")
    mateo = demo.student("mateo")
    response = client.post(
        "/admin/privacy/correctionrequest/add/",
        {
            "student_local_id": mateo.local_id,
            "requester_name": "Rosa Alvarez",
            "relationship": "parent",
            "received_on": RECEIVED.isoformat(),
            "target": "note",
            "target_id": note.pk,
            "disputed": "Wrong days.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    correction = CorrectionRequest.objects.get()
    wrong = client.post(
        "/admin/privacy/correctionrequest/add/",
        {
            "student_local_id": demo.student("lily").local_id,
            "requester_name": "X",
            "relationship": "parent",
            "received_on": RECEIVED.isoformat(),
            "target": "note",
            "target_id": note.pk,
            "disputed": "x",
        },
    )
    assert "This student has no note with that number." in wrong.content.decode()
    decide = f"/admin/privacy/correctionrequest/{correction.pk}/decide/"
    assert "Wrong days." in client.get(decide).content.decode()
    response = client.post(decide, {"decision": "amend", "reason": "Agreed.", "corrected_text": "Two days."})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "Two days."
    assert "Corrected in Insights" in client.get(decide).content.decode()
    response = client.post(
        "/admin/privacy/disagreementstatement/add/",
        {
            "student_local_id": mateo.local_id,
            "filed_by": "Rosa Alvarez",
            "filed_on": RECEIVED.isoformat(),
            "text": "We still disagree.",
        },
    )
    assert response.status_code == 302
    assert DisagreementStatement.objects.get().student == mateo


def test_deciding_sis_data_as_an_insights_correction_is_refused_plainly(client_for, demo, officer):
    correction = open_correction(officer, demo.student("mateo"), "sis")
    response = client_for("privacy").post(
        f"/admin/privacy/correctionrequest/{correction.pk}/decide/", {"decision": "amend", "reason": "x"}
    )
    assert "corrected in the SIS" in response.content.decode()
    assert client_for("admin").get(f"/admin/privacy/correctionrequest/{correction.pk}/decide/").status_code == 403


def test_opening_the_decide_page_is_recorded_as_viewing_the_student(client_for, demo, officer):
    mateo = demo.student("mateo")
    correction = open_correction(officer, mateo, "sis", disputed="His birth date is wrong.")
    page = client_for("privacy").get(f"/admin/privacy/correctionrequest/{correction.pk}/decide/")
    assert "His birth date is wrong." in page.content.decode()
    viewed = AccessEvent.objects.get(action="admin:privacy_correction_decide")
    assert (viewed.actor_id, viewed.student_ids, viewed.changed_student_ids) == (officer.pk, [mateo.pk], [])
    assert viewed.object_ids == {"correction_request": [correction.pk]}
