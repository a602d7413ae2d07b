"""The profile as a document: the sections an educator chose, over a date range, for the profile PDF.

A PDF leaves the building, so it holds no more than the profile would show the same educator:
restricted note text only for holders of the permission who ask for it (each note then counted as
a showing), and discipline before this school year only for them too ("clean slate"), as on the
profile. The family's statements of disagreement go with it whatever the sections, as they go with
every copy of the record (34 CFR 99.21(c)). Everything in the document is recorded as exported.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from audit.recorder import record_details, record_objects, record_students
from insights.scrubbing import remember_values
from permissions.policy import can_view_restricted_notes, get_visible_student_or_404
from privacy.models import DisagreementStatement
from students.models import AccessResult, DisciplineIncident, EventNote, Iep, Plan504, Service, Student
from students.models.grades import school_year_of
from students.selectors._shared import current_school_year_start, report_notes, report_students, start_of, today
from students.selectors.profile import MonthlyAttendance, Score, attendance_by_month, disagreement_statements
from students.selectors.profile_lists import profile_lists

# The sections an educator may pick, in the order the document prints them.
DOCUMENT_SECTIONS = {
    "notes": "Notes",
    "services": "Services",
    "attendance": "Attendance",
    "discipline": "Discipline",
    "assessments": "Assessments",
    "plans": "504 plan and IEP",
}


@dataclass(frozen=True)
class DocumentRequest:
    """What to print: section keys (of DOCUMENT_SECTIONS), the first and last day, restricted text or not."""

    sections: tuple[str, ...]
    start: datetime.date
    end: datetime.date
    include_restricted: bool = False


@dataclass(frozen=True)
class ProfileDocument:
    student: Student
    request: DocumentRequest
    generated_at: datetime.datetime
    restricted_text_included: bool
    discipline_since: datetime.date | None  # later than request.start when the clean slate applies
    notes: list[EventNote]
    services: list[Service]
    attendance: MonthlyAttendance | None
    incidents: list[DisciplineIncident]
    assessments: list[Score]
    access_results: list[AccessResult]
    plans_504: list[Plan504]
    ieps: list[Iep]
    disagreement_statements: list[DisagreementStatement]

    def includes(self, section: str) -> bool:
        return section in self.request.sections

    @property
    def section_names(self) -> list[str]:
        return [name for key, name in DOCUMENT_SECTIONS.items() if key in self.request.sections]


def _overlapping(plans, start: datetime.date, end: datetime.date):
    return plans.filter(Q(end_date__isnull=True) | Q(end_date__gte=start), start_date__lte=end).order_by("-start_date")


def profile_document(*, educator, student_id, request: DocumentRequest) -> ProfileDocument:
    """The chosen sections of a student's record the educator may see (404 otherwise), over the range."""
    student = get_visible_student_or_404(educator, student_id, "school", "homeroom", "counselor")
    start, end = request.start, request.end
    began, ended = start_of(start), start_of(end + datetime.timedelta(days=1))
    restricted_ok = can_view_restricted_notes(educator)
    with_restricted_text = request.include_restricted and restricted_ok
    wanted = set(request.sections)

    notes = []
    if "notes" in wanted:
        rows = EventNote.objects.filter(student=student, recorded_at__gte=began, recorded_at__lt=ended)
        rows = rows.select_related("author").order_by("recorded_at", "id")
        notes = list(rows if with_restricted_text else rows.defer("restricted_text"))

    services = []
    if "services" in wanted:
        services = list(
            Service.objects.filter(
                Q(discontinued_at__isnull=True) | Q(discontinued_at__gte=began), student=student, date_started__lte=end
            )
            .select_related("recorded_by", "discontinued_by")
            .order_by("date_started", "id")
        )

    discipline_since = start if restricted_ok else max(start, current_school_year_start(today()))
    incidents = []
    if "discipline" in wanted and discipline_since <= end:
        incidents = list(
            DisciplineIncident.objects.filter(
                student=student, occurred_at__gte=start_of(discipline_since), occurred_at__lt=ended
            ).order_by("occurred_at", "id")
        )

    # Monthly attendance and the STAR and MCAS scores are counted as the profile page counts them.
    lists = None
    if wanted & {"attendance", "assessments"}:
        lists = profile_lists(
            student_id=student.pk,
            day=end,
            school_year=school_year_of(end),
            notes_since=began,
            incidents_since=began,
            attendance_since=start,
        )
    assessments, access_results = [], []
    if "assessments" in wanted:
        assessments = [score for score in lists.assessments if start <= score.day <= end]
        access_results = list(AccessResult.objects.filter(student=student, taken_on__range=(start, end)))

    plans_504, ieps = [], []
    if "plans" in wanted:
        plans_504 = list(_overlapping(Plan504.objects.filter(student=student), start, end))
        ieps = list(_overlapping(Iep.objects.filter(student=student), start, end))

    document = ProfileDocument(
        student=student,
        request=request,
        generated_at=timezone.localtime(),
        restricted_text_included=with_restricted_text,
        discipline_since=discipline_since if discipline_since > start else None,
        notes=notes,
        services=services,
        attendance=attendance_by_month(lists.attendance_counts, start, end) if "attendance" in wanted else None,
        incidents=incidents,
        assessments=assessments,
        access_results=access_results,
        plans_504=plans_504,
        ieps=ieps,
        disagreement_statements=disagreement_statements(student),
    )
    _report(document)
    return document


def _report(document: ProfileDocument) -> None:
    """The student is exported; restricted notes printed are each a showing; all text is scrubbable."""
    report_students([document.student])
    record_students([document.student.pk], kind="exported")
    record_details(
        sections=list(document.request.sections),
        start=document.request.start.isoformat(),
        end=document.request.end.isoformat(),
        restricted_text_included=document.restricted_text_included,
    )
    report_notes(document.notes)
    shown_restricted = [note for note in document.notes if note.is_restricted and document.restricted_text_included]
    if shown_restricted:
        record_objects("restricted_note", [note.pk for note in shown_restricted])
        remember_values(*(note.restricted_text for note in shown_restricted if note.restricted_text))
    remember_values(
        *(incident.incident_description for incident in document.incidents if incident.incident_description),
        *(plan.accommodations for plan in document.plans_504 if plan.accommodations),
        *(plan.notes for plan in document.ieps if plan.notes),
        *(statement.text for statement in document.disagreement_statements),
    )
