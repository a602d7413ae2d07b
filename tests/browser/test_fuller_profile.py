"""The fuller profile and the case history in a real browser, at a laptop's and a phone's width."""

import pytest
from playwright.sync_api import expect

from tests.browser.flows import OUTPUT, assert_clean, assert_fits, sign_in, student

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
