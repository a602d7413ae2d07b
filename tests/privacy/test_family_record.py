"""A family's record: everything held on one student as a PDF and CSVs, with the record of access."""

import csv
import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from audit.models import AccessEvent
from audit.recorder import command_recording, record_students
from privacy import runs
from privacy.corrections import statement_file
from privacy.downloads import claim_download, download_path
from privacy.models import PackageRun
from privacy.packages import family_record_files
from privacy.record import family_record, flag_other_students
from privacy.runs import request_family_record
from privacy.services import access_request_open
from students.models import EventNote, EventNoteRevision

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def rows_of(files: dict[str, bytes], name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(files[name].decode("utf-8-sig"))))


@pytest.fixture
def mateo_notes(demo):
    """A plain note that was edited, naming a classmate, and a restricted note."""
    mateo, teacher = demo.student("mateo"), demo.educator("teacher.5")
    plain = EventNote.objects.create(
        student=mateo,
        author=teacher,
        note_type="parent",
        text="Talked with Jordan Okafor's mother too.",
        recorded_at="2026-10-01T12:00:00Z",
    )
    EventNoteRevision.objects.create(
        note=plain,
        note_type="parent",
        text="First draft of the call.",
        recorded_at=plain.recorded_at,
        revised_by=teacher,
    )
    restricted = EventNote.objects.create(
        student=mateo,
        author=demo.educator("counselor.baker"),
        note_type="counselor",
        is_restricted=True,
        restricted_text="Family is going through a hard time.",
        recorded_at="2026-10-02T12:00:00Z",
    )
    return plain, restricted


def test_the_record_holds_every_part_with_restricted_notes_decrypted_and_revisions(demo, mateo_notes):
    record = family_record(demo.student("mateo"))
    names = [table.name for table in record.all_tables]
    for part in (
        "profile",
        "classes",
        "absences",
        "tardies",
        "discipline",
        "mcas",
        "star",
        "access",
        "services",
        "plans_504",
        "ieps",
        "notes",
        "corrections",
        "statements_of_disagreement",
        "record_of_access",
        "access_today",
        "for_review",
    ):
        assert part in names, part
    texts = [row[-1] for row in record.notes.rows]
    assert "Family is going through a hard time." in texts
    assert "First draft of the call." in texts and "Talked with Jordan Okafor's mother too." in texts
    assert [row[1] for row in record.notes.rows if row[0] == mateo_notes[0].pk][0].startswith("version 1")


def test_other_students_named_in_notes_are_flagged_and_never_included(demo, mateo_notes):
    record = family_record(demo.student("mateo"))
    assert [(flag.note_id, flag.name) for flag in record.flags] == [(mateo_notes[0].pk, "Jordan Okafor")]
    jordan = demo.student("jordan")
    every_cell = " ".join(str(value) for table in record.all_tables[:-1] for row in table.rows for value in row)
    assert jordan.local_id not in every_cell


def test_a_classmates_first_name_alone_is_flagged_but_a_stranger_sharing_it_is_not(demo):
    mateo = demo.student("mateo")
    flags = flag_other_students(mateo, [(1, "current", "Sat next to Jordan today. Grace was absent.")])
    assert [flag.name for flag in flags] == ["Jordan"]  # Grace Kim is at Riverside: no classmate


def test_the_record_of_access_names_who_looked_in_what_role_and_what_they_did(demo, mateo_notes):
    mateo = demo.student("mateo")
    with command_recording(actor=demo.educator("teacher.5"), action="students:profile"):
        record_students([mateo.pk])
    record = family_record(mateo)
    (row,) = [row for row in record.access.rows if row[1] == "Marcus Bell"]
    assert row[3] == "homeroom teacher" and row[4] == "viewed the profile" and row[5] == "viewed"
    assert ["Marcus Bell", demo.educator("teacher.5").email, "homeroom 5-201 at Baker K-8"] in record.access_today.rows


def test_the_package_has_a_readable_pdf_csvs_and_a_dictionary_explaining_every_code(demo, mateo_notes, officer):
    mateo = demo.student("mateo")
    statement_file(
        actor=officer,
        student=mateo,
        filed_by="Rosa Alvarez",
        filed_on=datetime.date(2026, 11, 2),
        text="We disagree with the attendance note.",
    )
    files = family_record_files(family_record(mateo), generated_by="Parker Privacy")
    text = pdf_text(files["record.pdf"])
    assert "Family's record: Mateo Alvarez" in text
    assert "For review before release" in text and "Jordan Okafor" in text
    assert "We disagree with the attendance note." in text
    assert "Family is going through a hard time." in text
    dictionary = rows_of(files, "data_dictionary.csv")
    assert dictionary[0] == ["File", "Column", "Meaning", "Codes"]
    english = [row for row in dictionary if row[0] == "profile.csv" and row[1] == "Value"][0]
    assert "English learner" in english[3] or "Limited" in english[3]
    note_types = [row for row in dictionary if row[0] == "notes.csv" and row[1] == "Type"][0]
    assert "parent = Parent conversation" in note_types[3]
    assert rows_of(files, "statements_of_disagreement.csv")[1][2] == "We disagree with the attendance note."
    assert "SIS local id" in [row[0] for row in rows_of(files, "profile.csv")][1]


