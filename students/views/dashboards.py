"""School dashboards (absences, tardies, discipline), their CSV, and the district page."""

from django.shortcuts import render
from django.utils import timezone

from insights.csv import csv_attachment, write_csv
from students import charts, selectors
from students.forms import DashboardFilterForm
from students.models import NoteType
from students.selectors.dashboards import MEASURES
from students.views.decorators import educator_page

CSV_COLUMNS = ("Local id", "Last name", "First name", "Grade", "Homeroom", "Count", "Latest note", "Latest note on")


def _dashboard_form(request, school, measure):
    choices = selectors.dashboard_choices(educator=request.user, school=school)
    form = DashboardFilterForm(request.GET, choices=choices, has_excused=measure.has_excused)
    form.is_valid()  # invalid choices are reported on the form and treated as "any"
    return form


@educator_page()
def school_dashboard(request, school_id: int, measure: str):
    school = selectors.roster_school_or_404(educator=request.user, school_id=school_id)
    measure = MEASURES[measure]
    form = _dashboard_form(request, school, measure)
    dashboard = selectors.school_dashboard(
        educator=request.user, school=school, measure=measure, filters=form.filters()
    )
    return render(
        request,
        "dashboards/school.html",
        {
            "school": school,
            "dashboard": dashboard,
            "measures": MEASURES.values(),
            "form": form,
            "charts": charts.dashboard_charts(dashboard),
            "query": request.GET.urlencode(),
        },
    )


@educator_page()
def school_dashboard_csv(request, school_id: int, measure: str):
    """The dashboard's student table as CSV, with the page's filters; every student in it is recorded as exported."""
    school = selectors.roster_school_or_404(educator=request.user, school_id=school_id)
    measure = MEASURES[measure]
    form = _dashboard_form(request, school, measure)
    filters = form.filters()
    students = selectors.dashboard_export(educator=request.user, school=school, measure=measure, filters=filters)
    response = csv_attachment(
        f"{measure.key}-{school.local_id}-{filters.since:%Y-%m-%d}-to-{filters.until:%Y-%m-%d}.csv"
    )
    rows = (
        (
            student.local_id,
            student.last_name,
            student.first_name,
            student.get_grade_display(),
            student.homeroom.name if student.homeroom else "",
            student.event_count,
            NoteType(student.latest_note_type).label if student.latest_note_type else "",
            timezone.localdate(student.latest_note_at).isoformat() if student.latest_note_at else "",
        )
        for student in students
    )
    write_csv(response, CSV_COLUMNS, rows)
    return response


@educator_page()
def district(request):
    overview = selectors.district_overview(educator=request.user)
    return render(request, "dashboards/district.html", {"overview": overview, "measures": MEASURES.values()})
