"""Everything Insights holds on one student, as tables: the content of a family's record (FERPA 34 CFR 99.10).

The profile as the SIS sent it, classes and grades, attendance, discipline, assessments, services,
504 plans and IEPs with their accommodations, every note with every earlier version (restricted
ones decrypted), corrections asked for and statements of disagreement, and the record of access:
everyone who viewed, changed or exported the student's data, when, in what role, and who may see
the record today and why. Other students are never included; where a note's text names another
student it is flagged for review before release (34 CFR 99.12(a)).
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower

from audit.actions import describe_action
from audit.reports import fetch, student_access_query
from permissions.reasons import educators_with_access
from privacy.models import CorrectionRequest, DisagreementStatement
from privacy.tables import Column, Table, cell, field_column, field_value, model_table
from students.models import (
    AccessResult,
    DisciplineIncident,
    EventNote,
    Iep,
    McasResult,
    Plan504,
    ProgramCode,
    Service,
    StarResult,
    Student,
    StudentSectionAssignment,
)
from students.models.attendance import Absence, Tardy

PROFILE_FIELDS = [
    "local_id",
    "state_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "grade",
    "school",
    "homeroom",
    "enrollment_status",
    "missing_from_last_export",
    "program_assigned",
    "sped_placement",
    "disability",
    "sped_level_of_need",
    "plan_504",
    "limited_english_proficiency",
    "ell_entry_date",
    "home_language",
    "free_reduced_lunch",
    "race",
    "hispanic_latino",
    "house",
    "counselor",
    "primary_phone",
    "primary_email",
    "address",
    "guardian_name",
    "created_at",
    "updated_at",
]
ROLE_WORDS = {
    "districtwide": "districtwide access",
    "schoolwide": "schoolwide access",
    "grade": "grade-level access",
    "homeroom": "homeroom teacher",
    "section": "section teacher",
    "student": "access to this one student",
    "restricted_notes": "may read restricted notes",
    "sped_only": "special-education students only",
    "english_learners_only": "English learners only",
    "staff": "admin-site staff",
    "superuser": "superuser",
}


@dataclass(frozen=True)
class NameFlag:
    """A name of another student found in a note's text: to be reviewed (redacted) before release."""

    note_id: int
    version: str
    name: str
    other_student_id: int


@dataclass
class FamilyRecord:
    student: Student
    profile: Table
    tables: list[Table]
    notes: Table
    access: Table
    access_today: Table
    flags: list[NameFlag] = field(default_factory=list)
    statements: list[DisagreementStatement] = field(default_factory=list)

    @property
    def all_tables(self) -> list[Table]:
        return [self.profile, *self.tables, self.notes, self.access, self.access_today, self.review]

    @property
    def review(self) -> Table:
        return Table(
            name="for_review",
            title="For review before release: other students' names in notes",
            explanation="A family may see only its own child's record (34 CFR 99.12(a)): redact these names.",
            columns=[Column("Note"), Column("Version"), Column("Name found")],
            rows=[[flag.note_id, flag.version, flag.name] for flag in self.flags],
        )


def _profile(student: Student) -> Table:
    rows = []
    codes_by_field: dict[str, dict[str, str]] = {}
    for name in PROFILE_FIELDS:
        model_field = Student._meta.get_field(name)
        column = field_column(model_field)  # type: ignore[arg-type]
        value = cell(field_value(student, model_field))  # type: ignore[arg-type]
        stored = getattr(student, model_field.attname)
        if name == "program_assigned":
            label = ProgramCode.objects.filter(code=stored).values_list("label", flat=True).first()
            column = Column(column.header, "The program code as the SIS exports it.", {stored: label or stored})
        codes_by_field[column.header] = column.codes
        source = "Insights" if name in ("created_at", "updated_at") else "SIS"
        rows.append([column.header, value, column.description, source])
    codes = {
        f"{header}: {code}": meaning for header, found in codes_by_field.items() for code, meaning in found.items()
    }
    return Table(
        name="profile",
        title="Profile",
        explanation="The student's details as the district's student information system (SIS) sent them.",
        columns=[Column("Field"), Column("Value", codes=codes), Column("Meaning"), Column("Kept by")],
        rows=rows,
    )


def _classes(student: Student) -> Table:
    assignments = StudentSectionAssignment.objects.filter(student=student).select_related("section__course")
    return Table(
        name="classes",
        title="Classes and grades",
        explanation="The course sections the SIS lists the student in, with the grade it reported.",
        columns=[Column(header) for header in ("Course", "Title", "Section", "Term", "School year", "Period")]
        + [Column("Grade (0-100)"), Column("Letter grade")],
        rows=[
            [
                a.section.course.course_number,
                a.section.course.description,
                a.section.section_number,
                a.section.term_local_id,
                a.section.school_year,
                a.section.schedule,
                cell(a.grade_numeric),
                a.grade_letter,
            ]
            for a in assignments
        ],
    )


