"""The breach notification package: from a breach scope, the affected students with their families' contacts,
what each was shown, the window, and draft letters; one SQL statement however many students."""

import csv
import datetime
import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AccessEvent
from audit.recorder import command_recording, record_students
from audit.reports import window
from privacy import runs
from privacy.breach import affected_students, categories_of
from privacy.downloads import claim_download, download_path
from privacy.models import PackageRun
from privacy.runs import request_breach_package

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def misuse(demo):
    """teacher.5's account was used to open Mateo's profile and the school roster with Jordan; Lily by someone else."""
    teacher = demo.educator("teacher.5")
    mateo, jordan, lily = demo.student("mateo"), demo.student("jordan"), demo.student("lily")
    with command_recording(actor=teacher, action="students:profile"):
        record_students([mateo.pk])
    with command_recording(actor=teacher, action="students:school_roster"):
        record_students([mateo.pk, jordan.pk])
    with command_recording(actor=demo.educator("counselor.baker"), action="students:profile"):
        record_students([lily.pk])
    return {"teacher": teacher, "mateo": mateo, "jordan": jordan, "lily": lily}


def parameters(email: str) -> dict:
    return {"account": email, "network": None, "since": TODAY.isoformat(), "until": TODAY.isoformat()}


def test_the_affected_students_come_with_their_families_contacts_and_what_they_were_shown(misuse):
    since, until = window(TODAY, TODAY)
    with CaptureQueriesContext(connection) as queries:
        affected = affected_students(actor_ids=[misuse["teacher"].pk], network=None, since=since, until=until)
    assert len(queries) == 1
    assert sorted(affected.student_ids) == sorted([misuse["mateo"].pk, misuse["jordan"].pk])
    by_name = {row[0]: row for row in affected.rows}
    mateo = by_name["Mateo Alvarez"]
    assert mateo[1] == misuse["mateo"].local_id and mateo[4] == misuse["mateo"].guardian_name
    assert "notes" in mateo[8] and "names and grades" in mateo[8]
    assert "notes" not in by_name["Jordan Okafor"][8]
    assert affected.categories["names and grades"] == 2 and affected.categories["notes"] == 1


def test_categories_come_from_the_page_or_the_admin_model():
    assert "restricted notes" in categories_of("students:restricted_note")
    assert categories_of("students:profile_pdf") == categories_of("students:profile")
    assert "notes" in categories_of("students:profile_pdf")
    assert categories_of("admin:students_absence_changelist") == ["absences"]
    assert categories_of("students:homeroom") == [
        "names and grades",
        "attendance and discipline counts",
        "program status",
    ]


def test_the_package_holds_the_mail_merge_csv_and_the_letters(demo, officer, misuse):
    run = runs.run_package(request_breach_package(actor=officer, parameters=parameters(misuse["teacher"].email)))
    assert (run.status, run.student_count) == ("ready", 2)
    event = AccessEvent.objects.get(action="privacy_breach_package_job")
    assert sorted(event.exported_student_ids) == sorted([misuse["mateo"].pk, misuse["jordan"].pk])
    token = download_path(run.download).rstrip("/").rpartition("/")[2]
    _link, content = claim_download(link_id=run.download.pk, token=token, user=officer)
    archive = zipfile.ZipFile(io.BytesIO(content))
    families = list(csv.DictReader(io.StringIO(archive.read("families.csv").decode("utf-8-sig"))))
    assert sorted(row["student_name"] for row in families) == ["Jordan Okafor", "Mateo Alvarez"]
    letter = archive.read("letter_to_families.txt").decode()
    assert "«guardian_name»" in letter and "«data_shown»" in letter and misuse["teacher"].email in letter
    assert set(letter.split("«")[1:]) and all(field.split("»")[0] in families[0] for field in letter.split("«")[1:]), (
        "every merge field is a column of families.csv"
    )
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read("letters.pdf"))).pages)
    assert "summary for the district" in pdf and "Affected students" in pdf and "Dear «guardian_name»" in pdf
    assert "2 students" in pdf


def test_a_window_with_no_exposure_gives_an_empty_package_that_says_so(officer, demo):
    day = (TODAY - datetime.timedelta(days=400)).isoformat()
    run = runs.run_package(
        request_breach_package(
            actor=officer, parameters={"account": demo.educator("teacher.5").email, "since": day, "until": day}
        )
    )
    assert (run.status, run.student_count) == ("ready", 0)


def test_the_command_and_the_admin_page_queue_the_package_after_validating_the_scope(client_for, officer, misuse):
    out = io.StringIO()
    call_command(
        "privacy_breach_package",
        "--actor",
        officer.email,
        "--account",
        misuse["teacher"].email,
        "--since",
        TODAY.isoformat(),
        "--until",
        TODAY.isoformat(),
        stdout=out,
    )
    assert "Breach notification package #" in out.getvalue()
    with pytest.raises(CommandError, match="Give an account, a network range, or both"):
        call_command(
            "privacy_breach_package", "--actor", officer.email, "--since", "2026-01-01", "--until", "2026-01-02"
        )
    client = client_for("privacy")
    response = client.post(
        "/admin/privacy/packagerun/breach/",
        {"network": "203.0.113.0/24", "since": TODAY.isoformat(), "until": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert PackageRun.objects.filter(kind="breach").count() == 2
    assert PackageRun.objects.latest("id").parameters["network"] == "203.0.113.0/24"
    bad = client.post(
        "/admin/privacy/packagerun/breach/", {"network": "nonsense", "since": "2026-01-02", "until": "2026-01-01"}
    )
    assert "Enter an IP address or a range" in bad.content.decode()


def test_the_command_refuses_a_non_operator(demo):
    with pytest.raises(CommandError, match="lacks the privacy.privacy_operations permission"):
        call_command(
            "privacy_breach_package",
            "--actor",
            demo.educator("admin").email,
            "--network",
            "10.0.0.0/8",
            "--since",
            "2026-01-01",
            "--until",
            "2026-01-02",
        )
