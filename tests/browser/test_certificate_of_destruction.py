"""A privacy officer approves a colleague's request to destroy a record, then downloads and reads its certificate."""

import io

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect
from pypdf import PdfReader

from destruction.models import Destruction
from destruction.services import request_student_destruction
from students.demo import cast
from students.models import Student
from tests.accounts.helpers import PASSWORD, enroll_totp
from tests.browser.flows import OUTPUT, educator, sign_in, student
from tests.factories import EducatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_second_officer_destroys_the_record_and_reads_the_certificate(tab):
    mateo = student("mateo")
    requested = request_student_destruction(
        actor=educator("privacy"), student=mateo, reason="Parent's written request of November 20"
    )
    approver = EducatorFactory(email=f"records@{cast.EMAIL_DOMAIN}", full_name="Rhea Records", is_staff=True)
    approver.set_password(PASSWORD)
    approver.save()
    approver.user_permissions.add(Permission.objects.get(codename="privacy_operations"))
    sign_in(tab, "records", secret=enroll_totp(approver))

    tab.goto("/admin/destruction/destruction/")
    tab.get_by_role("link", name=str(requested)).click()
    expect(tab.get_by_text("Parent's written request of November 20")).to_be_visible()
    tab.get_by_role("button", name="Approve and destroy the record now").click()
    expect(tab.get_by_text("rows destroyed")).to_be_visible()
    assert not Student.objects.filter(pk=mateo.pk).exists()

    tab.get_by_role("button", name="Download the certificate of destruction").click()
    expect(tab.get_by_text("It can be downloaded")).to_be_visible()
    with tab.expect_download() as download_info:
        tab.get_by_role("button", name="Download now").click()
    download = download_info.value
    assert download.suggested_filename == f"certificate-of-destruction-demo-{requested.pk}.pdf"
    OUTPUT.mkdir(exist_ok=True)
    saved = OUTPUT / download.suggested_filename
    download.save_as(saved)

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(saved.read_bytes())).pages)
    done = Destruction.objects.get(pk=requested.pk)
    assert "Certificate of destruction" in text
    assert "Parent's written request of November 20" in text
    assert "Parker Privacy" in text and "Rhea Records" in text
    assert f"{done.total_rows} in {len(done.counts)} tables" in text
    assert "students_student 1" in text
    assert f"{done.backups_expire_on:%B} {done.backups_expire_on.day}, {done.backups_expire_on.year}" in text