def _simple_tables(student: Student) -> list[Table]:
    specs = [
        (
            "absences",
            "Absences",
            "Days absent (or dismissed early) as the SIS recorded them.",
            Absence,
            ["occurred_on", "excused", "dismissed", "reason"],
        ),
        (
            "tardies",
            "Tardies",
            "Days the student arrived late, as the SIS recorded them.",
            Tardy,
            ["occurred_on", "excused", "reason"],
        ),
        (
            "discipline",
            "Discipline incidents",
            "Incidents as the SIS recorded them, with its codes.",
            DisciplineIncident,
            ["occurred_at", "has_exact_time", "incident_code", "incident_location", "incident_description"],
        ),
        (
            "mcas",
            "MCAS results",
            "The state assessment: scaled score 200-560, growth percentile 1-99.",
            McasResult,
            ["subject", "taken_on", "scaled_score", "performance_level", "growth_percentile"],
        ),
        (
            "star",
            "STAR results",
            "Reading and math screening: national percentile rank 1-99.",
            StarResult,
            ["subject", "taken_at", "percentile_rank", "grade_equivalent"],
        ),
        (
            "access",
            "ACCESS for ELLs results",
            "The annual English-proficiency assessment of English learners.",
            AccessResult,
            ["taken_on", "composite_scale_score", "composite_proficiency_level"],
        ),
        (
            "services",
            "Services",
            "Interventions and supports educators recorded in Insights.",
            Service,
            [
                "service_type",
                "provided_by",
                "date_started",
                "estimated_end_date",
                "recorded_by",
                "recorded_at",
                "discontinued_at",
                "discontinued_by",
            ],
        ),
        (
            "plans_504",
            "504 plans",
            "Section 504 plans and their accommodations (one per line).",
            Plan504,
            ["start_date", "end_date", "case_manager", "accommodations"],
        ),
        (
            "ieps",
            "IEPs",
            "Individualized education programs, as recorded for the student.",
            Iep,
            ["start_date", "end_date", "case_manager", "notes"],
        ),
    ]
    tables = [_classes(student)]
    for name, title, explanation, model, fields in specs:
        rows = model._default_manager.filter(student=student).order_by("pk")
        tables.append(
            model_table(name=name, title=title, explanation=explanation, rows=rows, fields=fields, model=model)
        )
    tables.append(_corrections(student))
    tables.append(_statements(student))
    return tables


def _corrections(student: Student) -> Table:
    rows = CorrectionRequest.objects.filter(student=student).order_by("received_on", "pk")
    fields = ["received_on", "requester_name", "target", "disputed", "status", "decision_reason", "decided_at"]
    return model_table(
        name="corrections",
        title="Requests to correct the record",
        explanation="What the family disputed, what the district decided and why (34 CFR 99.20).",
        rows=rows,
        fields=fields,
        model=CorrectionRequest,
    )


def _statements(student: Student) -> Table:
    rows = DisagreementStatement.objects.filter(student=student).order_by("filed_on", "pk")
    return model_table(
        name="statements_of_disagreement",
        title="Statements of disagreement",
        explanation="The family's own statements, kept with the record and disclosed with it (34 CFR 99.21).",
        rows=rows,
        fields=["filed_on", "filed_by", "text"],
        model=DisagreementStatement,
    )


def _note_versions(student: Student) -> list[tuple[EventNote, str, object]]:
    """(note, version label, version) for every note and every earlier version, oldest version first."""
    notes = EventNote.objects.filter(student=student).select_related("author").prefetch_related("revisions__revised_by")
    versions = []
    for note in notes.order_by("recorded_at", "pk"):
        earlier = list(note.revisions.all())
        for number, revision in enumerate(earlier, start=1):
            versions.append((note, f"version {number} (replaced {cell(revision.revised_at)})", revision))
        versions.append((note, "current", note))
    return versions


def _notes(student: Student) -> tuple[Table, list[tuple[int, str, str]]]:
    rows, texts = [], []
    for note, label, version in _note_versions(student):
        text = version.restricted_text if version.is_restricted else version.text
        editor = getattr(version, "revised_by", None)
        rows.append(
            [
                note.pk,
                label,
                version.get_note_type_display(),
                cell(version.is_restricted),
                cell(version.recorded_at),
                note.author.full_name,
                editor.full_name if editor else "",
                text,
            ]
        )
        texts.append((note.pk, label, text))
    table = Table(
        name="notes",
        title="Notes",
        explanation="Every note educators wrote, with every earlier version. Restricted notes are included.",
        columns=[
            Column("Note"),
            Column("Version", '"current", or an earlier version an edit replaced.'),
            Column(
                "Type",
                codes={str(code): str(meaning) for code, meaning in EventNote._meta.get_field("note_type").choices},
            ),
            Column("Restricted", "Restricted notes are encrypted and shown only to those allowed to read them."),
            Column("Recorded"),
            Column("Author"),
            Column("Replaced by", "Who edited the note and so replaced this version."),
            Column("Text"),
        ],
        rows=rows,
    )
    return table, texts


