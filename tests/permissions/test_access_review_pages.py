"""The access-review pages and the unused-access report: the right people see them, each grant shows its
reach, age, source and use, decisions are made there, and every page is in the audit log."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from audit.events import write_access_event
from audit.models import AccessEvent, GrantChangeEvent
from audit.recorder import Recording
from permissions.kinds import GRANT_KINDS, KIND_BY_KEY, live_grants
from permissions.models import AccessReview, HomeroomGrant, SchoolGrant
from permissions.policy import visible_students
from permissions.reviews import open_reviews
from permissions.services import grant_access
from permissions.usage import USE_WINDOW, usage


def viewed(educator, student_ids, *, outcome: str = "ok"):
    """An audit event of the educator viewing these students, as the recorder writes one."""
    recording = Recording(action="students:profile")
    recording.students["viewed"].update(dict.fromkeys(student_ids))
    return write_access_event(recording, actor=educator, outcome=outcome)


@pytest.fixture
def reviews(demo):
    open_reviews()
    return {review.school.local_id if review.school else None: review for review in AccessReview.objects.all()}


def review_url(review) -> str:
    return reverse("permissions:access_review", args=[review.pk])


def item_of(review, grant):
    kind = next(kind for kind in GRANT_KINDS if kind.model is type(grant))
    return review.items.get(grant_kind=kind.key, grant_id=grant.pk)


# --- use, in SQL -------------------------------------------------------------------------------------
def test_use_counts_students_viewed_in_ninety_days_out_of_those_reachable(demo):
    counselor = demo.educator("counselor.baker")
    grant = SchoolGrant.objects.get(user=counselor)
    baker = list(visible_students(counselor).values_list("pk", flat=True))
    assert usage(KIND_BY_KEY["school"], [grant])[grant.pk].words() == f"0 of {len(baker)} viewed"
    viewed(counselor, baker[:2])
    viewed(counselor, baker[1:3])
    viewed(counselor, baker[3:4], outcome="denied")
    viewed(counselor, [demo.student("aisha").pk])  # an Ashford student: not this grant's
    found = usage(KIND_BY_KEY["school"], [grant])[grant.pk]
    assert (found.viewed, found.reachable) == (3, len(baker))
    later = timezone.now() + USE_WINDOW + datetime.timedelta(days=1)
    assert usage(KIND_BY_KEY["school"], [grant], later)[grant.pk].viewed == 0  # views older than 90 days
    assert usage(KIND_BY_KEY["school"], []) == {}


def test_the_reach_of_every_grant_is_what_the_policy_shows_its_holder(demo):
    """For educators holding one grant, the usage SQL's reach equals the policy's list, across kinds and flags."""
    single = {}
    for kind in GRANT_KINDS:
        for grant in live_grants(kind).select_related("user"):
            single.setdefault(grant.user_id, []).append((kind, grant))
    checked = set()
    for pairs in single.values():
        if len(pairs) == 1 and pairs[0][1].user.is_active:
            kind, grant = pairs[0]
            assert usage(kind, [grant])[grant.pk].reachable == visible_students(grant.user).count(), str(grant)
            checked.add(kind.key)
    assert checked >= {"district", "school", "grade", "homeroom", "section"}


# --- the review pages --------------------------------------------------------------------------------
def test_the_principal_sees_their_review_with_reach_age_source_and_use(signed_in, demo, reviews):
    counselor = demo.educator("counselor.baker")
    viewed(counselor, [demo.student("mateo").pk])
    client = signed_in("principal.baker")
    listing = client.get(reverse("permissions:access_reviews")).content.decode()
    assert review_url(reviews["BAK"]) in listing and review_url(reviews["ASH"]) not in listing
    assert "Open reviews now" not in listing
    page = client.get(review_url(reviews["BAK"])).content.decode()
    reach = visible_students(counselor).count()
    assert "Schoolwide grant at Baker K-8 for Cora Lindqvist" in page and f"1 of {reach} viewed" in page
    assert "Homeroom 5-201 at Baker K-8 grant for Marcus Bell" in page and "SIS" in page and "by hand" in page
    assert "inactive account" in page  # Ivan Petrov left, his grant is still here to revoke
    event = AccessEvent.objects.filter(path=review_url(reviews["BAK"])).latest("id")
    assert (
        event.details == {"access_review": reviews["BAK"].pk}
        and event.actor_email == "principal.baker@demo.insights.example"
    )


def test_a_review_someone_may_not_work_on_looks_missing(signed_in, demo, reviews):
    client = signed_in("counselor.baker")
    assert client.get(review_url(reviews["BAK"])).status_code == 404
    assert client.get(reverse("permissions:access_review", args=[999999])).status_code == 404
    assert AccessEvent.objects.filter(outcome="denied", actor_email="counselor.baker@demo.insights.example").exists()
    assert "No access review is waiting" in client.get(reverse("permissions:access_reviews")).content.decode()


def test_keep_and_revoke_from_the_page(signed_in, demo, reviews):
    client, review = signed_in("principal.baker"), reviews["BAK"]
    counselor, el = (
        SchoolGrant.objects.get(user=demo.educator("counselor.baker")),
        SchoolGrant.objects.get(user=demo.educator("el.baker")),
    )
    keep = item_of(review, counselor)
    url = reverse("permissions:access_review_decide", args=[review.pk, keep.pk])
    response = client.post(url, {"decision": "keep", "reason": "Still our counselor"})
    assert response.status_code == 302 and response.url == f"{review_url(review)}#item-{keep.pk}"
    page = client.get(response.url).content.decode()
    assert "Schoolwide grant at Baker K-8 for Cora Lindqvist kept: Still our counselor." in page
    assert "Kept</strong>: Still our counselor" in page
    revoke = item_of(review, el)
    client.post(
        reverse("permissions:access_review_decide", args=[review.pk, revoke.pk]),
        {"decision": "revoke", "reason": "Left"},
    )
    assert not SchoolGrant.objects.filter(pk=el.pk).exists()
    assert [event.reason for event in GrantChangeEvent.objects.order_by("id")] == [
        "Access review: kept: Still our counselor",
        "Access review: revoked: Left",
    ]
    decided = AccessEvent.objects.filter(method="POST").order_by("id")
    assert [event.details["decision"] for event in decided] == ["keep", "revoke"]


def test_a_refused_decision_is_explained_on_the_page(signed_in, demo, reviews):
    client, review = signed_in("principal.baker"), reviews["BAK"]
    item = item_of(review, HomeroomGrant.objects.get(user=demo.educator("teacher.5")))
    response = client.post(
        reverse("permissions:access_review_decide", args=[review.pk, item.pk]),
        {"decision": "revoke", "reason": "x"},
        follow=True,
    )
    assert "follows the SIS teaching assignment" in response.content.decode()
    other = item_of(reviews[None], SchoolGrant.objects.get(user=demo.educator("principal.baker")))
    assert client.post(reverse("permissions:access_review_decide", args=[review.pk, other.pk])).status_code == 404


def test_a_grant_gone_before_the_decision_is_said_so(signed_in, demo, reviews):
    client, review = signed_in("principal.baker"), reviews["BAK"]
    grant = SchoolGrant.objects.get(user=demo.educator("el.baker"))
    item = item_of(review, grant)
    grant.delete()
    response = client.post(
        reverse("permissions:access_review_decide", args=[review.pk, item.pk]),
        {"decision": "keep", "reason": "x"},
        follow=True,
    )
    assert "was taken away before the review: nothing to decide" in response.content.decode()


def test_a_single_student_grant_names_its_student_to_a_reviewer_who_may_see_them(signed_in, demo):
    mateo = demo.student("mateo")
    grant_access(
        actor=demo.educator("admin"), educator=demo.educator("teacher.5"), kind="student", obj=mateo, reason="Tutoring"
    )
    open_reviews()
    review = AccessReview.objects.get(school=demo.school("BAK"))
    page = signed_in("principal.baker").get(review_url(review)).content.decode()
    assert f"Single-student grant ({mateo.last_name}, {mateo.first_name}, {mateo.local_id}) for Marcus Bell" in page
    assert mateo.pk in AccessEvent.objects.filter(path=review_url(review)).latest("id").student_ids


def test_district_admins_open_reviews_now_on_the_queue(signed_in, demo):
    client = signed_in("admin")
    listing = client.get(reverse("permissions:access_reviews")).content.decode()
    assert "Open reviews now" in listing and reverse("permissions:unused_access") in listing
    response = client.post(reverse("permissions:access_reviews_open"), follow=True)
    assert "Opening the access reviews" in response.content.decode()
    assert ProcrastinateJob.objects.filter(task_name="permissions.open_access_reviews_now", status="todo").exists()
    assert signed_in("principal.baker").post(reverse("permissions:access_reviews_open")).status_code == 404


# --- the unused-access report ------------------------------------------------------------------------
def test_the_unused_access_report_lists_unused_and_old_hand_made_grants(signed_in, demo):
    counselor, data = demo.educator("counselor.baker"), demo.educator("data.riverside")
    viewed(counselor, [demo.student("mateo").pk])
    viewed(data, [demo.student("noah").pk])
    SchoolGrant.objects.filter(user=data).update(granted_at=timezone.now() - datetime.timedelta(days=400))
    page = signed_in("admin").get(reverse("permissions:unused_access")).content.decode()
    assert "Schoolwide grant at Baker K-8 for Cora Lindqvist" not in page  # used, and recent
    assert "Schoolwide grant at Ashford Elementary for Sam Okonkwo" in page  # never used
    row = page.split("Schoolwide grant at Riverside High for Dmitri Volkov")[1].split("</tr>")[0]
    assert "made by hand over a year ago" in row and "no student viewed" not in row
    assert AccessEvent.objects.filter(details__report="unused_access").exists()
    assert signed_in("principal.baker").get(reverse("permissions:unused_access")).status_code == 404


def test_the_unused_access_report_says_when_there_is_nothing_to_list(signed_in, demo):
    for kind in GRANT_KINDS:
        kind.model.objects.all().delete()
    page = signed_in("admin").get(reverse("permissions:unused_access")).content.decode()
    assert "Every grant was used" in page


def test_district_admins_follow_the_reviews_in_the_admin(signed_in, demo, reviews):
    page = signed_in("admin").get(reverse("admin:permissions_accessreview_changelist")).content.decode()
    baker = reviews["BAK"]
    assert str(baker) in page and review_url(baker) in page
    assert f'<td class="field-left">{baker.items.count()}</td>' in page
    assert signed_in("principal.baker").get(reverse("admin:permissions_accessreview_changelist")).status_code == 302
