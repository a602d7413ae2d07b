"""Counting what an import produced, in the terms of the samples' expected.json."""

from educators.models import Educator
from students.models import EducatorSectionAssignment, Homeroom, School, Section, Student, StudentSectionAssignment


def district_counts(importer=None) -> dict[str, int]:
    educators = Educator.objects.all()
    if importer is not None:
        educators = educators.exclude(pk=importer.pk)
    return {
        "schools": School.objects.count(),
        "students": Student.objects.count(),
        "educators": educators.count(),
        "sections": Section.objects.count(),
        "homerooms": Homeroom.objects.count(),
        "student_section_assignments": StudentSectionAssignment.objects.count(),
        "educator_section_assignments": EducatorSectionAssignment.objects.count(),
    }
