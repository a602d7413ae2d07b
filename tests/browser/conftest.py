"""Browser fixtures: Debian's Chromium driven by Playwright's sync API against pytest-django's live server.

Playwright's sync API runs its own event loop, so Django's "no ORM calls from async code" guard
must be relaxed for the test process. Without /usr/bin/chromium the tests skip locally and fail
in CI (where CI is set), so a missing browser never passes silently there.
"""

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from students.demo.generate import DemoDistrictBuilder
from tests.accounts.helpers import PASSWORD
from tests.browser.checks import watch

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, settings):
    """A fresh browser tab (own cookies) whose relative URLs point at the live server.

    Console messages are collected on ``page.console_messages`` so a test can assert that the
    Content-Security-Policy blocked nothing.
    """
    # The live server serves /static/ from the source folders (by unhashed name), ahead of WhiteNoise.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()  # rate-limit counters live in the database cache, which transactional tests do not empty
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    tab.console_messages = []
    tab.on("console", lambda message: tab.console_messages.append(message.text))
    yield tab
    context.close()


@pytest.fixture
def district():
    """The demo district with a dozen generated students, its educators signing in with the test password."""
    DemoDistrictBuilder(student_count=12, seed=1, today=timezone.localdate(), password=PASSWORD).build()


@pytest.fixture
def tab(page, district):
    """A tab in the demo district that collects CSP violations and has axe-core loaded."""
    watch(page)
    return page
