"""The district's exit export: every table, a dictionary, a manifest and the import format, loadable elsewhere."""

import csv
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from audit.models import AccessEvent
from destruction import exits, graph
from destruction.exits import request_exit_export, run_exit_export
from destruction.export import write_exit_export
from destruction.models import ExitExport
from educators.models import Educator
from privacy import downloads
from privacy.models import DownloadLink
from students.models import EventNote, Student
from students.sis.models import ImportRun
from students.sis.receive import receive_path
from students.sis.runs import run_import

SECRET = "Restricted: the family's court matter"


def the_zip(owner) -> zipfile.ZipFile:
    link = DownloadLink.objects.get(owner=owner)
    content = b"".join(downloads.stored_chunks(link))
    return zipfile.ZipFile(io.BytesIO(content))


def rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.TextIOWrapper(archive.open(name), encoding="utf-8")))


@pytest.fixture
def restricted_note(demo):
    return EventNote.objects.create(
        student=demo.student("mateo"),
        author=demo.educator("teacher.5"),
        note_type="other",
        is_restricted=True,
        restricted_text=SECRET,
        recorded_at=timezone.now(),
    )


@pytest.mark.django_db
def test_the_zip_holds_every_table_a_dictionary_a_manifest_and_the_import_format(demo, officer, restricted_note):
    export = request_exit_export(actor=officer, include_restricted=False, queue=False)
    seen = []
    run_exit_export(export, on_progress=lambda label, done, total: seen.append((label, done)))

    archive = the_zip(officer)
    names = set(archive.namelist())
    assert {
        "manifest.json",
        "data_dictionary.csv",
        "insights-import/students.csv",
        "insights-import/manifest.csv",
    } <= names
    students = rows(archive, "tables/students_student.csv")
    assert len(students) == Student.objects.count() == 20
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["district_key"] == "demo" and manifest["restricted_text_included"] is False
    assert manifest["files"]["tables/students_student.csv"]["rows"] == 20
    for name, facts in manifest["files"].items():
        assert facts["bytes"] == archive.getinfo(name).file_size
    # Secrets stay out; restricted text only when asked for.
    educators = rows(archive, "tables/educators_educator.csv")
    assert educators and "password" not in educators[0]
    notes = {row["id"]: row for row in rows(archive, "tables/students_eventnote.csv")}
    assert notes[str(restricted_note.pk)]["restricted_text"] == ""
    assert SECRET.encode() not in b"".join(archive.read(name) for name in names)
    dictionary = {(row["file"], row["column"]): row for row in rows(archive, "data_dictionary.csv")}
    assert "withheld" in dictionary[("tables/students_eventnote.csv", "restricted_text")]["description"]
    assert "Gender" not in dictionary[("tables/students_student.csv", "gender")]["codes"]
    assert "F=Female" in dictionary[("tables/students_student.csv", "gender")]["codes"]
    # Progress followed the rows, and the export is recorded as exporting every student.
    assert seen and seen[-1][1] >= 20
    export.refresh_from_db()
    assert export.status == ExitExport.Status.DONE and len(export.sha256) == 64
    event = AccessEvent.objects.get(action="exit_export")
    assert len(event.exported_student_ids) == 20 and event.actor_email == officer.email


@pytest.mark.django_db
def test_restricted_text_is_included_decrypted_when_asked_for(demo, officer, restricted_note):
    run_exit_export(request_exit_export(actor=officer, include_restricted=True, queue=False))
    notes = {row["id"]: row for row in rows(the_zip(officer), "tables/students_eventnote.csv")}
    assert notes[str(restricted_note.pk)]["restricted_text"] == SECRET


@pytest.mark.django_db
def test_the_audit_event_names_the_students_the_zip_holds_even_if_one_is_destroyed_meanwhile(
    demo, officer, monkeypatch
):
    def write_then_destroy_one(*args, **kwargs):
        written = write_exit_export(*args, **kwargs)
        graph.delete_rows([demo.student("mateo").pk])  # while the zip was being written
        return written

    monkeypatch.setattr(exits, "write_exit_export", write_then_destroy_one)
    run_exit_export(request_exit_export(actor=officer, include_restricted=False, queue=False))

    in_the_zip = {int(row["id"]) for row in rows(the_zip(officer), "tables/students_student.csv")}
    event = AccessEvent.objects.get(action="exit_export")
    assert len(in_the_zip) == 20 and set(event.exported_student_ids) == in_the_zip


@pytest.mark.django_db
def test_an_export_whose_requester_left_before_it_ran_fails_instead_of_staying_queued(demo, officer):
    export = request_exit_export(actor=officer, include_restricted=False, queue=False)
    Educator.objects.filter(pk=officer.pk).update(is_active=False)
    with pytest.raises(PermissionDenied):
        run_exit_export(ExitExport.objects.get(pk=export.pk))
    export.refresh_from_db()
    assert export.status == ExitExport.Status.FAILED and "privacy_operations" in export.error
    assert not DownloadLink.objects.exists()


STUDENT_FACTS = (
    "SELECT local_id, first_name, last_name, grade, enrollment_status FROM students_student ORDER BY local_id"
)
ABSENCES = (
    "SELECT s.local_id, a.occurred_on FROM students_absence a "
    "JOIN students_student s ON s.id = a.student_id ORDER BY 1, 2"
)


def fetch(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.mark.django_db
def test_another_insights_loads_the_import_format_back(demo, officer, tmp_path):
    before = fetch(STUDENT_FACTS), fetch(ABSENCES)
    run_exit_export(request_exit_export(actor=officer, include_restricted=False, queue=False))
    archive = the_zip(officer)
    folder = tmp_path / "package"
    folder.mkdir()
    for name in archive.namelist():
        if name.startswith("insights-import/"):
            (folder / name.removeprefix("insights-import/")).write_bytes(archive.read(name))
    graph.delete_rows(list(Student.objects.values_list("pk", flat=True)))  # an instance without these students
    assert not Student.objects.exists()

    importer = demo.educator("admin")
    run = run_import(receive_path(folder, triggered_by=importer, source="command"), actor=importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert (fetch(STUDENT_FACTS), fetch(ABSENCES)) == before
