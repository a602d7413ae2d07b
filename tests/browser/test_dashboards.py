"""School dashboards and the district page in a real browser: filters, charts with their tables, the CSV,
and screenshots at a laptop's and a phone's width."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from students.models import Absence
from tests.accounts.helpers import enroll_totp
from tests.browser.flows import OUTPUT, assert_clean, assert_fits, educator, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": 1366, "phone": 390}


@pytest.mark.parametrize("device", WIDTHS)
def test_a_principal_filters_the_absences_dashboard_and_downloads_its_csv(tab, device):
    tab.set_viewport_size({"width": WIDTHS[device], "height": 900})
    principal = educator("principal.baker")
    sign_in(tab, "principal.baker", secret=enroll_totp(principal))
    tab.get_by_role("link", name="Schools").click()
    tab.get_by_role("link", name="Absences at Baker K-8").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Baker K-8: Absences")
    assert_clean(tab)
    assert_fits(tab, WIDTHS[device])
    OUTPUT.mkdir(exist_ok=True)
    tab.screenshot(path=str(OUTPUT / f"dashboard-absences-{device}.png"), full_page=True)

    tab.get_by_label("Grade", exact=True).select_option(label="5")
    tab.get_by_label("Excused", exact=True).select_option(label="Not excused")
    tab.get_by_role("button", name="Apply filters").click()
    expect(tab.get_by_label("Grade", exact=True)).to_have_value("5")
    with tab.expect_download() as download_info:
        tab.get_by_role("link", name="Download CSV of these students").click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text())))
    unexcused = Absence.objects.filter(student__school__local_id="BAK", student__grade="5", excused=False)
    assert {row["Grade"] for row in rows} <= {"5"}
    assert sum(int(row["Count"]) for row in rows) <= unexcused.count()

    tab.get_by_role("link", name="Discipline", exact=True).click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Baker K-8: Discipline")
    expect(tab.get_by_role("figure", name="Discipline by location")).to_be_visible()
    assert_clean(tab)
    assert_fits(tab, WIDTHS[device])
    tab.screenshot(path=str(OUTPUT / f"dashboard-discipline-{device}.png"), full_page=True)


@pytest.mark.parametrize("device", WIDTHS)
def test_a_districtwide_educator_opens_the_district_page(tab, device):
    tab.set_viewport_size({"width": WIDTHS[device], "height": 900})
    district = educator("district")
    sign_in(tab, "district", secret=enroll_totp(district))
    tab.get_by_role("link", name="Schools").click()
    tab.get_by_role("link", name="District overview: enrollment by school and grade").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("District")
    assert_clean(tab)
    tab.screenshot(path=str(OUTPUT / f"district-{device}.png"), full_page=True)
    assert_fits(tab, WIDTHS[device])
    tab.get_by_role("link", name="Tardies at Riverside High").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Riverside High: Tardies")
