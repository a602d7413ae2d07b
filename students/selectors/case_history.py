"""A student's full case history: notes, services, discipline incidents and plan changes in one timeline.

Counselors preparing a meeting read the whole story in time order rather than section by section.
Each kind is one query for the one student, merged in Python (a few hundred rows at most). The
profile's rules hold here too: restricted notes appear without their text, and discipline before
this school year only for holders of the restricted-notes permission.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from insights.scrubbing import remember_values
from permissions.policy import can_view_restricted_notes, get_visible_student_or_404
from students.models import DisciplineIncident, EventNote, Iep, Plan504, Service, Student
from students.models.grades import school_year_label, school_year_of
from students.selectors._shared import current_school_year_start, report_notes, report_students, start_of, today


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened: when, what kind ("note", "service", "incident", "plan"), a title and detail."""

    moment: datetime.datetime
    kind: str
    title: str
    detail: str = ""
    by: str = ""
    restricted_note: EventNote | None = None

    KIND_LABELS = {"note": "Note", "service": "Service", "incident": "Incident", "plan": "Plan"}

    def get_kind_display(self) -> str:
        return self.KIND_LABELS[self.kind]

    @property
    def day(self) -> datetime.date:
        return timezone.localdate(self.moment)

    @property
    def school_year(self) -> str:
        return school_year_label(school_year_of(self.day))


@dataclass(frozen=True)
class CaseHistory:
    student: Student
    entries: list[HistoryEntry]
    discipline_history_shown: bool
    may_view_restricted_notes: bool
    year_start: datetime.date


def _note_entries(student: Student) -> list[HistoryEntry]:
    notes = list(EventNote.objects.filter(student=student).defer("restricted_text").select_related("author"))
    report_notes(notes)
    return [
        HistoryEntry(
            moment=note.recorded_at,
            kind="note",
            title=note.get_note_type_display(),
            detail="" if note.is_restricted else note.text,
            by=note.author.full_name,
            restricted_note=note if note.is_restricted else None,
        )
        for note in notes
    ]


def _service_entries(student: Student) -> list[HistoryEntry]:
    entries = []
    for service in Service.objects.filter(student=student).select_related("recorded_by", "discontinued_by"):
        name = service.get_service_type_display()
        provider = f"With {service.provided_by}." if service.provided_by else ""
        entries.append(
            HistoryEntry(
                start_of(service.date_started), "service", f"{name} started", provider, service.recorded_by.full_name
            )
        )
        if service.discontinued_at:
            entries.append(
                HistoryEntry(
                    service.discontinued_at, "service", f"{name} discontinued", "", service.discontinued_by.full_name
                )
            )
    return entries


def _incident_entries(student: Student, since: datetime.date | None) -> list[HistoryEntry]:
    incidents = DisciplineIncident.objects.filter(student=student)
    if since is not None:
        incidents = incidents.filter(occurred_at__gte=start_of(since))
    entries = []
    for incident in incidents:
        place = f" ({incident.incident_location})" if incident.incident_location else ""
        entries.append(
            HistoryEntry(
                incident.occurred_at, "incident", f"{incident.incident_code}{place}", incident.incident_description
            )
        )
    remember_values(*(entry.detail for entry in entries if entry.detail))
    return entries


def _plan_entries(student: Student) -> list[HistoryEntry]:
    entries = []
    for model, name in ((Iep, "IEP"), (Plan504, "504 plan")):
        for plan in model.objects.filter(student=student).only("start_date", "end_date", "case_manager"):
            manager = f"Case manager {plan.case_manager}." if plan.case_manager else ""
            entries.append(HistoryEntry(start_of(plan.start_date), "plan", f"{name} began", manager))
            if plan.end_date:
                entries.append(HistoryEntry(start_of(plan.end_date), "plan", f"{name} ended"))
    return entries


def case_history(*, educator, student_id) -> CaseHistory:
    """Everything on record about a student the educator may see (404 otherwise), newest first."""
    student = get_visible_student_or_404(educator, student_id, "school", "homeroom")
    restricted_ok = can_view_restricted_notes(educator)
    year_start = current_school_year_start(today())
    entries = [
        *_note_entries(student),
        *_service_entries(student),
        *_incident_entries(student, None if restricted_ok else year_start),
        *_plan_entries(student),
    ]
    entries.sort(key=lambda entry: entry.moment, reverse=True)
    report_students([student])
    return CaseHistory(
        student=student,
        entries=entries,
        discipline_history_shown=restricted_ok,
        may_view_restricted_notes=restricted_ok,
        year_start=year_start,
    )
