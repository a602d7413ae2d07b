"""Searching notes in a real browser: the words go by POST, matches are marked, the page reads well on a
laptop and a phone (screenshots under test-output/), and keeps to the CSP and axe-core."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from students.models import EventNote
from tests.browser.flows import OUTPUT, assert_clean, assert_fits, educator, sign_in, student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": 1366, "phone": 390}


@pytest.mark.parametrize("device", WIDTHS)
def test_a_teacher_searches_notes_and_opens_the_student(tab, device):
    tab.set_viewport_size({"width": WIDTHS[device], "height": 900})
    mateo = student("mateo")
    EventNote.objects.create(
        student=mateo,
        author=educator("teacher.5"),
        note_type="parent",
        text="Talked with José's grandmother about the late bus and reading at home.",
        recorded_at=timezone.now() - datetime.timedelta(days=2),
    )
    sign_in(tab, "teacher.5")
    tab.get_by_role("link", name="Search notes").click()
    tab.get_by_label("Words to find").fill("jose late bus")
    with tab.expect_request(lambda request: request.method == "POST"):
        tab.get_by_role("button", name="Search notes").click()
    expect(tab.locator("mark").first).to_have_text("José")
    assert "jose" not in tab.url.lower()
    assert_clean(tab)
    OUTPUT.mkdir(exist_ok=True)
    tab.screenshot(path=str(OUTPUT / f"note-search-{device}.png"), full_page=True)
    assert_fits(tab, WIDTHS[device])

    tab.get_by_role("article").get_by_role("link", name="Mateo Alvarez").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Mateo Alvarez")
