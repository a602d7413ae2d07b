"""The student record a district holds, split by subject."""

from students.models.absence_summary import AbsenceSummary, AbsenceSummaryBuild
from students.models.assessments import AccessResult, McasResult, StarResult
from students.models.attendance import Absence, Tardy
from students.models.codes import (
    AssessmentName,
    AttendanceCode,
    GradeCode,
    IncidentCode,
    IncidentLocation,
    Plan504Code,
)
from students.models.courses import Course, EducatorSectionAssignment, Section, StudentSectionAssignment
from students.models.discipline import DisciplineIncident
from students.models.early_warning import EarlyWarningThresholds
from students.models.notes import EventNote, EventNoteRevision, NoteType
from students.models.organization import District, Homeroom, School, SchoolGrade
from students.models.plans import Iep, Plan504
from students.models.programs import ProgramCategory, ProgramCode, with_program_category
from students.models.services import Service, ServiceType
from students.models.student import (
    Student,
    current_english_learner_students,
    english_learner_students,
    former_english_learner_students,
    special_education_students,
    students_identified_by,
)

__all__ = [
    "Absence",
    "AbsenceSummary",
    "AbsenceSummaryBuild",
    "AccessResult",
    "AssessmentName",
    "AttendanceCode",
    "Course",
    "DisciplineIncident",
    "EarlyWarningThresholds",
    "District",
    "EducatorSectionAssignment",
    "EventNote",
    "EventNoteRevision",
    "Homeroom",
    "GradeCode",
    "Iep",
    "IncidentCode",
    "IncidentLocation",
    "McasResult",
    "NoteType",
    "Plan504",
    "Plan504Code",
    "ProgramCategory",
    "ProgramCode",
    "School",
    "SchoolGrade",
    "Section",
    "Service",
    "ServiceType",
    "StarResult",
    "Student",
    "StudentSectionAssignment",
    "Tardy",
    "current_english_learner_students",
    "english_learner_students",
    "former_english_learner_students",
    "special_education_students",
    "students_identified_by",
    "with_program_category",
]
