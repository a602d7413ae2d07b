"""Every educator page reads well on a laptop (1366 px) and a phone (390 px): nothing scrolls sideways,
the heading, the main navigation and the page's main content are on screen, the CSP blocks nothing and
axe-core finds nothing serious. A full-page screenshot of each is saved under test-output/widths/."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from students.models import Homeroom, School, Section
from tests.accounts.helpers import enroll_totp
from tests.browser.flows import OUTPUT, assert_clean, assert_fits, educator, sign_in, student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": 1366, "phone": 390}


def educator_pages() -> dict[str, tuple[str, str]]:
    """Name -> (address, what the page's main content is: a CSS selector that must be visible)."""
    baker = School.objects.get(local_id="BAK")
    mateo = student("mateo")
    section = Section.objects.filter(course__course_number="BIO-101").order_by("section_number").first()
    return {
        "home": (reverse("students:home"), "#attention"),
        "my-students": (reverse("students:my_students"), "table"),
        "schools": (reverse("students:schools"), "main ul, main table"),
        "district": (reverse("students:district"), "table"),
        "roster": (reverse("students:school_roster", args=[baker.pk]), "table"),
        "absences": (reverse("students:absences_dashboard", args=[baker.pk]), "figure.chart"),
        "tardies": (reverse("students:tardies_dashboard", args=[baker.pk]), "figure.chart"),
        "discipline": (reverse("students:discipline_dashboard", args=[baker.pk]), "figure.chart"),
        "homeroom": (reverse("students:homeroom", args=[Homeroom.objects.get(name="5-201").pk]), "table"),
        "section": (reverse("students:section", args=[section.pk]), "table"),
        "profile": (reverse("students:profile", args=[mateo.pk]), "#attendance"),
        "case-history": (reverse("students:case_history", args=[mateo.pk]), ".timeline-entry"),
        "profile-pdf": (reverse("students:profile_pdf", args=[mateo.pk]), "form.panel"),
        "note-form": (reverse("students:note_create", args=[mateo.pk]), "form.panel"),
        "my-notes": (reverse("students:my_notes"), "main"),
        "notes-search": (reverse("students:note_search"), "form[role=search]"),
    }


def check_page(tab, name: str, width: int, device: str, content: str) -> None:
    expect(tab.get_by_role("heading", level=1)).to_be_visible()
    expect(tab.get_by_role("navigation", name="Main")).to_be_visible()
    expect(tab.locator(content).first).to_be_visible()
    assert_clean(tab)
    assert_fits(tab, width)
    tab.screenshot(path=str(OUTPUT / "widths" / f"{name}-{device}.png"), full_page=True)


@pytest.mark.parametrize("device", WIDTHS)
def test_every_educator_page_fits_a_laptop_and_a_phone(tab, device):
    width = WIDTHS[device]
    tab.set_viewport_size({"width": width, "height": 900})
    (OUTPUT / "widths").mkdir(parents=True, exist_ok=True)
    sign_in(tab, "district", secret=enroll_totp(educator("district")))
    for name, (url, content) in educator_pages().items():
        tab.goto(url)
        check_page(tab, name, width, device, content)

    # The pages reached by a POST: notes search results and student search results.
    tab.goto(reverse("students:note_search"))
    tab.get_by_label("Words to find").fill("family")
    tab.get_by_role("button", name="Search notes").click()
    expect(tab.get_by_role("heading", name="Results")).to_be_visible()
    check_page(tab, "notes-search-results", width, device, "main article.note, main p")
    tab.get_by_label("Find a student").fill("Alvarez")
    tab.get_by_role("button", name="Search", exact=True).click()
    check_page(tab, "search-results", width, device, "main a[href^='/students/']")
