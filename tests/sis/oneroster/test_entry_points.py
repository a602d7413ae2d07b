"""A OneRoster package goes through the same doors as an Insights one: the admin upload with its dry run
and worker, `import_sis`, the guards that hold a run, and the history's per-file row counts."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from insights.jobs import run_worker_until_idle
from students.models import Student
from students.sis.models import ImportRun
from tests.sis.conftest import make_importer
from tests.sis.oneroster.conftest import EXPECTED, district
from tests.sis.oneroster.helpers import district_counts
from tests.sis.test_admin_and_worker import admin_client  # noqa: F401 (a fixture)
from tests.sis.test_bad_input import import_package


def zipped(folder) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"OneRoster/{path.name}")
    buffer.seek(0)
    buffer.name = "OneRosterv1p1BulkCSV.zip"
    return buffer


def test_an_uploaded_oneroster_zip_is_dry_run_then_applied_by_the_worker(admin_client, oneroster):  # noqa: F811
    response = admin_client.post(
        reverse("admin:sis_importrun_upload"), {"files": zipped(oneroster.build("1.1")), "dry_run": "on"}
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302

    run_worker_until_idle()

    run.refresh_from_db()
    assert run.status == ImportRun.Status.DRY_RUN, run.error
    assert not Student.objects.exists()
    page = admin_client.get(reverse("admin:sis_importrun_change", args=[run.pk])).content.decode()
    assert "What it would change" in page and "inserted 6" in page
    admin_client.post(reverse("admin:sis_importrun_apply", args=[run.pk]))
    run_worker_until_idle()
    assert ImportRun.objects.latest("id").status == ImportRun.Status.APPLIED
    assert Student.objects.count() == EXPECTED["students"]


@pytest.mark.django_db(transaction=True)
def test_import_sis_reads_a_oneroster_folder(oneroster, capsys):
    importer = make_importer()
    folder = oneroster.build("1.2")

    call_command("import_sis", str(folder), "--actor", importer.email, "--dry-run")
    assert Student.objects.count() == 0
    call_command("import_sis", str(folder), "--actor", importer.email)

    output = capsys.readouterr().out
    assert "Dry run" in output or "dry run" in output
    assert district_counts(importer) == EXPECTED


def test_a_shrunken_users_file_holds_the_run_and_names_the_oneroster_file(oneroster, importer):
    applied = import_package(oneroster.build("1.1"), importer)
    assert applied.status == ImportRun.Status.APPLIED, applied.error
    users = district("1.1")["users"][6:]  # the staff only: users.csv has 4 of its 10 rows
    enrollments = [row for row in district("1.1")["enrollments"] if row["role"] == "teacher"]

    held = import_package(oneroster.build("1.1", users=users, enrollments=enrollments), importer)

    assert held.status == ImportRun.Status.HELD
    tripped = [result["message"] for result in held.guard_results if result["tripped"]]
    assert any(message.startswith("users.csv has 4 rows, 40%") for message in tripped), tripped
    assert Student.objects.filter(missing_from_last_export=False).count() == EXPECTED["students"]
