"""The grant forms' lookups: searching educators and grant targets by name, and a grant's reach before saving.

Two JSON endpoints under each grant page, for district admins only. The search answers Django
admin's autocomplete widget (select2: ``term`` and ``page`` in, ``results`` and ``pagination`` out),
so the grant forms use the admin's own vendored widget with no script of ours beyond the reach
preview; a search for students is recorded in the audit log with the students it returned (never
the words typed). The reach endpoint counts, in SQL, the students a grant would show.
"""

from django.core.exceptions import PermissionDenied
from django.forms import Media
from django.http import JsonResponse
from django.urls import reverse

from audit.recorder import record_details, record_students, set_action
from educators.models import Educator
from permissions.kinds import GrantKind
from permissions.services import can_manage_grants
from permissions.targets import (
    container_label,
    educator_label,
    reach,
    search_containers,
    search_educators,
    search_students,
)

PAGE_SIZE = 20
REACH_MEDIA = Media(js=["admin/js/jquery.init.js", "js/grant_reach.js"])


def _page(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _answer(results: list[tuple[int, str]], *, more: bool) -> JsonResponse:
    return JsonResponse(
        {"results": [{"id": str(pk), "text": text} for pk, text in results], "pagination": {"more": more}}
    )


def search(request, kind: GrantKind) -> JsonResponse:
    """Educators (``field_name=user``) or this kind's targets (``field_name=content_object``) matching ``term``."""
    if not can_manage_grants(request.user):
        raise PermissionDenied
    term = request.GET.get("term", "")
    start = (_page(request) - 1) * PAGE_SIZE
    if request.GET.get("field_name") == "user":
        educators = list(search_educators(term)[start : start + PAGE_SIZE + 1])
        found = [(educator.pk, educator_label(educator)) for educator in educators]
    elif kind.key == "student":
        students = search_students(request.user, term, offset=start, limit=PAGE_SIZE + 1)
        set_action("grant_student_search")
        record_details(searched="students for a single-student grant")
        record_students(student.pk for student in students[:PAGE_SIZE])
        found = [(student.pk, student.label) for student in students]
    else:
        targets = list(search_containers(kind, term)[start : start + PAGE_SIZE + 1])
        found = [(target.pk, container_label(kind, target)) for target in targets]
    return _answer(found[:PAGE_SIZE], more=len(found) > PAGE_SIZE)


def reach_view(request, kind: GrantKind) -> JsonResponse:
    """How many students a grant of this kind on ``object`` would show ``user`` (and how many are new to them)."""
    if not can_manage_grants(request.user):
        raise PermissionDenied
    target_model = kind.model._meta.get_field("content_object").related_model
    educator = _by_pk(Educator.objects.all(), request.GET.get("user"))
    target = _by_pk(target_model.objects.all(), request.GET.get("object"))
    if educator is None or target is None:
        return JsonResponse({"error": "Choose an educator and what the grant is on."}, status=400)
    found = reach(kind, target, educator)
    return JsonResponse({"students": found.students, "new": found.new, "text": found.words()})


def _by_pk(queryset, value):
    try:
        return queryset.filter(pk=int(value or "")).first()
    except ValueError:
        return None


def reach_url(admin_site_name: str, kind: GrantKind) -> str:
    return reverse(f"{admin_site_name}:permissions_{kind.model._meta.model_name}_reach")


def search_url(admin_site_name: str, kind: GrantKind) -> str:
    return reverse(f"{admin_site_name}:permissions_{kind.model._meta.model_name}_search")
