"""Access reviews: opened per school and for the district, each grant kept or revoked with a reason by the
right reviewer (a grant change event either way), reminders as the deadline nears, and expiry of what
nobody reviewed."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AccessEvent, GrantChangeEvent
from permissions.kinds import KIND_BY_KEY, live_grants
from permissions.models import (
    AccessReview,
    AccessReviewItem,
    DistrictGrant,
    HomeroomGrant,
    ReviewDecision,
    SchoolGrant,
    StudentGrant,
)
from permissions.policy import visible_students
from permissions.reviews import (
    REMIND_EVERY,
    decide,
    expire_unreviewed,
    may_review,
    open_reviews,
    reviewers_of,
    reviews_for,
    send_reminders,
)
from permissions.tasks import follow_up_access_reviews, open_access_reviews, open_access_reviews_now


@pytest.fixture
def opened(demo):
    open_reviews()
    return {review.school.local_id if review.school else None: review for review in AccessReview.objects.all()}


def item_for(review: AccessReview, grant) -> AccessReviewItem:
    kind = next(key for key, kind in KIND_BY_KEY.items() if kind.model is type(grant))
    return review.items.get(grant_kind=kind, grant_id=grant.pk)


def grant_of(demo, key: str, model=SchoolGrant):
    return model.objects.filter(user=demo.educator(key)).first()


# --- who reviews what --------------------------------------------------------------------------------
def test_the_principal_reviews_their_school_and_district_admins_review_everything(demo, opened):
    baker = demo.school("BAK")
    assert list(reviewers_of(baker)) == [demo.educator("principal.baker")]
    assert not reviewers_of(demo.school("ASH")).exists()
    principal, admin = demo.educator("principal.baker"), demo.educator("admin")
    assert may_review(principal, opened["BAK"]) and not may_review(principal, opened["ASH"])
    assert not may_review(principal, opened[None])
    assert all(may_review(admin, review) for review in opened.values())
    assert not may_review(demo.educator("counselor.baker"), opened["BAK"])
    assert list(reviews_for(principal)) == [opened["BAK"]]
    assert list(reviews_for(admin))[0] == opened[None]
    assert not reviews_for(demo.educator("counselor.baker")).exists()


def test_each_grant_lands_in_the_review_of_whoever_knows_its_holder(demo, opened):
    baker, district = opened["BAK"], opened[None]
    assert item_for(baker, grant_of(demo, "counselor.baker")).source == "manual"
    assert item_for(baker, grant_of(demo, "teacher.5", HomeroomGrant)).source == "sis"
    # The principal does not review their own grant; districtwide and cross-school grants go to the district.
    assert item_for(district, grant_of(demo, "principal.baker"))
    assert item_for(district, grant_of(demo, "district", DistrictGrant))
    cross_school = live_grants(KIND_BY_KEY["student"]).get(user=demo.educator("counselor.riverside"))
    assert item_for(district, cross_school)
    every_live = sum(live_grants(kind).count() for kind in KIND_BY_KEY.values())
    assert AccessReviewItem.objects.count() == every_live
    label = item_for(district, cross_school).label
    assert cross_school.content_object.last_name not in label  # opaque, as in __str__


def test_a_scope_whose_review_is_still_open_gets_no_second_one(demo, opened):
    assert open_reviews() == []
    assert AccessReview.objects.count() == len(opened)


# --- deciding ----------------------------------------------------------------------------------------
def test_keeping_a_grant_is_a_grant_change_event_and_the_grant_stays(demo, opened):
    principal, grant = demo.educator("principal.baker"), grant_of(demo, "counselor.baker")
    item = item_for(opened["BAK"], grant)
    assert decide(reviewer=principal, item=item, decision="keep", reason="Still our counselor") == "keep"
    event = GrantChangeEvent.objects.get()
    assert (event.actor_email, event.reason) == (principal.email, "Access review: kept: Still our counselor")
    assert event.before == event.after
    item.refresh_from_db()
    assert (item.decision, item.reason, item.decided_by) == ("keep", "Still our counselor", principal)
    assert SchoolGrant.objects.filter(pk=grant.pk).exists()
    with pytest.raises(ValidationError, match="reviewed already"):
        decide(reviewer=principal, item=item, decision="revoke", reason="Changed my mind")


def test_revoking_a_grant_takes_it_away_with_its_record(demo, opened):
    principal, grant = demo.educator("principal.baker"), grant_of(demo, "el.baker")
    decide(reviewer=principal, item=item_for(opened["BAK"], grant), decision="revoke", reason="Moved to Ashford")
    assert not SchoolGrant.objects.filter(pk=grant.pk).exists()
    assert not visible_students(demo.educator("el.baker")).exists()
    event = GrantChangeEvent.objects.get()
    assert event.after is None and event.reason == "Access review: revoked: Moved to Ashford"


@pytest.mark.parametrize(
    ("decision", "reason", "message"), [("maybe", "x", "Keep or revoke"), ("keep", "  ", "Say why")]
)
def test_a_decision_needs_keep_or_revoke_and_a_reason(demo, opened, decision, reason, message):
    item = item_for(opened["BAK"], grant_of(demo, "counselor.baker"))
    with pytest.raises(ValidationError, match=message):
        decide(reviewer=demo.educator("principal.baker"), item=item, decision=decision, reason=reason)
    assert not GrantChangeEvent.objects.exists()


def test_an_sis_grant_is_kept_or_changed_in_the_sis(demo, opened):
    item = item_for(opened["BAK"], grant_of(demo, "teacher.5", HomeroomGrant))
    with pytest.raises(ValidationError, match="follows the SIS"):
        decide(reviewer=demo.educator("principal.baker"), item=item, decision="revoke", reason="x")


def test_only_the_schools_reviewers_decide(demo, opened):
    item = item_for(opened["BAK"], grant_of(demo, "counselor.baker"))
    with pytest.raises(PermissionDenied):
        decide(reviewer=demo.educator("counselor.baker"), item=item, decision="keep", reason="Me")
    district_item = item_for(opened[None], grant_of(demo, "principal.baker"))
    with pytest.raises(PermissionDenied):
        decide(reviewer=demo.educator("principal.baker"), item=district_item, decision="keep", reason="Me")
    decide(reviewer=demo.educator("admin"), item=district_item, decision="keep", reason="Principal")


def test_a_grant_taken_away_meanwhile_is_marked_gone(demo, opened):
    grant = grant_of(demo, "gradelead.baker", KIND_BY_KEY["grade"].model)
    item = item_for(opened["BAK"], grant)
    grant.delete()
    assert decide(reviewer=demo.educator("principal.baker"), item=item, decision="keep", reason="x") == "gone"
    item.refresh_from_db()
    assert item.decision == ReviewDecision.GONE and not GrantChangeEvent.objects.exists()


def test_a_review_closes_when_every_grant_is_decided(demo, opened):
    review, principal = opened["BAK"], demo.educator("principal.baker")
    for item in review.items.all():
        decide(reviewer=principal, item=item, decision="keep", reason="Confirmed with staff")
    review.refresh_from_db()
    assert review.closed_at is not None
    assert reviews_for(principal).count() == 0
    assert len(open_reviews()) == 1  # the next round for Baker may open now


# --- reminders and expiry ----------------------------------------------------------------------------
def test_reminders_go_to_reviewers_as_the_deadline_nears_and_not_every_day(demo, opened, settings):
    assert send_reminders() == 0  # three weeks to go
    soon = opened["BAK"].due_at - datetime.timedelta(days=6)
    sent = send_reminders(soon)
    assert sent == 1 + 1 + (len(opened) - 2)  # Baker's principal; the district's and every other school's admin
    baker_mail = next(message for message in mail.outbox if "Baker K-8" in message.subject)
    assert baker_mail.to == [demo.educator("principal.baker").email]
    assert f"/access-reviews/{opened['BAK'].pk}/" in baker_mail.body and "expire" in baker_mail.body
    ashford_mail = next(message for message in mail.outbox if "Ashford" in message.subject)
    assert ashford_mail.to == [demo.educator("admin").email]  # no principal holds the review role there
    assert send_reminders(soon + datetime.timedelta(days=1)) == 0
    assert send_reminders(soon + REMIND_EVERY) == sent


def test_nothing_is_sent_when_no_one_could_review(demo, opened, settings):
    admin = demo.educator("admin")
    admin.is_active = False
    admin.save()
    soon = opened["BAK"].due_at - datetime.timedelta(days=6)
    assert send_reminders(soon) == 1  # only Baker has a reviewer of its own


def test_unreviewed_hand_made_grants_expire_after_the_grace_period(demo, opened):
    review, counselor = opened["BAK"], grant_of(demo, "counselor.baker")
    homeroom = grant_of(demo, "teacher.5", HomeroomGrant)
    kept = grant_of(demo, "el.baker")
    decide(reviewer=demo.educator("principal.baker"), item=item_for(review, kept), decision="keep", reason="EL")
    gone = grant_of(demo, "gradelead.baker", KIND_BY_KEY["grade"].model)
    gone_item = item_for(review, gone)
    gone.delete()
    assert expire_unreviewed(review.due_at) == 0  # not past the grace period yet
    later = review.expires_unreviewed_at + datetime.timedelta(minutes=1)
    expired = expire_unreviewed(later)
    assert expired == AccessReviewItem.objects.filter(decision=ReviewDecision.EXPIRED).count() > 0
    counselor.refresh_from_db()
    assert counselor.expires_at == later
    assert item_for(review, counselor).decision == ReviewDecision.EXPIRED
    assert item_for(review, homeroom).decision == ReviewDecision.KEEP  # follows the SIS
    sis_kept = GrantChangeEvent.objects.filter(educator_id=homeroom.user_id).latest("id")
    assert "kept, as it follows the SIS" in sis_kept.reason and sis_kept.before == sis_kept.after
    assert item_for(review, kept).decided_by == demo.educator("principal.baker")
    gone_item.refresh_from_db()
    assert gone_item.decision == ReviewDecision.GONE
    event = GrantChangeEvent.objects.filter(educator_id=counselor.user_id).latest("id")
    assert event.actor_id is None and "expired after the grace period" in event.reason
    assert event.after["expires_at"] is not None
    review.refresh_from_db()
    assert review.closed_at is not None


# --- the jobs ----------------------------------------------------------------------------------------
def test_the_jobs_open_follow_up_and_record_each_run(demo):
    assert open_access_reviews(int(timezone.now().timestamp())) == AccessReview.objects.count() > 0
    assert open_access_reviews_now() == 0  # every scope has its review open
    run = AccessEvent.objects.filter(action="access_reviews_open").order_by("id")
    assert [event.details for event in run] == [{"reviews_opened": AccessReview.objects.count()}, {"reviews_opened": 0}]
    assert follow_up_access_reviews(0) == {"reminders_sent": 0, "grants_expired": 0}
    assert AccessEvent.objects.get(action="access_reviews_follow_up").actor_id is None


def test_the_review_schedule_is_quarterly_by_default(settings):
    from procrastinate.contrib.django import app

    crons = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert crons["permissions.open_access_reviews"] == "0 6 1 1,4,7,10 *"
    assert crons["permissions.follow_up_access_reviews"] == "15 6 * * *"


def test_a_single_student_grant_in_a_review_stays_opaque(demo, opened):
    item = item_for(opened[None], StudentGrant.objects.filter(user=demo.educator("counselor.riverside")).first())
    assert item.label.startswith("Single-student grant (Student #") and str(item).endswith("(not reviewed yet)")
    assert str(opened["BAK"]).startswith("Access review of Baker K-8, opened ")
    assert str(opened[None]).startswith("Access review of the district")
