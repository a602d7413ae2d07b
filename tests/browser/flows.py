"""What the page browser tests share: finding the cast, signing in, and the checks run on every page."""

import re
from pathlib import Path

from playwright.sync_api import expect

from educators.models import Educator
from students.demo import cast
from students.models import Student
from tests.accounts.helpers import PASSWORD, totp_code
from tests.browser.checks import csp_violations, serious_accessibility_violations

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


def educator(key: str) -> Educator:
    return Educator.objects.get(email=f"{key}@{cast.EMAIL_DOMAIN}")


def student(key: str) -> Student:
    return Student.objects.get(local_id=str(100000 + [person.key for person in cast.STUDENTS].index(key)))


def sign_in(page, key: str, *, secret: str | None = None) -> None:
    """The cast's educator ``key`` signs in (see sign_in_as)."""
    sign_in_as(page, educator(key).email, secret=secret)


def sign_in_as(page, email: str, *, secret: str | None = None) -> None:
    """Through the real allauth form; privileged educators also type a code from their authenticator."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if secret is not None:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Code").fill(totp_code(secret))
        page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def assert_clean(page) -> None:
    assert csp_violations(page) == [], page.url
    violations = serious_accessibility_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def assert_fits(page, width: int) -> None:
    """Nothing makes the page scroll sideways at this viewport width."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    widest = page.evaluate(_WIDER_THAN_THE_PAGE)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {width}px: {widest}"


# The outermost elements sticking out past the right edge, to say what makes a page scroll sideways.
_WIDER_THAN_THE_PAGE = """() => {
  const edge = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > edge + 1)
    .filter((element) => !(element.parentElement.getBoundingClientRect().right > edge + 1))
    .slice(0, 5)
    .map((element) => element.tagName.toLowerCase() + (element.className ? "." + element.className : ""));
}"""
