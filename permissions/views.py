"""The access-review pages and the unused-access report.

A principal (or a district admin) opens their review, sees each grant with its reach, age, source
and use, and keeps or revokes it with a reason (permissions/reviews.py does the deciding). A review
someone may not work on answers 404 like a missing one. Every page is recorded in the audit log;
a single-student grant names its student only to a reviewer who may see them (and that showing is
recorded with the student).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.recorder import record_details, record_objects, record_students
from permissions.kinds import GRANT_KINDS, KIND_BY_KEY, grant_words
from permissions.models import AccessReview, AccessReviewItem, GrantSource, ReviewDecision
from permissions.policy import not_found
from permissions.reviews import decide, may_review, reviews_for
from permissions.services import can_manage_grants
from permissions.targets import name_if_visible
from permissions.tasks import open_access_reviews_now
from permissions.unused import unused_grants
from permissions.usage import USE_WINDOW, Usage, usage


@dataclass
class Row:
    """One grant under review as the page shows it."""

    item: AccessReviewItem
    label: str
    usage: Usage | None  # None once the grant is gone
    age_days: int


def _open_review(request, review_id: int) -> AccessReview:
    review = AccessReview.objects.select_related("school").filter(pk=review_id).first()
    if review is None or not may_review(request.user, review):
        raise not_found()
    record_details(access_review=review.pk)
    return review


def _rows(review: AccessReview, reviewer) -> list[Row]:
    items = list(review.items.select_related("educator", "decided_by"))
    now = timezone.now()
    use: dict[tuple[str, int], Usage] = {}
    for kind in GRANT_KINDS:
        ids = [item.grant_id for item in items if item.grant_kind == kind.key]
        grants = kind.model.objects.filter(pk__in=ids) if ids else []
        use |= {(kind.key, pk): found for pk, found in usage(kind, grants, now).items()}
    student_ids = [item.grant_id for item in items if item.grant_kind == "student"]
    names = _students_named(reviewer, student_ids)
    return [
        Row(
            item=item,
            label=names.get(item.grant_id, item.label) if item.grant_kind == "student" else item.label,
            usage=use.get((item.grant_kind, item.grant_id)),
            age_days=(now - item.granted_at).days,
        )
        for item in items
    ]


def _students_named(reviewer, grant_ids: list[int]) -> dict[int, str]:
    """Single-student grants whose student the reviewer may see, by grant id, in words naming the student."""
    if not grant_ids:
        return {}
    grants = (
        KIND_BY_KEY["student"]
        .model.objects.filter(pk__in=grant_ids)
        .select_related("user")
        .annotate(student_name=name_if_visible(reviewer, "content_object"), local_id=F("content_object__local_id"))
    )
    named = [grant for grant in grants if grant.student_name]
    record_students(grant.content_object_id for grant in named)
    return {grant.pk: grant_words(grant, f"{grant.student_name}, {grant.local_id}") for grant in named}


@never_cache
@login_required
@require_GET
def review_list(request):
    """The open reviews this person may work on."""
    reviews = list(reviews_for(request.user))
    record_objects("access_review", [review.pk for review in reviews])
    context = {"reviews": reviews, "manages_grants": can_manage_grants(request.user)}
    return render(request, "permissions/review_list.html", context)


@never_cache
@login_required
@require_GET
def review_detail(request, review_id: int):
    """Every grant in the review with its reach, age, source and use, and a keep-or-revoke form for each."""
    review = _open_review(request, review_id)
    rows = _rows(review, request.user)
    context = {
        "review": review,
        "rows": rows,
        "pending": sum(1 for row in rows if row.item.decision == ReviewDecision.PENDING),
        "window_days": USE_WINDOW.days,
        "sis": GrantSource.SIS,
    }
    return render(request, "permissions/review_detail.html", context)


@never_cache
@login_required
@require_POST
def review_decide(request, review_id: int, item_id: int):
    """Keep or revoke one grant, with a reason; back to the review, with what happened in words."""
    review = _open_review(request, review_id)
    item = review.items.select_related("educator").filter(pk=item_id).first()
    if item is None:
        raise Http404("No such grant in this review.")
    decision, reason = request.POST.get("decision", ""), request.POST.get("reason", "")
    record_details(access_review=review.pk, review_item=item.pk, decision=decision)
    try:
        done = decide(reviewer=request.user, item=item, decision=decision, reason=reason)
    except ValidationError as error:
        messages.error(request, f"{item.label}: {' '.join(error.messages)}")
    else:
        if done == ReviewDecision.GONE:
            messages.warning(request, f"{item.label} was taken away before the review: nothing to decide.")
        else:
            messages.success(request, f"{item.label} {ReviewDecision(done).label}: {reason.strip()}.")
    return redirect(reverse("permissions:access_review", args=[review.pk]) + f"#item-{item.pk}")


@never_cache
@login_required
@require_POST
def review_open_now(request):
    """District admins: open a round of reviews now instead of waiting for the quarter (a job on the queue)."""
    if not can_manage_grants(request.user):
        raise not_found()
    open_access_reviews_now.defer()
    record_details(access_reviews="opening requested")
    messages.success(request, "Opening the access reviews: they appear here in a moment.")
    return redirect("permissions:access_reviews")


@never_cache
@login_required
@require_GET
def unused_access(request):
    """District admins: grants nobody used in 90 days, and hand-made grants over a year old."""
    if not can_manage_grants(request.user):
        raise not_found()
    found = unused_grants()
    record_details(report="unused_access", grants=len(found))
    context = {"found": found, "window_days": USE_WINDOW.days}
    return render(request, "permissions/unused_access.html", context)