def test_the_job_builds_the_package_records_the_export_and_mails_a_one_time_link(demo, officer, mateo_notes):
    mateo = demo.student("mateo")
    request = access_request_open(
        actor=officer,
        student=mateo,
        requester_name="Rosa Alvarez",
        relationship="parent",
        received_on=datetime.date(2026, 11, 2),
    )
    run = runs.run_package(request_family_record(actor=officer, student=mateo, access_request=request))
    assert (run.status, run.student_count, run.progress_percent) == ("ready", 1, 100)
    event = AccessEvent.objects.get(action="privacy_family_record_job")
    assert (event.actor_id, event.exported_student_ids) == (officer.pk, [mateo.pk])
    (message,) = mail.outbox
    assert download_path(run.download) in message.body
    token = download_path(run.download).rstrip("/").rpartition("/")[2]
    _link, content = claim_download(link_id=run.download.pk, token=token, user=officer)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert {"README.txt", "record.pdf", "notes.csv", "data_dictionary.csv", "record_of_access.csv"} <= set(names)


def test_a_failed_build_says_so_and_stores_nothing(demo, officer, monkeypatch):
    def broken(run, progress):
        raise RuntimeError("disk full")

    monkeypatch.setitem(runs.BUILDERS, "family_record", broken)
    run = request_family_record(actor=officer, student=demo.student("mateo"))
    with pytest.raises(RuntimeError):
        runs.run_package(run)
    run.refresh_from_db()
    assert run.status == "failed" and "RuntimeError" in run.error and run.download is None
    assert AccessEvent.objects.get(action="privacy_family_record_job").outcome == "error"


def test_the_command_queues_the_record_for_the_actor(demo, officer):
    out = io.StringIO()
    call_command(
        "privacy_family_record", "--actor", officer.email, "--student", demo.student("mateo").local_id, stdout=out
    )
    assert "Family's record #" in out.getvalue() and "Mateo Alvarez" in out.getvalue()
    assert PackageRun.objects.get().student == demo.student("mateo")


@pytest.mark.parametrize(
    ("actor", "student", "message"),
    [
        ("admin", "mateo", "lacks the privacy.privacy_operations permission"),
        ("privacy", "nobody-at-all", "--student: No student"),
    ],
)
def test_the_command_refuses_non_operators_and_unknown_students(demo, actor, student, message):
    identifier = demo.student(student).local_id if student == "mateo" else student
    with pytest.raises(CommandError, match=message):
        call_command("privacy_family_record", "--actor", demo.educator(actor).email, "--student", identifier)
    assert not PackageRun.objects.exists()


def test_the_command_refuses_another_students_request(demo, officer):
    request = access_request_open(
        actor=officer,
        student=demo.student("lily"),
        requester_name="X",
        relationship="parent",
        received_on=datetime.date(2026, 11, 2),
    )
    with pytest.raises(CommandError, match="no access request with that number"):
        call_command(
            "privacy_family_record",
            "--actor",
            officer.email,
            "--student",
            demo.student("mateo").local_id,
            "--request",
            str(request.pk),
        )


def test_the_admin_action_prepares_the_record_of_each_selected_request(client_for, demo, officer):
    request = access_request_open(
        actor=officer,
        student=demo.student("mateo"),
        requester_name="X",
        relationship="parent",
        received_on=datetime.date(2026, 11, 2),
    )
    response = client_for("privacy").post(
        "/admin/privacy/accessrequest/", {"action": "prepare_family_record", "_selected_action": [request.pk]}
    )
    assert response.status_code == 302
    assert PackageRun.objects.get().access_request == request


def test_the_admin_form_prepares_a_record_by_sis_local_id(client_for, demo):
    client = client_for("privacy")
    assert client.get("/admin/privacy/packagerun/family-record/").status_code == 200
    response = client.post("/admin/privacy/packagerun/family-record/", {"student_local_id": "nope"})
    assert "No student has that SIS local id." in response.content.decode()
    response = client.post(
        "/admin/privacy/packagerun/family-record/", {"student_local_id": demo.student("mateo").local_id}
    )
    assert response.status_code == 302
    assert PackageRun.objects.get().student == demo.student("mateo")
    assert "Family&#x27;s record #" in client.get("/admin/privacy/packagerun/").content.decode()


def test_the_package_pages_are_refused_to_non_operators(client_for):
    for path in ("/admin/privacy/packagerun/family-record/", "/admin/privacy/packagerun/breach/"):
        assert client_for("admin").get(path).status_code == 403
