"""Finding the student a family or an incident names, by SIS local id or by name, for the audit reports.

A privacy officer sees no student pages, and the id a family reads off a report card or a
profile is the SIS local id, not the number in Insights' own addresses. The audit core imports no
domain app, so the lookup itself is ``settings.AUDIT_SUBJECT_LOOKUP``: a function taking the typed
text and returning the matching students as ``Subject`` rows. An identifier that matches nobody,
or several people, is an error the person reads, never an empty report.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

MAX_MATCHES = 50


@dataclass(frozen=True)
class Subject:
    """One student as a report names them: enough to be sure it is the right one."""

    pk: int
    local_id: str
    name: str
    description: str  # school, grade and enrollment, e.g. "Baker K-8, grade 5, active"

    @property
    def label(self) -> str:
        return f"{self.name} (SIS local id {self.local_id})"


class SubjectNotFound(ValueError):
    """The identifier names no student, or more than one."""


def find_subjects(identifier: str) -> list[Subject]:
    """The students this SIS local id, state id or name identifies (at most MAX_MATCHES)."""
    return import_string(settings.AUDIT_SUBJECT_LOOKUP)(identifier, limit=MAX_MATCHES)


def subject_labels(student_ids: list[int]) -> dict[int, str]:
    """How the record names each of these students now: a name and SIS id, or "destroyed record" once destroyed
    (``settings.AUDIT_STUDENT_LABELS``)."""
    return import_string(settings.AUDIT_STUDENT_LABELS)(student_ids)


def resolve_subject(identifier: str) -> Subject:
    """The one student the identifier names; raises SubjectNotFound with a message to show otherwise."""
    found = find_subjects(identifier)
    if not found:
        raise SubjectNotFound("No student has that SIS local id, state id or name.")
    if len(found) > 1:
        count = f"{len(found)}+" if len(found) == MAX_MATCHES else str(len(found))
        raise SubjectNotFound(
            f"{count} students match that name: enter the SIS local id of the one you mean "
            "(the Find a student report lists them)."
        )
    return found[0]
