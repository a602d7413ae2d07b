"""The fuller profile, who has access to a student and the case history in a real browser, laptop and phone wide."""

import pytest
from playwright.sync_api import expect

from tests.accounts.helpers import enroll_totp
from tests.browser.flows import OUTPUT, assert_clean, assert_fits, educator, sign_in, student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": 1366, "phone": 390}


@pytest.mark.parametrize("device", WIDTHS)
def test_a_teacher_reads_who_is_around_a_student_and_the_full_case_history(tab, device):
    tab.set_viewport_size({"width": WIDTHS[device], "height": 900})
    mateo = student("mateo")
    sign_in(tab, "teacher.5")
    tab.goto(f"/students/{mateo.pk}/")
    expect(tab.get_by_role("heading", name="Educators around Mateo")).to_be_visible()
    expect(tab.get_by_role("heading", name="IEP", exact=True)).to_be_visible()
    assert_clean(tab)
    assert_fits(tab, WIDTHS[device])
    OUTPUT.mkdir(exist_ok=True)
    tab.screenshot(path=str(OUTPUT / f"profile-fuller-{device}.png"), full_page=True)

    tab.get_by_role("link", name="Full case history").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Full case history")
    expect(tab.locator(".timeline-entry").first).to_be_visible()
    assert_clean(tab)
    assert_fits(tab, WIDTHS[device])
    tab.screenshot(path=str(OUTPUT / f"case-history-{device}.png"), full_page=True)


def test_a_principal_opens_who_has_access_from_the_profile_and_comes_back(tab):
    mateo = student("mateo")
    sign_in(tab, "principal.baker", secret=enroll_totp(educator("principal.baker")))
    tab.goto(f"/students/{mateo.pk}/")
    tab.get_by_role("navigation", name="Sections of this profile").get_by_role(
        "link", name="Educators with access"
    ).click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Educators with access")
    table = tab.get_by_role("table", name="Educators who may see Mateo")
    expect(table.get_by_role("row").filter(has_text="homeroom 5-201 at Baker K-8")).to_contain_text("Marcus Bell")
    assert_clean(tab)
    tab.get_by_role("link", name=mateo.full_name).click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(mateo.full_name)
