"""The student profile: everything the profile page shows, in a fixed number of queries.

The student's row and the small lists of the record in one statement (students/selectors/profile_lists.py),
whose WHERE is the policy's single-student check, with the early-warning signals; then, only for a
student who has them, the 504 plans, the IEPs and the family's statements, whose encrypted text the
ORM decrypts column by column.

"Clean slate": notes and discipline default to the current school year; asking for the history
shows every note, and the full discipline history only to holders of the restricted-notes
permission. Restricted note text is never loaded here (the column is deferred).
"""

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from insights.scrubbing import remember_values
from permissions.policy import (
    can_see_educators_with_access,
    can_view_restricted_notes,
    get_visible_student_or_404,
    not_found,
)
from permissions.reasons import educators_with_access
from privacy.models import DisagreementStatement
from students.charts import months_between
from students.models import (
    AccessResult,
    DisciplineIncident,
    EventNote,
    Iep,
    Plan504,
    Service,
    Student,
    StudentSectionAssignment,
)
from students.models.grades import school_year_of
from students.selectors._shared import current_school_year_start, report_notes, report_students, start_of, today
from students.selectors.early_warning import EarlyWarning, reasons, tier, window_for
from students.selectors.profile_lists import Score, SectionTeacher, profile_record


@dataclass(frozen=True)
class MonthlyAttendance:
    months: list[datetime.date]
    absences: list[int]
    tardies: list[int]

    @property
    def absence_total(self) -> int:
        return sum(self.absences)

    @property
    def tardy_total(self) -> int:
        return sum(self.tardies)


@dataclass(frozen=True)
class Summary:
    """This school year's numbers, whatever range the page shows."""

    notes: int
    absences: int
    tardies: int
    incidents: int


class Contact(NamedTuple):
    """Someone around the student: their role ("Counselor", "Biology teacher") and name."""

    role: str
    name: str


@dataclass(frozen=True)
class StudentProfile:
    student: Student
    today: datetime.date
    school_year: int
    year_start: datetime.date
    showing_history: bool
    discipline_history_shown: bool
    may_view_restricted_notes: bool
    summary: Summary
    notes: list[EventNote]
    attendance: MonthlyAttendance
    incidents: list[DisciplineIncident]
    assessments: list[Score]
    active_services: list[Service]
    past_services: list[Service]
    plans_504: list[Plan504]
    ieps: list[Iep]
    access_results: list[AccessResult]
    section_assignments: list[StudentSectionAssignment]
    educators_around: list[Contact]
    early_warning: EarlyWarning
    failing_below: int  # the district's failing grade: a section's grade below it is marked failing
    may_see_educators_with_access: bool  # the profile links to the panel, a page of its own
    disagreement_statements: list[DisagreementStatement]

    @property
    def age(self) -> int | None:
        return self.student.age_on(self.today)


def attendance_by_month(
    counts: dict[str, dict[datetime.date, int]], since: datetime.date | None, day: datetime.date
) -> MonthlyAttendance:
    """Every month from `since` (or the first one counted) to `day`, with its absences and tardies (0 if none)."""
    months = months_between(since or min([*counts["absence"], *counts["tardy"]], default=day), day)
    return MonthlyAttendance(
        months=months,
        absences=[counts["absence"].get(month, 0) for month in months],
        tardies=[counts["tardy"].get(month, 0) for month in months],
    )


def current_plan(plans, day: datetime.date):
    """The plan in force on a day (started, not yet ended), the latest first; None when there is none."""
    return next(
        (plan for plan in plans if plan.start_date <= day and (plan.end_date is None or plan.end_date >= day)), None
    )


def _educators_around(
    student: Student, ieps: list[Iep], plans_504: list[Plan504], teachers: list[SectionTeacher], day: datetime.date
) -> list[Contact]:
    """Homeroom teacher, counselor, case managers and this year's section teachers, in that order."""
    around = []
    if student.homeroom and student.homeroom.educator:
        around.append(Contact("Homeroom teacher", student.homeroom.educator.full_name))
    if student.counselor:
        around.append(Contact("Counselor", student.counselor.full_name))
    for plan, role in (
        (current_plan(ieps, day), "Special education case manager"),
        (current_plan(plans_504, day), "504 case manager"),
    ):
        if plan is not None and plan.case_manager:
            around.append(Contact(role, plan.case_manager))
    around.extend(
        Contact(f"{teacher.section.course.description} teacher ({teacher.section.label})", teacher.name)
        for teacher in sorted(
            teachers, key=lambda teacher: (teacher.section.schedule, teacher.section.course.course_number)
        )
    )
    return around


