"""The admin upload, run page, decisions and errors CSV, with a real Procrastinate worker running the jobs."""

import io
import zipfile

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from insights.jobs import run_worker_until_idle
from students.models import Student
from students.sis.models import ImportRun
from tests.factories import EducatorFactory
from tests.sis.conftest import EDUCATORS, SCHOOLS, STUDENTS, csv_text, make_importer, manifest_text


def zipped(**files) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("district/manifest.csv", manifest_text(list(files)))
        for name, rows in files.items():
            archive.writestr(f"district/{name}.csv", csv_text(rows))
    buffer.seek(0)
    buffer.name = "district.zip"
    return buffer


@pytest.fixture
def admin_client(client, transactional_db):
    importer = make_importer()
    importer.is_staff = True
    importer.save()
    Authenticator.objects.create(user=importer, type=Authenticator.Type.TOTP, data={})
    client.force_login(importer)
    return client


def upload(client, *, dry_run: bool, **files):
    data = {"files": zipped(**files)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("admin:sis_importrun_upload"), data)


def test_an_upload_runs_on_the_worker_then_shows_its_diff(admin_client):
    files = {"schools": SCHOOLS, "educators": EDUCATORS, "students": STUDENTS}
    response = upload(admin_client, dry_run=True, **files)
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:sis_importrun_change", args=[run.pk])
    assert run.status == ImportRun.Status.RECEIVED
    progress = admin_client.get(reverse("admin:sis_importrun_progress", args=[run.pk])).json()
    assert progress["finished"] is False

    run_worker_until_idle()

    run.refresh_from_db()
    assert run.status == ImportRun.Status.DRY_RUN and not Student.objects.exists()
    page = admin_client.get(reverse("admin:sis_importrun_change", args=[run.pk])).content.decode()
    assert "What it would change" in page and "inserted 12" in page

    assert "Apply this package" in page

    response = admin_client.post(reverse("admin:sis_importrun_apply", args=[run.pk]))
    applied = ImportRun.objects.latest("id")
    assert applied != run and response.url == reverse("admin:sis_importrun_change", args=[applied.pk])
    run_worker_until_idle()
    applied.refresh_from_db()
    assert applied.status == ImportRun.Status.APPLIED and applied.package_digest == run.package_digest
    assert Student.objects.count() == len(STUDENTS)


def test_a_held_run_is_approved_from_its_page_and_applied_by_the_worker(admin_client, settings):
    settings.SIS_IMPORT = {**settings.SIS_IMPORT, "GUARD_MISSING_MIN": 1, "GUARD_MISSING_PERCENT": 1}
    upload(admin_client, dry_run=False, schools=SCHOOLS, students=STUDENTS)
    run_worker_until_idle()
    upload(admin_client, dry_run=False, schools=SCHOOLS, students=STUDENTS[2:])
    run_worker_until_idle()
    held = ImportRun.objects.order_by("-id").first()
    assert held.status == ImportRun.Status.HELD
    assert (
        "Approve and apply" in admin_client.get(reverse("admin:sis_importrun_change", args=[held.pk])).content.decode()
    )

    admin_client.post(reverse("admin:sis_importrun_approve", args=[held.pk]))
    run_worker_until_idle()
    held.refresh_from_db()
    assert held.status == ImportRun.Status.APPLIED and held.decided_by.email == "data.lead@district.example"
    assert Student.objects.filter(missing_from_last_export=True).count() == 2


def test_the_errors_csv_holds_file_row_column_and_code_only(admin_client):
    rows = [dict(STUDENTS[0], date_of_birth="not-a-date-Secretvalue"), *STUDENTS[1:]]
    upload(admin_client, dry_run=True, schools=SCHOOLS, students=rows)
    run_worker_until_idle()
    run = ImportRun.objects.get()
    body = admin_client.get(reverse("admin:sis_importrun_errors", args=[run.pk])).content.decode()
    assert body.splitlines() == ["file,row_number,column,code", "students.csv,2,date_of_birth,bad_date"]


def test_the_import_pages_need_the_permission(client, transactional_db):
    staff = EducatorFactory(email="staff@district.example", is_staff=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={})
    client.force_login(staff)
    assert client.get(reverse("admin:sis_importrun_changelist")).status_code == 403
    assert client.get(reverse("admin:sis_importrun_upload")).status_code == 403
    assert client.post(reverse("admin:sis_importrun_upload"), {"files": zipped(schools=SCHOOLS)}).status_code == 403
    assert not ImportRun.objects.exists()
