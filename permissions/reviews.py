"""Access reviews: every quarter, the people who know each school's staff confirm who should see its students.

A review opens for each school with grants (its principal reviews them: holders of
``permissions.review_school_access`` with schoolwide access there) and one for the district
(district admins review districtwide grants, cross-school ones, whose holder works at another
school or at none, and the grants of the school's own reviewers, so nobody reviews themselves).
Each grant is kept or revoked with a reason; every decision is a grant change event in the same
transaction. Reminders go out as the deadline nears; what is still undecided after the grace
period expires (hand-made grants) or is kept as the SIS says (SIS grants, which follow the
teaching assignments). The scheduled jobs are in permissions/tasks.py.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from educators.models import Educator
from permissions.kinds import GRANT_KINDS, KIND_BY_KEY, held, live_grants
from permissions.models import AccessReview, AccessReviewItem, Grant, GrantSource, ReviewDecision
from permissions.services import can_manage_grants, clean_reason, district_admins, grant_snapshot, record_grant_event
from students.models import School

REVIEW_PERMISSION = "permissions.review_school_access"
REMIND_BEFORE = datetime.timedelta(days=7)
REMIND_EVERY = datetime.timedelta(days=3)
GONE_REASON = "The grant was taken away before the review."

# Which school a grant of each kind is at, read from the grant row (None: districtwide).
SCHOOL_OF = {
    "district": None,
    "school": "content_object_id",
    "grade": "content_object__school_id",
    "homeroom": "content_object__school_id",
    "section": "content_object__course__school_id",
    "student": "content_object__school_id",
}


def _reviewers(now: datetime.datetime | None) -> QuerySet:
    """Live schoolwide grants whose holder reviews that school: an active holder of the review permission
    (directly or through a group, the Principal role's; superuser status does not count)."""
    permitted = ModelBackend().with_perm(REVIEW_PERMISSION, include_superusers=False)
    return live_grants(KIND_BY_KEY["school"], now).filter(user__in=permitted)


def reviewers_of(school: School, now: datetime.datetime | None = None) -> QuerySet[Educator]:
    """Who reviews a school's grants: active holders of the review permission with live schoolwide access there."""
    schoolwide = _reviewers(now).filter(content_object=school).values("user_id")
    return Educator.objects.filter(pk__in=schoolwide).order_by("full_name")


def may_review(educator, review: AccessReview) -> bool:
    """District admins review every scope; a school's reviewers their school's review."""
    if can_manage_grants(educator):
        return True
    return review.school is not None and reviewers_of(review.school).filter(pk=educator.pk).exists()


def reviews_for(educator) -> QuerySet[AccessReview]:
    """The open reviews the educator may work on, the district's first."""
    open_reviews = AccessReview.objects.filter(closed_at__isnull=True).select_related("school")
    if can_manage_grants(educator):
        return open_reviews.order_by(F("school").asc(nulls_first=True), "school__name")
    if not (educator.is_active and educator.has_perm(REVIEW_PERMISSION)):
        return open_reviews.none()
    schools = held("school", educator).values("content_object_id")
    return open_reviews.filter(school__in=schools).order_by("school__name")


# --- opening ---------------------------------------------------------------------------------------
def _scoped_grants(now: datetime.datetime) -> dict[int | None, list[tuple[str, Grant]]]:
    """Every live grant, by the school whose review it belongs to (None: the district's)."""
    reviewer_pairs = set(_reviewers(now).values_list("user_id", "content_object_id"))  # one query, all schools
    scoped: dict[int | None, list[tuple[str, Grant]]] = defaultdict(list)
    for kind in GRANT_KINDS:
        school_field = SCHOOL_OF[kind.key]
        grants = live_grants(kind, now).select_related("user", *kind.related)
        if school_field is not None:
            grants = grants.annotate(review_school=F(school_field))
        for grant in grants:
            school = getattr(grant, "review_school", None)
            own_school = school is not None and grant.user.home_school_id == school
            if school is None or not own_school or (grant.user_id, school) in reviewer_pairs:
                scoped[None].append((kind.key, grant))
            else:
                scoped[school].append((kind.key, grant))
    return scoped


def open_reviews(now: datetime.datetime | None = None) -> list[AccessReview]:
    """Open this quarter's reviews: one per school with grants to review, and the district's. A scope whose
    previous review is still open is left to finish it."""
    now = now or timezone.now()
    due = now + datetime.timedelta(days=settings.ACCESS_REVIEW_DAYS)
    expires = due + datetime.timedelta(days=settings.ACCESS_REVIEW_GRACE_DAYS)
    still_open = set(AccessReview.objects.filter(closed_at__isnull=True).values_list("school_id", flat=True))
    opened = []
    with transaction.atomic():
        for school_id, grants in sorted(_scoped_grants(now).items(), key=lambda pair: pair[0] or 0):
            if school_id in still_open:
                continue
            review = AccessReview.objects.create(
                school_id=school_id, opened_at=now, due_at=due, expires_unreviewed_at=expires
            )
            AccessReviewItem.objects.bulk_create(
                AccessReviewItem(
                    review=review,
                    grant_kind=key,
                    grant_id=grant.pk,
                    educator=grant.user,
                    label=str(grant),
                    source=grant.source,
                    granted_at=grant.granted_at,
                )
                for key, grant in grants
            )
            opened.append(review)
    return opened


# --- deciding --------------------------------------------------------------------------------------
def item_grant(item: AccessReviewItem) -> Grant | None:
    """The grant under review, if it still exists."""
    kind = KIND_BY_KEY[item.grant_kind]
    return kind.model.objects.select_related("user", "granted_by", *kind.related).filter(pk=item.grant_id).first()


def _settle(item: AccessReviewItem, *, decision: str, reason: str, actor) -> None:
    item.decision, item.reason, item.decided_by, item.decided_at = decision, reason, actor, timezone.now()
    item.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
    review = item.review
    if not review.items.filter(decision=ReviewDecision.PENDING).exists():
        review.closed_at = timezone.now()
        review.save(update_fields=["closed_at"])


def decide(*, reviewer, item: AccessReviewItem, decision: str, reason: str) -> str:
    """Keep or revoke one grant under review, with a reason: a grant change event either way. Returns the
    decision recorded ("gone" when the grant was taken away meanwhile, with nothing to decide)."""
    reason = clean_reason(reason)
    if decision not in (ReviewDecision.KEEP, ReviewDecision.REVOKE):
        raise ValidationError("Keep or revoke.")
    with transaction.atomic():
        item = AccessReviewItem.objects.select_for_update(of=("self",)).select_related("review__school").get(pk=item.pk)
        if not may_review(reviewer, item.review):
            raise PermissionDenied("Only the school's reviewers or a district admin may review these grants.")
        if item.decision != ReviewDecision.PENDING or item.review.closed_at is not None:
            raise ValidationError("This grant has been reviewed already.")
        grant = item_grant(item)
        if grant is None:
            _settle(item, decision=ReviewDecision.GONE, reason=GONE_REASON, actor=None)
            return ReviewDecision.GONE
        if decision == ReviewDecision.REVOKE and grant.source == GrantSource.SIS:
            raise ValidationError(
                "This grant follows the SIS teaching assignment: keep it here, and change the assignment in the SIS."
            )
        snapshot = grant_snapshot(grant)
        words = f"Access review: {'kept' if decision == ReviewDecision.KEEP else 'revoked'}: {reason}"
        after = snapshot if decision == ReviewDecision.KEEP else None
        record_grant_event(actor=reviewer, grant=grant, before=snapshot, after=after, reason=words)
        if decision == ReviewDecision.REVOKE:
            grant.delete()
        _settle(item, decision=decision, reason=reason, actor=reviewer)
    return decision


# --- reminders and expiry (the daily job) -------------------------------------------------------------
def pending(review: AccessReview) -> QuerySet[AccessReviewItem]:
    return review.items.filter(decision=ReviewDecision.PENDING)


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Email the reviewers of open reviews due within a week (again every few days; a school without
    reviewers, the district admins): how many emails went."""
    now = now or timezone.now()
    due_soon = AccessReview.objects.filter(closed_at__isnull=True, due_at__lte=now + REMIND_BEFORE).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_EVERY)
    )
    sent = 0
    managers = list(district_admins().values_list("email", flat=True))
    for review in due_soon.select_related("school"):
        left = pending(review).count()
        where = review.school.name if review.school is not None else "the district"
        reviewers = list(reviewers_of(review.school, now).values_list("email", flat=True)) if review.school else []
        recipients = reviewers or managers  # a school without a principal falls to the district admins
        if not recipients:
            continue
        url = settings.SITE_URL + reverse("permissions:access_review", args=[review.pk])
        send_mail(
            subject=f"Access review of {where}: {left} grant{'s' if left != 1 else ''} to review",
            message=(
                f"{left} grant{'s' if left != 1 else ''} at {where} still need{'s' if left == 1 else ''} your review "
                f"by {timezone.localdate(review.due_at):%B %-d, %Y}. Grants not reviewed by "
                f"{timezone.localdate(review.expires_unreviewed_at):%B %-d, %Y} expire.\n\nReview them: {url}\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
        review.reminded_at = now
        review.save(update_fields=["reminded_at"])
        sent += len(recipients)
    return sent


def expire_unreviewed(now: datetime.datetime | None = None) -> int:
    """Past the grace period, hand-made grants nobody reviewed expire now; SIS grants stay (they follow the
    SIS). Each one a grant change event. Returns how many grants expired."""
    now = now or timezone.now()
    expired = 0
    overdue = AccessReview.objects.filter(closed_at__isnull=True, expires_unreviewed_at__lte=now)
    with transaction.atomic():
        for review in overdue.select_for_update(of=("self",)):
            due = timezone.localdate(review.due_at)
            for item in pending(review).select_related("review"):
                grant = item_grant(item)
                if grant is None:
                    _settle(item, decision=ReviewDecision.GONE, reason=GONE_REASON, actor=None)
                elif grant.source == GrantSource.SIS:
                    snapshot = grant_snapshot(grant)
                    reason = "Access review: not reviewed; kept, as it follows the SIS teaching assignment"
                    record_grant_event(actor=None, grant=grant, before=snapshot, after=snapshot, reason=reason)
                    _settle(item, decision=ReviewDecision.KEEP, reason=reason, actor=None)
                else:
                    reason = f"Access review: not reviewed by {due:%Y-%m-%d}, expired after the grace period"
                    before = grant_snapshot(grant)
                    grant.expires_at = now
                    grant.save(update_fields=["expires_at"])
                    record_grant_event(
                        actor=None, grant=grant, before=before, after=grant_snapshot(grant), reason=reason
                    )
                    _settle(item, decision=ReviewDecision.EXPIRED, reason=reason, actor=None)
                    expired += 1
    return expired
