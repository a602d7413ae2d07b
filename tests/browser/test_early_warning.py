"""Early-warning tiers in a real browser: the roster sorted by tier, the homeroom page and the profile,
at a laptop's and a phone's width."""

import pytest
from playwright.sync_api import expect

from tests.accounts.helpers import enroll_totp
from tests.browser.flows import OUTPUT, assert_clean, assert_fits, educator, sign_in, student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": 1366, "phone": 390}


@pytest.mark.parametrize("device", WIDTHS)
def test_a_principal_sorts_the_roster_by_tier_and_opens_the_riskiest_student(tab, device):
    tab.set_viewport_size({"width": WIDTHS[device], "height": 900})
    principal = educator("principal.baker")
    sign_in(tab, "principal.baker", secret=enroll_totp(principal))
    tab.goto(f"/schools/{student('mateo').school_id}/")
    tab.get_by_role("link", name="Early warning").click()
    expect(tab.get_by_role("columnheader", name="Early warning")).to_have_attribute("aria-sort", "descending")
    first_tier = tab.locator("main tbody tr").first.locator(".tier")
    expect(first_tier).to_be_visible()
    assert_clean(tab)
    assert_fits(tab, WIDTHS[device])
    OUTPUT.mkdir(exist_ok=True)
    tab.screenshot(path=str(OUTPUT / f"roster-by-tier-{device}.png"), full_page=True)

    tier = first_tier.inner_text()
    tab.locator("main tbody tr").first.get_by_role("link").first.click()
    expect(tab.locator(".early-warning .tier")).to_have_text(tier)
    assert_clean(tab)


def test_a_homeroom_teacher_sees_tiers_on_the_homeroom_page(tab):
    sign_in(tab, "teacher.5")
    tab.goto(f"/homerooms/{student('mateo').homeroom_id}/")
    expect(tab.get_by_role("columnheader", name="Early warning")).to_be_visible()
    expect(tab.locator("main tbody tr .tier").first).to_be_visible()
    assert_clean(tab)
    tab.set_viewport_size({"width": 390, "height": 900})
    assert_fits(tab, 390)
    tab.screenshot(path=str(OUTPUT / "homeroom-tiers-phone.png"), full_page=True)
