"""Lists of students: my students, schools, a school's roster (and CSV), a homeroom, a section."""

from django.shortcuts import render
from django.utils import timezone

from insights.csv import csv_attachment, write_csv
from permissions.policy import is_districtwide
from students import selectors
from students.forms import RosterFilterForm
from students.selectors.rosters import MY_STUDENTS_SORTS
from students.templatetags.students_display import label
from students.views.decorators import educator_page

CSV_COLUMNS = (
    "Local id",
    "Last name",
    "First name",
    "Grade",
    "Homeroom",
    "Enrollment",
    "Program",
    "SPED level of need",
    "504",
    "English proficiency",
    "Absences this year",
    "Tardies this year",
    "Incidents this year",
    "Early-warning tier",
    "Early-warning reasons",
)


@educator_page()
def my_students(request):
    sort = request.GET.get("sort", "name")
    sort = sort if sort in MY_STUDENTS_SORTS else "name"
    page = selectors.my_students(educator=request.user, sort=sort, page=request.GET.get("page"))
    return render(request, "rosters/my_students.html", {"page_obj": page, "sort": sort})


@educator_page()
def my_schools(request):
    schools = selectors.my_schools(educator=request.user)
    return render(request, "rosters/schools.html", {"schools": schools, "districtwide": is_districtwide(request.user)})


def _roster_form(request, school):
    grades, homerooms = selectors.roster_choices(school=school)
    form = RosterFilterForm(request.GET, grades=grades, homerooms=homerooms)
    form.is_valid()  # invalid choices are reported on the form and treated as "any"
    return form


@educator_page()
def school_roster(request, school_id: int):
    school = selectors.roster_school_or_404(educator=request.user, school_id=school_id)
    form = _roster_form(request, school)
    filters = form.filters()
    roster = selectors.roster(
        educator=request.user, school=school, filters=filters, grades=form.grades, homerooms=form.homerooms
    )
    form.show_counts(roster.counts)
    without_sort = request.GET.copy()
    without_sort.pop("sort", None)
    return render(
        request,
        "rosters/school.html",
        {
            "school": school,
            "form": form,
            "roster": roster,
            "sort": filters.sort,
            "query": request.GET.urlencode(),
            "query_prefix": without_sort.urlencode(),
        },
    )


@educator_page()
def school_roster_csv(request, school_id: int):
    """The filtered roster as CSV (no contact fields); every student in the file is recorded as exported."""
    school = selectors.roster_school_or_404(educator=request.user, school_id=school_id)
    form = _roster_form(request, school)
    roster = selectors.roster_export(educator=request.user, school=school, filters=form.filters())
    response = csv_attachment(f"roster-{school.local_id}-{timezone.localdate():%Y-%m-%d}.csv")
    rows = (
        (
            student.local_id,
            student.last_name,
            student.first_name,
            label(student.grade, "grade"),
            student.homeroom_name or "",
            label(student.enrollment_status, "enrollment"),
            label(student.program_assigned, "program"),
            label(student.sped_level_of_need, "sped_need"),
            label(student.plan_504, "plan_504") if student.plan_504 else "",
            label(student.limited_english_proficiency, "english"),
            student.absence_count,
            student.tardy_count,
            student.incident_count,
            student.early_warning.tier,
            "; ".join(student.early_warning.reasons),
        )
        for student in roster.students
    )
    write_csv(response, CSV_COLUMNS, rows)
    return response


CLASS_CSV_COLUMNS = (
    "Local id",
    "Last name",
    "First name",
    "Grade",
    "Program",
    "Absences this year",
    "Tardies this year",
    "Incidents this year",
    "Early-warning tier",
    "Early-warning reasons",
)


def _class_csv(class_list):
    """A homeroom's or section's table as CSV, sorted as on its page (sections add the grade in the section)."""
    in_section = class_list.section is not None
    kind, pk = ("section", class_list.section.pk) if in_section else ("homeroom", class_list.homeroom.pk)
    response = csv_attachment(f"{kind}-{pk}-{timezone.localdate():%Y-%m-%d}.csv")
    rows = (
        (
            student.local_id,
            student.last_name,
            student.first_name,
            label(student.grade, "grade"),
            label(student.program_assigned, "program"),
            *((student.section_grade,) if in_section else ()),
            student.absence_count,
            student.tardy_count,
            student.incident_count,
            student.early_warning.tier,
            "; ".join(student.early_warning.reasons),
        )
        for student in class_list.students
    )
    columns = (*CLASS_CSV_COLUMNS[:5], *(("Grade in section",) if in_section else ()), *CLASS_CSV_COLUMNS[5:])
    write_csv(response, columns, rows)
    return response


@educator_page()
def homeroom(request, homeroom_id: int):
    found = selectors.homeroom_class(educator=request.user, homeroom_id=homeroom_id, sort=request.GET.get("sort", ""))
    return render(
        request, "rosters/homeroom.html", {"class_list": found, "sort": found.sort, "homeroom": found.homeroom}
    )


@educator_page()
def homeroom_csv(request, homeroom_id: int):
    """The homeroom's table; every student in the file is recorded as exported."""
    sort = request.GET.get("sort", "")
    return _class_csv(selectors.homeroom_class(educator=request.user, homeroom_id=homeroom_id, sort=sort, export=True))


@educator_page()
def section(request, section_id: int):
    found = selectors.section_class(educator=request.user, section_id=section_id, sort=request.GET.get("sort", ""))
    return render(request, "rosters/section.html", {"class_list": found, "sort": found.sort, "section": found.section})


@educator_page()
def section_csv(request, section_id: int):
    """The section's table with the grade in it; every student in the file is recorded as exported."""
    sort = request.GET.get("sort", "")
    return _class_csv(selectors.section_class(educator=request.user, section_id=section_id, sort=sort, export=True))
