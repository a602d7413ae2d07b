"""The educator's pages. Paths are stable (people bookmark and share them): /students/<id>/,
/homerooms/<id>/, /sections/<id>/, /schools/<id>/."""

from django.urls import path

from students.views import dashboards, home, notes, profile, profile_pdf, rosters, search, services

app_name = "students"

urlpatterns = [
    path("", home.home, name="home"),
    path("students/", rosters.my_students, name="my_students"),
    path("students/<int:student_id>/", profile.student_profile, name="profile"),
    path("students/<int:student_id>/history/", profile.case_history, name="case_history"),
    path("students/<int:student_id>/access/", profile.educators_with_access, name="educators_with_access"),
    path("students/<int:student_id>/pdf/", profile_pdf.profile_pdf, name="profile_pdf"),
    path("students/<int:student_id>/notes/new/", notes.note_create, name="note_create"),
    path("students/<int:student_id>/notes/<int:note_id>/edit/", notes.note_edit, name="note_edit"),
    path("students/<int:student_id>/notes/<int:note_id>/restricted/", notes.restricted_note, name="restricted_note"),
    path("students/<int:student_id>/services/new/", services.service_create, name="service_create"),
    path(
        "students/<int:student_id>/services/<int:service_id>/discontinue/",
        services.service_discontinue,
        name="service_discontinue",
    ),
    path("notes/mine/", notes.my_notes, name="my_notes"),
    path("notes/search/", notes.note_search, name="note_search"),
    path("schools/", rosters.my_schools, name="schools"),
    path("schools/<int:school_id>/", rosters.school_roster, name="school_roster"),
    path("schools/<int:school_id>/roster.csv", rosters.school_roster_csv, name="school_roster_csv"),
    *(
        route
        for measure in ("absences", "tardies", "discipline")
        for route in (
            path(
                f"schools/<int:school_id>/{measure}/",
                dashboards.school_dashboard,
                {"measure": measure},
                name=f"{measure}_dashboard",
            ),
            path(
                f"schools/<int:school_id>/{measure}.csv",
                dashboards.school_dashboard_csv,
                {"measure": measure},
                name=f"{measure}_dashboard_csv",
            ),
        )
    ),
    path("district/", dashboards.district, name="district"),
    path("homerooms/<int:homeroom_id>/", rosters.homeroom, name="homeroom"),
    path("homerooms/<int:homeroom_id>/students.csv", rosters.homeroom_csv, name="homeroom_csv"),
    path("sections/<int:section_id>/", rosters.section, name="section"),
    path("sections/<int:section_id>/students.csv", rosters.section_csv, name="section_csv"),
    path("search/", search.search, name="search"),
    path("search/suggestions.json", search.search_suggestions, name="search_suggestions"),
]
