"""The student profile page."""

from django.shortcuts import render

from students import charts, selectors
from students.forms import NoteForm, ServiceForm
from students.views.decorators import educator_page


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
            "note_form": NoteForm(may_restrict=profile.may_view_restricted_notes),
            "service_form": ServiceForm(today=profile.today),
        },
    )
