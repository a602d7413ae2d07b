"""The student profile page and the full case history."""

import functools

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from students import charts, selectors
from students.forms import NoteForm, ServiceForm
from students.views.decorators import educator_page


@functools.lru_cache(maxsize=8)
def blank_form_fields(form_class, **options) -> SafeString:
    """The fields of a blank profile form (what to fill in; no one's data): the same for everyone with
    the same options on a day, so each process renders them once, as their field and widget templates
    cost more than the rest of the page."""
    return render_to_string("includes/form_fields.html", {"form": form_class(**options)})


@educator_page()
def student_profile(request, student_id: int):
    history = request.GET.get("history") == "all"
    profile = selectors.student_profile(educator=request.user, student_id=student_id, history=history)
    return render(
        request,
        "students/profile.html",
        {
            "profile": profile,
            "student": profile.student,
            "attendance_chart": charts.attendance_chart(profile.attendance),
            "incidents_chart": charts.incidents_chart(profile.incidents, since=profile.year_start, until=profile.today),
            "star_chart": charts.star_chart(profile.assessments),
            "mcas_chart": charts.mcas_chart(profile.assessments),
            "access_chart": charts.access_chart(profile.access_results),
            "note_fields": blank_form_fields(NoteForm, may_restrict=profile.may_view_restricted_notes),
            "service_fields": blank_form_fields(ServiceForm, today=profile.today),
        },
    )


@educator_page()
def case_history(request, student_id: int):
    history = selectors.case_history(educator=request.user, student_id=student_id)
    return render(request, "students/case_history.html", {"history": history, "student": history.student})


@educator_page()
def educators_with_access(request, student_id: int):
    student, educators = selectors.student_access_list(educator=request.user, student_id=student_id)
    return render(request, "students/educators_with_access.html", {"student": student, "educators": educators})
