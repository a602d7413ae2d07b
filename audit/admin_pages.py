"""Recording Django admin pages that show student data, without any help from the ModelAdmins.

The admin is where a district administrator can page through students and notes; those pages are
as much an access as the educator-facing ones. Which model a page shows comes from the ModelAdmin
the resolved view belongs to (``resolver_match.func.model_admin``, whatever the AdminSite), which
page it is from the admin's documented URL names (``..._changelist``, ``..._change``, ...), and
what it showed from the rendered response's context (the change list's page of results) or the
URL's object id. A model holds student data when it is the data subject's model
(``settings.AUDIT_SUBJECT_MODEL``, the student: the audit core imports no domain app) or reaches
it through foreign keys; the audit tables themselves are recorded too, because reading the audit
log is sensitive as well. The admin's autocomplete endpoint, which searches a related model
(students, by name) for a form field, is recorded with the ids it returned.

A change or delete of a container (a school, homeroom, section, course, grant:
``settings.AUDIT_ADMIN_CONTAINERS``) is recorded with the students it holds, read before the view
runs (a deleted homeroom no longer knows its students) and after (a section's new students).
Only ids of rows that exist are recorded: an id typed into a URL is never stored as it came.
"""

import functools
import json

from django.apps import apps
from django.conf import settings
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model
from django.utils.module_loading import import_string

from audit.recorder import record_objects, record_students

RECORDED_PAGES = ("changelist", "change", "history", "delete")


def subject_model():
    """The model whose rows are the people the audit log is about (the student)."""
    return apps.get_model(settings.AUDIT_SUBJECT_MODEL)


def _reaches_student(model, seen: frozenset) -> bool:
    if model is subject_model():
        return True
    return any(
        _reaches_student(field.related_model, seen | {model})
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model not in seen and field.related_model is not model
    )


@functools.cache
def admin_containers() -> frozenset[type[Model]]:
    """The models whose admin changes are recorded with the students they hold."""
    return import_string(settings.AUDIT_ADMIN_CONTAINERS)()


def _contained_students(model, pks) -> list[int]:
    return import_string(settings.AUDIT_ADMIN_CONTAINED_STUDENTS)(model, pks)


@functools.cache
def holds_student_data(model) -> bool:
    """Whether rows of ``model`` are (or hang off) a student's record."""
    return _reaches_student(model, frozenset())


def _autocomplete_target(request):
    """The model an admin autocomplete request searches: the one the named form field points to."""
    try:
        source = apps.get_model(request.GET["app_label"], request.GET["model_name"])
        return source._meta.get_field(request.GET["field_name"]).related_model
    except (KeyError, LookupError, FieldDoesNotExist):
        return None


def recorded_admin_page(request, match) -> tuple[type[Model], str] | None:
    """The (model, page) of an admin page that must be recorded, or None for any other page."""
    if match is None or "admin" not in match.app_names:
        return None
    if match.url_name == "autocomplete":
        model = _autocomplete_target(request)
        return (model, "autocomplete") if model is not None and holds_student_data(model) else None
    model_admin = getattr(match.func, "model_admin", None)
    page = (match.url_name or "").rpartition("_")[2]
    if model_admin is None or page not in RECORDED_PAGES:
        return None
    model = model_admin.model
    if model._meta.app_label == "audit" or holds_student_data(model):
        return model, page
    if request.method == "POST" and model in admin_containers():
        return model, page
    return None


def _shown_pks(request, match, model, page, response) -> list:
    if page == "autocomplete":
        ok = response is not None and response.status_code == 200  # None: before the view ran
        results = json.loads(response.content)["results"] if ok else []
        raw = [result["id"] for result in results]
    elif page != "changelist":
        raw = [unquote(match.kwargs["object_id"])]
    elif request.method == "POST":
        raw = request.POST.getlist("_selected_action")
    else:
        change_list = (getattr(response, "context_data", None) or {}).get("cl")
        return [obj.pk for obj in getattr(change_list, "result_list", ())]
    pks = []
    for value in raw:
        try:
            pks.append(model._meta.pk.to_python(value))
        except ValidationError:
            continue
    # Only rows that exist: a URL or a form may carry any id (one out of the column's range, too).
    return list(model._base_manager.filter(pk__in=pks).values_list("pk", flat=True)) if pks else []


def record_admin_page(request, match, model, page, response) -> None:
    """Report the rows an admin page showed (GET) or acted on (POST) to the open recording.

    For a POST the middleware calls this before the view runs as well (``response`` None), so rows
    the view deletes, or moves to another student, are still tied to the students they belonged to.
    """
    pks = _shown_pks(request, match, model, page, response)
    kind = "changed" if request.method == "POST" else "viewed"
    student = subject_model()
    if model is student:
        record_students(pks, kind=kind)
        return
    record_objects(model._meta.model_name, pks)
    if request.method == "POST" and model in admin_containers() and pks:
        record_students(_contained_students(model, pks), kind="changed")
    student_fields = [
        field.attname for field in model._meta.concrete_fields if field.is_relation and field.related_model is student
    ]
    if student_fields and pks:
        for row in model._base_manager.filter(pk__in=pks).values_list(*student_fields):
            record_students([student_id for student_id in row if student_id is not None], kind=kind)
