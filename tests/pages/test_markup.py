"""Pages keep to the strict Content Security Policy (no inline script or style) and to basic accessibility:
one h1, headings that do not skip levels, a label for every form control."""

import re
from html.parser import HTMLParser

import pytest
from django.templatetags.static import static
from django.urls import reverse

pytestmark = pytest.mark.django_db


class PageOutline(HTMLParser):
    """Collects what the checks need from a page: headings, controls and their labels, inline code."""

    def __init__(self):
        super().__init__()
        self.headings, self.controls, self.labels, self.problems = [], [], set(), []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.problems.append(f"style attribute on <{tag}>")
        if any(name.startswith("on") for name in attributes):
            self.problems.append(f"inline event handler on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            if "src" not in attributes:
                self.problems.append("inline <script>")
            self.in_script = True
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "label" and "for" in attributes:
            self.labels.add(attributes["for"])
        if tag in ("input", "select", "textarea") and attributes.get("type") not in ("hidden", "submit"):
            self.controls.append(attributes)

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append("inline script content")


def outline(html: str) -> PageOutline:
    parser = PageOutline()
    parser.feed(html)
    return parser


def pages(demo) -> list[tuple[str, str]]:
    mateo = demo.student("mateo")
    return [
        ("principal.baker", reverse("students:home")),
        ("principal.baker", reverse("students:profile", args=[mateo.pk]) + "?history=all"),
        ("principal.baker", reverse("students:note_create", args=[mateo.pk])),
        ("principal.baker", reverse("students:service_create", args=[mateo.pk])),
        ("principal.baker", reverse("students:my_students")),
        ("principal.baker", reverse("students:my_notes")),
        ("principal.baker", reverse("students:schools")),
        ("principal.baker", reverse("students:school_roster", args=[demo.school("BAK").pk])),
        ("principal.baker", reverse("students:homeroom", args=[demo.homeroom("5-201").pk])),
        ("teacher.biology", reverse("students:section", args=[demo.section("BIO-101-3").pk])),
        ("principal.baker", reverse("students:search")),
        ("teacher.k", reverse("students:profile", args=[mateo.pk])),  # the 404 page
    ]


def test_pages_have_no_inline_script_or_style(client_for, demo):
    for viewer, url in pages(demo):
        assert outline(client_for(viewer).get(url).content.decode()).problems == [], url


def test_pages_have_one_main_heading_and_no_skipped_levels(client_for, demo):
    for viewer, url in pages(demo):
        headings = outline(client_for(viewer).get(url).content.decode()).headings
        assert headings.count(1) == 1, url
        for previous, current in zip(headings, headings[1:], strict=False):
            assert current <= previous + 1, (url, headings)


def test_every_form_control_has_a_label(client_for, demo):
    for viewer, url in pages(demo):
        page = outline(client_for(viewer).get(url).content.decode())
        for control in page.controls:
            assert control.get("id") in page.labels or "aria-label" in control, (url, control)


def test_signed_in_pages_carry_the_session_expiry_data_and_load_scripts_from_files(client_for, demo):
    html = client_for("teacher.5").get(reverse("students:home")).content.decode()
    assert re.search(r'id="session-expiry" hidden\s+data-seconds-remaining="\d+"', html)
    assert f'<script src="{static("js/session.js")}" defer></script>' in html
    assert f'<script src="{static("js/search.js")}" defer></script>' in html
