"""Managing access in a real browser: a district admin assigns a role by name with its reach shown first,
a principal works through an access review (one keep, one revoke), and a supporter views Insights as a
teacher; the audit log holds every step."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from audit.models import AccessEvent, GrantChangeEvent
from insights.jobs import run_worker_until_idle
from permissions.kinds import KIND_BY_KEY
from permissions.models import AccessReview, SchoolGrant
from permissions.policy import visible_students
from permissions.targets import reach
from tests.accounts.helpers import enroll_totp
from tests.browser.checks import csp_violations, watch
from tests.browser.flows import assert_clean, educator, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(tab, field_id: str, typed: str, option: str) -> None:
    """Pick from one of the admin's searchable lists (select2): open it, type, click the option."""
    tab.locator(f"#{field_id} + .select2").click()
    tab.locator(".select2-search__field").fill(typed)
    tab.get_by_role("option", name=option).click()


def test_a_district_admin_assigns_counselor_at_baker_by_name_seeing_the_reach_first(tab):
    newhire, baker = educator("newhire"), educator("principal.baker").home_school
    sign_in(tab, "admin", secret=enroll_totp(educator("admin")))
    tab.goto("/admin/permissions/roletemplate/")
    tab.get_by_role("row", name=re.compile(r"^Counselor ")).get_by_role("link", name="assign").click()
    expect(tab.get_by_role("heading", name="Assign the Counselor role")).to_be_visible()
    choose(tab, "id_user", "Nora", "Nora Quinn <newhire@demo.insights.example>")
    choose(tab, "id_content_object", "Baker", "Baker K-8 (BAK)")
    expected = reach(KIND_BY_KEY["school"], baker, newhire)
    expect(tab.locator("#grant-reach")).to_have_text(expected.words())
    tab.get_by_label("Reason").fill("New counselor")
    tab.get_by_role("button", name="Assign the Counselor role").click()
    expect(tab.get_by_text("Counselor at Baker K-8 assigned to Nora Quinn: New counselor.")).to_be_visible()
    assert visible_students(newhire).count() == expected.students
    steps = list(GrantChangeEvent.objects.filter(educator_id=newhire.pk).order_by("id"))
    assert [(step.grant_kind, step.object_label, step.actor_email) for step in steps] == [
        ("school", "Baker K-8", "admin@demo.insights.example"),
        ("group", "Counselor", "admin@demo.insights.example"),
    ]
    assert csp_violations(tab) == []


def test_a_principal_keeps_one_grant_and_revokes_another_in_the_access_review(tab, browser, live_server):
    sign_in(tab, "admin", secret=enroll_totp(educator("admin")))
    tab.goto("/access-reviews/")
    tab.get_by_role("button", name="Open reviews now").click()
    expect(tab.get_by_text("Opening the access reviews")).to_be_visible()
    run_worker_until_idle()
    assert AccessReview.objects.filter(school__local_id="BAK", closed_at__isnull=True).exists()
    assert AccessEvent.objects.filter(action="access_reviews_open", actor_id=None).exists()

    context = browser.new_context(base_url=live_server.url)
    principal = context.new_page()
    principal.console_messages = []
    principal.on("console", lambda message: principal.console_messages.append(message.text))
    watch(principal)
    sign_in(principal, "principal.baker", secret=enroll_totp(educator("principal.baker")))
    principal.goto("/access-reviews/")
    principal.get_by_role("link", name="Baker K-8").click()
    expect(principal.get_by_role("heading", level=1)).to_have_text("Access review: Baker K-8")
    assert_clean(principal)

    counselor_row = principal.get_by_role("row", name=re.compile("Schoolwide grant at Baker K-8 for Cora Lindqvist"))
    counselor_row.get_by_label("Keep").check()
    counselor_row.get_by_label("Reason").fill("Still our counselor")
    counselor_row.get_by_role("button", name="Save").click()
    expect(
        principal.get_by_text("Schoolwide grant at Baker K-8 for Cora Lindqvist kept: Still our counselor.")
    ).to_be_visible()

    el_row = principal.get_by_role("row", name=re.compile("Schoolwide grant at Baker K-8 for Lucia Ferreira"))
    el_row.get_by_label("Revoke").check()
    el_row.get_by_label("Reason").fill("Moved to Ashford")
    el_row.get_by_role("button", name="Save").click()
    expect(
        principal.get_by_text("Schoolwide grant at Baker K-8 for Lucia Ferreira revoked: Moved to Ashford.")
    ).to_be_visible()
    context.close()

    assert SchoolGrant.objects.filter(user=educator("counselor.baker")).exists()
    assert not SchoolGrant.objects.filter(user=educator("el.baker")).exists()
    reviewed = GrantChangeEvent.objects.filter(reason__startswith="Access review").order_by("id")
    steps = list(reviewed.values_list("educator_email", "reason", "actor_email"))
    assert steps == [
        (
            "counselor.baker@demo.insights.example",
            "Access review: kept: Still our counselor",
            "principal.baker@demo.insights.example",
        ),
        (
            "el.baker@demo.insights.example",
            "Access review: revoked: Moved to Ashford",
            "principal.baker@demo.insights.example",
        ),
    ]


def test_a_supporter_views_insights_as_a_teacher_read_only_and_recorded(tab):
    supporter = educator("privacy")
    supporter.user_permissions.add(Permission.objects.get(codename="view_as_educator"))
    sign_in(tab, "privacy", secret=enroll_totp(supporter))
    tab.goto("/accounts/view-as/")
    tab.get_by_label("Educator's email").fill("teacher.k@demo.insights.example")
    tab.get_by_label("Reason").fill("Ticket 4411: cannot find a student")
    tab.get_by_label("Minutes").fill("10")
    tab.get_by_role("button", name="Start viewing as them").click()
    banner = tab.get_by_role("status").filter(has_text="You are seeing Insights as")
    expect(banner).to_contain_text("Kelly Moreau")
    tab.get_by_role("link", name="My students").click()
    expect(tab.get_by_role("link", name="Rahman, Aisha")).to_be_visible()
    expect(banner).to_be_visible()
    assert_clean(tab)
    tab.get_by_role("button", name="Stop viewing as Kelly Moreau").click()
    expect(tab.get_by_text("You stopped viewing Insights as Kelly Moreau.")).to_be_visible()

    events = list(AccessEvent.objects.filter(actor_email=supporter.email).order_by("id"))
    actions = [event.action for event in events]
    assert actions[0] == "view_as_start" and actions[-1] == "view_as_stop"
    roster = next(event for event in events if event.action == "students:my_students")
    assert roster.details["viewing_as"]["email"] == "teacher.k@demo.insights.example"
    assert educator("teacher.k").pk == roster.details["viewing_as"]["educator_id"] and roster.student_ids
