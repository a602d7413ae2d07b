"""Support's "view as": a supporter sees Insights as an educator does, read-only, time-limited, without
restricted notes, with a banner, and every page recorded under both identities."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from audit.models import AccessEvent
from educators.models import Educator
from educators.view_as import SESSION_KEY, ViewAsMiddleware
from permissions.holdings import holdings
from permissions.policy import can_view_restricted_notes
from permissions.view_as import mark_viewed_as, may_start_viewing_as, refusal, viewed_as_by
from students.models import EventNote
from tests.factories import EducatorFactory

START = reverse("educators:view_as_start")
STOP = reverse("educators:view_as_stop")


def give(educator, codename: str, app_label: str = "permissions") -> Educator:
    educator.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label=app_label))
    return Educator.objects.get(pk=educator.pk)  # a fresh object: permissions are cached on the old one


@pytest.fixture
def supporter(demo):
    return give(demo.educator("privacy"), "view_as_educator")


@pytest.fixture
def viewing(client, demo, supporter):
    """The supporter signed in and viewing as the kindergarten teacher."""
    client.force_login(supporter)
    response = client.post(START, {"email": "teacher.k@demo.insights.example", "reason": "Ticket 4411", "minutes": 15})
    assert response.status_code == 302 and response.url == reverse("students:home")
    return client


# --- who may view as whom ----------------------------------------------------------------------------
def test_only_holders_of_the_permission_may_view_as_and_superuser_status_is_not_enough(client, demo, supporter):
    assert may_start_viewing_as(supporter)
    assert not may_start_viewing_as(demo.educator("admin"))  # superuser, not given the permission
    client.force_login(demo.educator("newhire"))
    assert client.get(START).status_code == 403


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("privacy", "yourself"),
        ("inactive", "inactive"),
        ("admin", "Superusers cannot be viewed as"),
        ("district", "more privileged"),
        ("counselor.baker", "more privileged"),  # restricted notes, which the supporter does not hold
    ],
)
def test_viewing_as_someone_more_privileged_is_refused(demo, supporter, target, message):
    assert message in refusal(supporter, demo.educator(target))


def test_a_supporter_without_the_admin_site_may_not_view_as_someone_with_it(demo):
    helper = give(demo.educator("teacher.5"), "view_as_educator")
    staff = EducatorFactory(is_staff=True)
    assert "admin site" in refusal(helper, staff)
    assert refusal(helper, demo.educator("teacher.k")) is None
    assert "needs the view-as permission" in refusal(demo.educator("newhire"), demo.educator("teacher.k"))


def test_the_start_form_explains_refusals(client, demo, supporter):
    client.force_login(supporter)
    assert b"at most 30 minutes" in client.get(START).content
    for data, message in [
        ({"email": "nobody@demo.insights.example", "reason": "x", "minutes": 5}, "No educator has this email"),
        ({"email": "admin@demo.insights.example", "reason": "x", "minutes": 5}, "Superusers cannot"),
        ({"email": "teacher.k@demo.insights.example", "reason": "x", "minutes": 31}, "less than or equal to 30"),
    ]:
        response = client.post(START, data)
        assert response.status_code == 200 and message in response.content.decode()
    assert SESSION_KEY not in client.session


# --- the session -------------------------------------------------------------------------------------
def test_the_supporter_sees_what_the_educator_sees_with_a_banner_and_both_identities_recorded(viewing, demo, supporter):
    start = AccessEvent.objects.get(action="view_as_start")
    assert start.actor_email == supporter.email
    assert start.details["view_as_start"]["email"] == "teacher.k@demo.insights.example"
    assert start.details["view_as_start"]["reason"] == "Ticket 4411"
    page = viewing.get(reverse("students:my_students")).content.decode()
    assert "You are seeing Insights as <strong>Kelly Moreau</strong>" in page and "Rahman, Aisha" in page
    event = AccessEvent.objects.filter(action="students:my_students").latest("id")
    assert event.actor_email == supporter.email and demo.student("aisha").pk in event.student_ids
    assert event.details["viewing_as"] == {
        "educator_id": demo.educator("teacher.k").pk,
        "email": "teacher.k@demo.insights.example",
    }
    viewing.get(reverse("students:home"))  # a page showing no student is recorded too
    assert AccessEvent.objects.filter(action="students:home", actor_email=supporter.email).exists()


def test_nothing_can_be_written_and_the_admin_is_closed(viewing, demo):
    aisha = demo.student("aisha")
    response = viewing.post(reverse("students:note_create", args=[aisha.pk]), {"note_type": "other", "text": "Hi"})
    assert response.status_code == 403 and b"read-only" in response.content
    assert not EventNote.objects.filter(student=aisha, text="Hi").exists()
    assert viewing.get(reverse("admin:index")).status_code == 403
    assert viewing.post(reverse("students:search"), {"q": "Rahman"}).status_code == 200  # a read, sent by POST
    denied = AccessEvent.objects.filter(outcome="denied", status=403).latest("id")
    assert denied.details["viewing_as"]["email"] == "teacher.k@demo.insights.example"


def test_restricted_notes_stay_closed_whatever_the_educator_may_read(client, demo):
    counselor, privacy = demo.educator("counselor.baker"), demo.educator("privacy")
    assert can_view_restricted_notes(counselor)
    mark_viewed_as(counselor, privacy)
    assert viewed_as_by(counselor) == privacy and not can_view_restricted_notes(counselor)
    helper = give(give(privacy, "view_as_educator"), "view_restricted_notes", "students")
    client.force_login(helper)
    client.post(START, {"email": counselor.email, "reason": "Ticket 12", "minutes": 5})
    note = EventNote.objects.filter(is_restricted=True, student__school=demo.school("BAK")).first()
    assert note is not None
    url = reverse("students:restricted_note", args=[note.student_id, note.pk])
    assert client.get(url).status_code == 404


def test_stopping_is_recorded_under_both_identities(viewing, demo, supporter):
    response = viewing.post(STOP, follow=True)
    assert "You stopped viewing Insights as Kelly Moreau" in response.content.decode()
    assert "You are seeing Insights as" not in response.content.decode()
    stop = AccessEvent.objects.get(action="view_as_stop")
    assert stop.actor_email == supporter.email and stop.details["view_as_stop"]["why"] == "stopped"
    assert stop.details["viewing_as"]["email"] == "teacher.k@demo.insights.example"
    assert viewing.post(STOP).url == reverse("students:home")  # nothing to stop


def test_the_time_limit_ends_the_session_with_its_record(viewing, demo, supporter):
    session = viewing.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "until": 0}
    session.save()
    page = viewing.get(reverse("students:my_students")).content.decode()
    assert "ended: the time limit" in page and "You are seeing Insights as" not in page
    assert "Rahman, Aisha" not in page  # the supporter's own view: they see no students
    stop = AccessEvent.objects.get(action="view_as_stop")
    assert stop.actor_email == supporter.email and stop.details["view_as_stop"]["why"] == "the time limit"


def test_a_target_who_becomes_more_privileged_ends_the_session(viewing, demo):
    give(demo.educator("teacher.k"), "view_restricted_notes", "students")
    page = viewing.get(reverse("students:home")).content.decode()
    assert "ended: the account changed" in page
    assert SESSION_KEY not in viewing.session


# --- the cost on every request -----------------------------------------------------------------------
def _request(rf, user, session):
    request = rf.get("/")
    request.user, request.session = user, session
    request.session.items()  # loaded, as the sign-in middleware before it has loaded it
    return request


def test_the_middleware_costs_no_query_when_nobody_views_as_anyone(rf, demo, django_assert_num_queries):
    teacher = demo.educator("teacher.k")
    request = _request(rf, teacher, SessionStore())
    with django_assert_num_queries(0):
        passed = ViewAsMiddleware(lambda passed: passed)(request)
    assert passed.user == teacher and not hasattr(passed, "audit_actor")


def test_a_view_as_request_costs_the_target_and_two_holdings_lookups(
    viewing, rf, demo, supporter, django_assert_num_queries
):
    request = _request(rf, supporter, viewing.session)
    with django_assert_num_queries(3):
        passed = ViewAsMiddleware(lambda passed: passed)(request)
    assert passed.user == demo.educator("teacher.k") and passed.audit_actor == supporter
    theirs, yours = holdings(demo.educator("teacher.k")), holdings(supporter)
    assert theirs != yours
    with django_assert_num_queries(0):  # the page asks what the viewed educator holds: already looked up
        assert holdings(passed.user) == theirs
