"""Reads for privacy operations: finding the student a family or an incident names.

A privacy officer sees no student pages (no grants), so these reads are not filtered by the
access policy; they are open only to privacy operators, and every caller records what it read.
"""

from students.models import Student


def student_by_local_id(local_id: str) -> Student | None:
    """The student with this SIS local id (the id the SIS and the profile show), or None."""
    return Student.objects.filter(local_id=local_id.strip()).first() if local_id.strip() else None


def student_by_pk(student_id: int) -> Student | None:
    """The student a lookup (audit.subjects) resolved, or None once their record is destroyed."""
    return Student.objects.filter(pk=student_id).first()
