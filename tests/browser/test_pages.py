"""The educator's pages in a real browser: the flows people walk through, with CSP and axe-core checks on each
page and screenshots of the profile saved under test-output/ for review."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from educators import middleware as session_middleware
from students.models import EventNote, School, Student
from tests.accounts.helpers import enroll_totp
from tests.browser.checks import csp_violations
from tests.browser.flows import OUTPUT, assert_clean, educator, sign_in, student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESTRICTED_TEXT = "Disclosed a family matter; counselor following up weekly."


def test_a_homeroom_teacher_opens_a_student_adds_a_note_and_sees_it(tab):
    sign_in(tab, "teacher.5")
    assert_clean(tab)
    tab.get_by_role("link", name="My students").click()
    assert_clean(tab)
    tab.get_by_role("link", name="Alvarez, Mateo").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Mateo Alvarez")
    assert_clean(tab)
    OUTPUT.mkdir(exist_ok=True)
    tab.screenshot(path=str(OUTPUT / "profile-homeroom-teacher.png"), full_page=True)
    tab.emulate_media(media="print")
    tab.screenshot(path=str(OUTPUT / "profile-print.png"), full_page=True)
    tab.emulate_media(media="screen")

    tab.locator("#notes-form summary").click()
    tab.get_by_label("Kind of note").select_option(label="Parent conversation")
    tab.get_by_label("Note", exact=True).fill("Called home: reading every night this week.")
    tab.get_by_role("button", name="Save note").click()

    expect(tab.get_by_text("Note saved.")).to_be_visible()
    expect(tab.get_by_text("Called home: reading every night this week.")).to_be_visible()
    assert EventNote.objects.filter(text="Called home: reading every night this week.").count() == 1
    assert_clean(tab)


def test_a_counselor_reveals_a_restricted_note(tab):
    mateo = student("mateo")
    counselor = educator("counselor.baker")
    note = EventNote.objects.create(
        student=mateo,
        author=counselor,
        note_type="counselor",
        restricted_text=RESTRICTED_TEXT,
        is_restricted=True,
        recorded_at=timezone.now() - datetime.timedelta(days=1),
    )
    sign_in(tab, "counselor.baker", secret=enroll_totp(counselor))
    tab.goto(f"/students/{mateo.pk}/")
    expect(tab.get_by_text(RESTRICTED_TEXT)).to_have_count(0)
    assert_clean(tab)
    tab.screenshot(path=str(OUTPUT / "profile-counselor.png"), full_page=True)

    # This note's own button: the demo's restricted notes about Mateo may be listed above it.
    reveal = tab.locator(f'form[action$="/notes/{note.pk}/restricted/"]')
    reveal.get_by_role("button", name="Show restricted note").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Restricted note")
    expect(tab.get_by_text(RESTRICTED_TEXT)).to_be_visible()
    assert_clean(tab)


def test_a_principal_filters_the_roster_and_downloads_csv(tab):
    principal = educator("principal.baker")
    sign_in(tab, "principal.baker", secret=enroll_totp(principal))
    tab.get_by_role("link", name="Schools").click()
    tab.get_by_role("link", name="Open the roster of Baker K-8").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Baker K-8")
    assert_clean(tab)

    tab.get_by_label("Grade").select_option("5")  # labelled "5 (count)"
    tab.get_by_role("button", name="Apply filters").click()
    grade_5 = Student.objects.filter(
        school=School.objects.get(local_id="BAK"), grade="5", enrollment_status="Active", missing_from_last_export=False
    )
    expect(tab.locator("main tbody tr")).to_have_count(grade_5.count())
    assert_clean(tab)

    with tab.expect_download() as download_info:
        tab.get_by_role("link", name=re.compile("Download CSV")).click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text())))
    assert sorted(row["Local id"] for row in rows) == sorted(s.local_id for s in grade_5)


def test_the_type_ahead_finds_a_student_and_opens_the_profile_with_the_keyboard(tab):
    sign_in(tab, "teacher.5")
    search = tab.get_by_role("combobox", name="Find a student")
    search.fill("Alva")
    expect(tab.get_by_role("option", name=re.compile("Mateo Alvarez"))).to_be_visible()
    search.press("ArrowDown")
    search.press("Enter")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Mateo Alvarez")
    assert csp_violations(tab) == []


def test_what_was_typed_before_the_type_ahead_arrived_is_looked_up(tab):
    sign_in(tab, "teacher.5")
    held = []
    tab.route(re.compile(r"/js/search[^/]*\.js$"), lambda route: held.append(route))  # routing turns the cache off
    tab.goto("/", wait_until="commit")
    search = tab.get_by_role("combobox", name="Find a student")
    search.fill("Alva")
    for _ in range(100):
        if held:
            break
        tab.wait_for_timeout(50)
    option = tab.get_by_role("option", name=re.compile("Mateo Alvarez"))
    expect(option).to_have_count(0)
    held[0].continue_()
    expect(option).to_be_visible()


def test_search_works_without_javascript(browser, live_server, district, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.console_messages = []
    sign_in(page, "teacher.5")
    page.get_by_role("combobox", name="Find a student").fill("Alvarez")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Mateo Alvarez").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mateo Alvarez")
    context.close()


@pytest.mark.parametrize("path", ["/notes/mine/", "/search/", "/schools/"])
def test_more_pages_keep_to_the_csp_and_pass_axe(tab, path):
    sign_in(tab, "teacher.5")
    tab.goto(path)
    assert_clean(tab)


def test_homeroom_section_and_form_pages_keep_to_the_csp_and_pass_axe(tab):
    sign_in(tab, "teacher.5")
    mateo = student("mateo")
    tab.goto(f"/homerooms/{mateo.homeroom_id}/")
    assert_clean(tab)
    tab.goto(f"/students/{mateo.pk}/services/new/")
    assert_clean(tab)
    tab.get_by_role("button", name="Record service").click()
    expect(tab.get_by_text("Choose the kind of service.")).to_be_visible()
    assert_clean(tab)


def test_when_the_session_ends_the_page_is_cleared(tab, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 8
    sign_in(tab, "teacher.5")
    tab.goto(f"/students/{student('mateo').pk}/")
    expect(tab.get_by_role("alertdialog")).to_be_visible(timeout=10_000)
    expect(tab.get_by_role("heading", name="Your session has ended")).to_be_visible(timeout=10_000)
    expect(tab.get_by_text("Mateo")).to_have_count(0)
    assert csp_violations(tab) == []


def test_staying_signed_in_keeps_the_page(tab, settings, monkeypatch):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 10
    monkeypatch.setattr(session_middleware, "ACTIVITY_RESOLUTION_SECONDS", 0)
    sign_in(tab, "teacher.5")
    tab.goto(f"/students/{student('mateo').pk}/")
    tab.get_by_role("button", name="Stay signed in").click(timeout=12_000)
    expect(tab.get_by_role("alertdialog")).to_have_count(0)
    tab.wait_for_timeout(4_000)  # past the original end of the session
    expect(tab.get_by_role("heading", level=1)).to_have_text("Mateo Alvarez")