def student_profile(*, educator, student_id, history: bool = False) -> StudentProfile:
    """The profile of a student the educator may see (404 otherwise), this school year or with history."""
    day = today()
    year_start = current_school_year_start(day)
    year_began = start_of(year_start)
    restricted_ok = can_view_restricted_notes(educator)
    discipline_history_shown = history and restricted_ok
    student, lists = profile_record(
        educator=educator,
        student_id=student_id,
        day=day,
        school_year=school_year_of(day),
        notes_since=None if history else year_began,
        incidents_since=None if discipline_history_shown else year_began,
        attendance_since=None if history else year_start,
    )
    notes, incidents = lists.notes, lists.incidents
    attendance = attendance_by_month(lists.attendance_counts, None if history else year_start, day)
    this_year = [index for index, month in enumerate(attendance.months) if month >= year_start]
    summary = Summary(
        notes=sum(1 for note in notes if note.recorded_at >= year_began),
        absences=sum(attendance.absences[index] for index in this_year),
        tardies=sum(attendance.tardies[index] for index in this_year),
        incidents=sum(1 for incident in incidents if incident.occurred_at >= year_began),
    )
    plans_504 = list(Plan504.objects.filter(student=student).order_by("-start_date")) if lists.has_plans_504 else []
    ieps = list(Iep.objects.filter(student=student).order_by("-start_date")) if lists.has_ieps else []
    window = window_for(lists.thresholds, day)
    for name, count in lists.early_warning_counts.items():  # as a list's rows hold them (roster_rows)
        setattr(student, name, count)
    profile = StudentProfile(
        student=student,
        today=day,
        school_year=school_year_of(day),
        year_start=year_start,
        showing_history=history,
        discipline_history_shown=discipline_history_shown,
        may_view_restricted_notes=restricted_ok,
        summary=summary,
        notes=notes,
        attendance=attendance,
        incidents=incidents,
        assessments=lists.assessments,
        active_services=[service for service in lists.services if service.is_active],
        past_services=[service for service in lists.services if not service.is_active],
        plans_504=plans_504,
        ieps=ieps,
        access_results=lists.access_results,
        section_assignments=lists.section_assignments,
        educators_around=_educators_around(student, ieps, plans_504, lists.section_teachers, day),
        early_warning=EarlyWarning(tier=tier(student, window), reasons=reasons(student, window)),
        failing_below=lists.thresholds.failing_grade,
        may_see_educators_with_access=can_see_educators_with_access(educator),
        disagreement_statements=disagreement_statements(student) if lists.has_disagreement_statements else [],
    )
    report_students([student])
    report_notes(notes)
    remember_values(
        *(incident.incident_description for incident in incidents if incident.incident_description),
        *(plan.accommodations for plan in profile.plans_504 if plan.accommodations),
        *(plan.notes for plan in profile.ieps if plan.notes),
        *(statement.text for statement in profile.disagreement_statements),
    )
    return profile


def disagreement_statements(student: Student) -> list[DisagreementStatement]:
    """A family's statements of disagreement: shown wherever the record is, with every copy (34 CFR 99.21(c))."""
    return list(DisagreementStatement.objects.filter(student=student).order_by("filed_on", "pk"))


def student_access_list(*, educator, student_id) -> tuple[Student, list]:
    """The educators who may see a student, with why, for a holder of the who-has-access permission
    who may see the student; 404 (recorded as denied) for anyone else, as for a missing student.

    A page of its own, opened from the profile's link: its queries (one per kind of grant) are
    paid only by those who ask, and the asking is an audit event of its own.
    """
    if not can_see_educators_with_access(educator):
        raise not_found()
    student = get_visible_student_or_404(educator, student_id, "school")
    report_students([student])
    return student, educators_with_access(student)


def student_for_form(*, educator, student_id) -> Student:
    """The student a note or service form is about (name, school, grade for the heading), or 404."""
    student = get_visible_student_or_404(educator, student_id, "school")
    report_students([student])
    return student


def active_service(*, educator, student_id, service_id) -> tuple[Student, Service]:
    """A service the student still receives, for the discontinue form; 404 if either is out of reach."""
    student = student_for_form(educator=educator, student_id=student_id)
    service = Service.objects.filter(pk=service_id, student=student, discontinued_at__isnull=True).first()
    if service is None:
        raise not_found()
    return student, service
