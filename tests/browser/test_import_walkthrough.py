"""The newcomer's walkthrough of a district import in a real browser, with a real worker running the jobs.

Export the demo district as a package, reset to an empty district, upload the package in the admin,
read the dry run's diff and apply it: the district is the one exported. Then a package that leaves
students out is held by a guard, and a second admin approves it; the decision is on the run and in
the audit log.
"""

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AccessEvent
from insights.jobs import run_worker_until_idle
from students.demo.generate import DemoDistrictBuilder
from students.demo.two_factor import DEMO_TOTP_SECRET
from students.models import Student
from students.sis.models import ImportRun
from tests.accounts.helpers import PASSWORD, enroll_totp
from tests.browser.checks import csp_violations, watch
from tests.browser.flows import sign_in, sign_in_as
from tests.factories import EducatorFactory
from tests.sis.test_round_trip import snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STUDENTS = 60
LEFT_OUT = 15  # more than the guard's max(10, 5% of the active students)


def zipped(folder: Path) -> Path:
    return Path(shutil.make_archive(str(folder), "zip", root_dir=folder))


def without_last_students(folder: Path, count: int, target: Path) -> Path:
    shutil.copytree(folder, target)
    with (target / "students.csv").open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    with (target / "students.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows[:-count])
    return target


def upload(tab, package: Path, *, dry_run: bool) -> None:
    tab.goto(reverse("admin:sis_importrun_changelist"))
    tab.get_by_role("link", name="Upload a package").click()
    tab.get_by_label("Files").set_input_files(str(package))
    tab.get_by_label("Dry run").set_checked(dry_run)
    tab.get_by_role("button", name="Upload").click()
    expect(tab.get_by_text("Received", exact=True)).to_be_visible()


def counts_row(tab, label: str):
    return tab.get_by_role("row").filter(has=tab.get_by_role("cell", name=label, exact=True))


def test_a_newcomer_imports_the_exported_demo_and_a_second_admin_approves_a_held_run(
    page, browser, live_server, tmp_path, settings
):
    settings.DEMO_PASSWORD = PASSWORD
    DemoDistrictBuilder(student_count=STUDENTS, seed=5, today=timezone.localdate(), password=PASSWORD).build()
    call_command("export_demo_sis", str(tmp_path / "package"), stdout=io.StringIO())
    exported = snapshot()
    call_command("seed_demo", "--reset", "--empty", stdout=io.StringIO())
    assert not Student.objects.exists()

    watch(page)
    sign_in(page, "admin", secret=DEMO_TOTP_SECRET)
    upload(page, zipped(tmp_path / "package"), dry_run=True)
    run_worker_until_idle()  # the page polls the run's progress and reloads when it has finished
    expect(page.get_by_role("heading", name="What it would change")).to_be_visible()
    expect(page.get_by_text("Dry run (nothing changed)")).to_be_visible()
    expect(counts_row(page, "Students")).to_contain_text(f"inserted {STUDENTS}")
    assert not Student.objects.exists()

    page.get_by_role("button", name="Apply this package").click()
    run_worker_until_idle()
    expect(page.get_by_role("heading", name="Changes")).to_be_visible()
    expect(page.get_by_text("Applied", exact=True)).to_be_visible()
    assert snapshot() == exported
    assert csp_violations(page) == []

    upload(page, zipped(without_last_students(tmp_path / "package", LEFT_OUT, tmp_path / "smaller")), dry_run=False)
    run_worker_until_idle()
    expect(page.get_by_text("Held for approval", exact=True)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="students_missing")).to_contain_text("yes")
    held = ImportRun.objects.latest("id")
    assert held.status == ImportRun.Status.HELD and not Student.objects.filter(missing_from_last_export=True).exists()

    second = EducatorFactory(email="second.admin@district.example", full_name="Second Admin", is_staff=True)
    second.user_permissions.add(Permission.objects.get(content_type__app_label="sis", codename="run_imports"))
    context = browser.new_context(base_url=live_server.url)
    other = context.new_page()
    sign_in_as(other, second.email, secret=enroll_totp(second))
    other.goto(reverse("admin:sis_importrun_change", args=[held.pk]))
    other.get_by_role("button", name="Approve and apply").click()
    expect(other.get_by_text(re.compile(r"approved: it is being applied"))).to_be_visible()
    run_worker_until_idle()
    other.reload()
    expect(other.get_by_text("Applied", exact=True)).to_be_visible()
    expect(other.get_by_text(re.compile(rf"decided by {re.escape(second.email)}"))).to_be_visible()
    context.close()

    held.refresh_from_db()
    assert held.status == ImportRun.Status.APPLIED and held.decided_by == second
    assert Student.objects.filter(missing_from_last_export=True).count() == LEFT_OUT
    assert Student.objects.count() == STUDENTS
    recorded = AccessEvent.objects.filter(action="sis_import", actor_id=second.pk)
    assert recorded.filter(details__run=held.pk, details__status=ImportRun.Status.APPLIED).exists()
