"""Reads of student data for the pages (HackSoft-style selectors); views read through nothing else.

Every selector starts from the access policy (``permissions.policy``), so forbidden records look
missing (404), tells the audit recorder which students it returned, and hands the students and
note text it returns to the error-report scrubber. Split by subject: the profile, its PDF and the case history,
notes, notes search, lists of students (rosters), school dashboards, the home page, and student search.
"""

from students.selectors.case_history import CaseHistory, HistoryEntry, case_history
from students.selectors.dashboards import (
    Dashboard,
    DashboardFilters,
    dashboard_choices,
    dashboard_export,
    district_overview,
    school_dashboard,
)
from students.selectors.home import HomePage, home_page
from students.selectors.note_search import NoteHit, NoteSearch, note_authors, note_search
from students.selectors.notes import (
    NoteForEditing,
    my_notes,
    note_for_editing,
    restricted_note,
    restricted_note_heading,
)
from students.selectors.profile import (
    StudentProfile,
    active_service,
    student_access_list,
    student_for_form,
    student_profile,
)
from students.selectors.profile_document import DOCUMENT_SECTIONS, DocumentRequest, ProfileDocument, profile_document
from students.selectors.roster_rows import ABSENCE_BUCKETS, INCIDENT_BUCKETS, RosterFilters
from students.selectors.rosters import (
    ClassList,
    Roster,
    SchoolLink,
    homeroom_class,
    my_schools,
    my_students,
    roster,
    roster_choices,
    roster_export,
    roster_school_or_404,
    section_class,
)
from students.selectors.search import student_search

__all__ = [
    "ABSENCE_BUCKETS",
    "DOCUMENT_SECTIONS",
    "DocumentRequest",
    "ProfileDocument",
    "profile_document",
    "CaseHistory",
    "HistoryEntry",
    "INCIDENT_BUCKETS",
    "ClassList",
    "Dashboard",
    "DashboardFilters",
    "HomePage",
    "NoteForEditing",
    "NoteHit",
    "NoteSearch",
    "Roster",
    "RosterFilters",
    "SchoolLink",
    "StudentProfile",
    "active_service",
    "case_history",
    "dashboard_choices",
    "dashboard_export",
    "district_overview",
    "home_page",
    "homeroom_class",
    "my_notes",
    "my_schools",
    "my_students",
    "note_authors",
    "note_for_editing",
    "note_search",
    "restricted_note",
    "restricted_note_heading",
    "roster",
    "roster_export",
    "roster_choices",
    "roster_school_or_404",
    "school_dashboard",
    "section_class",
    "student_access_list",
    "student_for_form",
    "student_profile",
    "student_search",
]
