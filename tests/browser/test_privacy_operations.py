"""The privacy officer's operations in a real browser: a family's request logged, its record prepared on the
worker, downloaded once and read (the PDF's text); a breach package from the same pages, its letters read."""

import datetime
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from audit.recorder import command_recording, record_students
from insights.jobs import run_worker_until_idle
from tests.accounts.helpers import enroll_totp
from tests.browser.flows import educator, sign_in, student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(archive: zipfile.ZipFile, name: str) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(name))).pages)


def download_latest(tab) -> zipfile.ZipFile:
    """Open Downloads, follow the newest file's link, and press "Download now": the browser saves the zip."""
    tab.goto("/admin/privacy/downloadlink/")
    tab.locator("#result_list").get_by_role("link", name="Download", exact=True).first.click()
    expect(tab.locator("#content-main")).to_contain_text("It can be downloaded once")
    with tab.expect_download() as download_info:
        tab.get_by_role("button", name="Download now").click()
    return zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))


def test_the_privacy_officer_answers_a_familys_request_with_their_childs_record(tab):
    mateo = student("mateo")
    with command_recording(actor=educator("teacher.5"), action="students:profile"):
        record_students([mateo.pk])
    sign_in(tab, "privacy", secret=enroll_totp(educator("privacy")))

    tab.goto("/admin/privacy/accessrequest/add/")
    tab.get_by_label("Student's SIS local id").fill(mateo.local_id)
    tab.get_by_label("Who asked").fill("Rosa Alvarez")
    tab.get_by_label("Received on").fill(timezone.localdate().isoformat())
    tab.get_by_role("button", name="Save", exact=True).click()
    due = timezone.localdate() + datetime.timedelta(days=45)
    expect(tab.locator("#result_list")).to_contain_text("Mateo Alvarez")
    expect(tab.locator("#result_list")).to_contain_text(f"{due:%b}")

    tab.locator("input[name=_selected_action]").first.check()
    tab.locator("select[name=action]").select_option("prepare_family_record")
    tab.get_by_role("button", name="Go").click()
    expect(tab.get_by_text("1 record being prepared")).to_be_visible()
    run_worker_until_idle(queues=["privacy"])

    tab.goto("/admin/privacy/packagerun/")
    expect(tab.locator("#result_list")).to_contain_text("Ready to download")
    archive = download_latest(tab)
    text = pdf_text(archive, "record.pdf")
    assert "Family's record: Mateo Alvarez" in text
    assert f"SIS local id {mateo.local_id}" in text
    assert "Record of access" in text and "Marcus Bell" in text and "viewed the profile" in text
    assert "Data dictionary" in text
    # Downloaded once: the link is gone from the list, and opening it again finds nothing.
    tab.goto("/admin/privacy/downloadlink/")
    expect(tab.locator("#result_list")).to_contain_text(re.compile("Downloaded"))
    expect(tab.get_by_role("link", name="Download", exact=True)).to_have_count(0)


def test_the_privacy_officer_prepares_a_breach_package_and_reads_its_letters(tab):
    teacher = educator("teacher.5")
    with command_recording(actor=teacher, action="students:homeroom"):
        record_students([student("mateo").pk, student("jordan").pk])
    sign_in(tab, "privacy", secret=enroll_totp(educator("privacy")))

    tab.goto("/admin/privacy/packagerun/")
    tab.get_by_role("link", name="Prepare a breach notification package").click()
    tab.get_by_label("Account").fill(teacher.email)
    today = timezone.localdate().isoformat()
    tab.get_by_label("Since").fill(today)
    tab.get_by_label("Until").fill(today)
    tab.get_by_role("button", name="Prepare the package").click()
    expect(tab.get_by_text("is being prepared")).to_be_visible()
    run_worker_until_idle(queues=["privacy"])

    archive = download_latest(tab)
    letters = pdf_text(archive, "letters.pdf")
    assert "Breach notification: summary for the district" in letters
    assert "2 students" in letters and teacher.email in letters
    assert "Dear «guardian_name»" in letters
    families = archive.read("families.csv").decode("utf-8-sig")
    assert "Mateo Alvarez" in families and "Jordan Okafor" in families