WORD = re.compile(r"[^\W\d_][\w'’-]*")


def flag_other_students(student: Student, texts: list[tuple[int, str, str]]) -> list[NameFlag]:
    """Other students' full names, and first names of the student's classmates, found in note texts.

    One query: the candidates are students whose first or last name is a word of some text.
    """
    words = {word.lower() for _note, _label, text in texts for word in WORD.findall(text)}
    if not words:
        return []
    candidates = (
        Student.objects.exclude(pk=student.pk)
        .annotate(first_lower=Lower("first_name"), last_lower=Lower("last_name"))
        .filter(Q(first_lower__in=words) | Q(last_lower__in=words))
        .only("pk", "first_name", "last_name", "school_id", "homeroom_id", "grade")
    )
    flags = []
    for other in candidates:
        full = re.compile(rf"\b{re.escape(other.first_name)}\s+{re.escape(other.last_name)}\b", re.IGNORECASE)
        first = re.compile(rf"\b{re.escape(other.first_name)}\b", re.IGNORECASE)
        classmate = other.school_id == student.school_id and (
            other.homeroom_id == student.homeroom_id or other.grade == student.grade
        )
        for note_id, label, text in texts:
            if full.search(text):
                flags.append(NameFlag(note_id, label, other.full_name, other.pk))
            elif classmate and first.search(text) and other.first_name.casefold() != student.first_name.casefold():
                flags.append(NameFlag(note_id, label, other.first_name, other.pk))
    return sorted(set(flags), key=lambda flag: (flag.note_id, flag.version, flag.name))


def _role_words(roles: list[str]) -> str:
    return "; ".join(ROLE_WORDS.get(role, role) for role in roles) or "no role recorded"


def _access(student: Student) -> Table:
    """The privacy office's student access report (audit.reports), in the words a family reads."""
    rows = [
        [cell(moment), name or "(system)", email, _role_words(roles.split()), describe_action(action, method=method)]
        + [kind, outcome]
        for moment, name, email, roles, action, method, kind, outcome, _ip in fetch(
            student_access_query(student_id=student.pk)
        )
    ]
    return Table(
        name="record_of_access",
        title="Record of access",
        explanation=(
            "Every recorded viewing, change or export of this student's data in Insights: who, when, in what role "
            "(the access they held at the time) and what they did (34 CFR 99.32)."
        ),
        columns=[Column("When"), Column("Who"), Column("Email"), Column("Role at the time", codes=ROLE_WORDS)]
        + [Column("What"), Column("Access", "viewed, changed or exported"), Column("Outcome", "ok, denied or error")],
        rows=rows,
    )


def _access_today(student: Student) -> Table:
    return Table(
        name="access_today",
        title="Who may see the record today, and why",
        explanation="The educators whose access covers this student now, and the grant that gives it to them.",
        columns=[Column("Who"), Column("Email"), Column("Why they have access")],
        rows=[
            [educator.full_name, educator.email, "; ".join(reasons)]
            for educator, reasons in educators_with_access(student)
        ],
    )


def family_record(student: Student) -> FamilyRecord:
    """Everything Insights holds on ``student``, restricted text decrypted, other students flagged."""
    student = Student.objects.select_related("school", "homeroom", "counselor").get(pk=student.pk)
    notes, texts = _notes(student)
    return FamilyRecord(
        student=student,
        profile=_profile(student),
        tables=_simple_tables(student),
        notes=notes,
        access=_access(student),
        access_today=_access_today(student),
        flags=flag_other_students(student, texts),
        statements=list(DisagreementStatement.objects.filter(student=student).order_by("filed_on", "pk")),
    )


def data_dictionary(tables: list[Table]) -> Table:
    """Every column of every table, what it means, and the meaning of every code it may hold."""
    rows = []
    for table in tables:
        for column in table.columns:
            codes = "; ".join(f"{code} = {meaning}" for code, meaning in column.codes.items())
            rows.append([f"{table.name}.csv", column.header, column.description or table.explanation, codes])
    return Table(
        name="data_dictionary",
        title="Data dictionary",
        explanation="What every column of this record means, and every code in it (34 CFR 99.10(c)).",
        columns=[Column("File"), Column("Column"), Column("Meaning"), Column("Codes")],
        rows=rows,
    )
