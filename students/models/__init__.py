"""The student record a district holds, split by subject."""

from students.models.assessments import AccessResult, McasResult, StarResult
from students.models.attendance import Absence, Tardy
from students.models.courses import Course, EducatorSectionAssignment, Section, StudentSectionAssignment
from students.models.discipline import DisciplineIncident
from students.models.notes import EventNote, EventNoteRevision, NoteType
from students.models.organization import District, Homeroom, School, SchoolGrade
from students.models.plans import Iep, Plan504
from students.models.services import Service, ServiceType
from students.models.student import Student

__all__ = [
    "Absence",
    "AccessResult",
    "Course",
    "DisciplineIncident",
    "District",
    "EducatorSectionAssignment",
    "EventNote",
    "EventNoteRevision",
    "Homeroom",
    "Iep",
    "McasResult",
    "NoteType",
    "Plan504",
    "School",
    "SchoolGrade",
    "Section",
    "Service",
    "ServiceType",
    "StarResult",
    "Student",
    "StudentSectionAssignment",
    "Tardy",
]
