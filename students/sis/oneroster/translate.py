"""OneRoster rows as the Insights format's rows: each Insights file is produced on the fly as CSV text.

A translated file reads like a stored one (``name`` and ``iter_bytes()``), so everything after the
reader — typed parsing, staging with COPY, the diff, the guards, apply — is the Insights format's
own. Each translated row sits on the same line number as the OneRoster row it came from (the
lines between are left blank, which the parser skips), so a row error found later names the
OneRoster file, row and column (``RELABEL``).
"""

import csv
import io
from collections.abc import Callable, Iterator

from students.models.grades import GRADE_ORDER
from students.models.organization import SchoolType
from students.sis.format import FILE_BY_NAME, FileSpec
from students.sis.oneroster.index import Index, insights_grade
from students.sis.oneroster.source import SourceFile
from students.sis.oneroster.spec import STAFF_TYPES

CHUNK_CHARS = 64 * 1024
ELEMENTARY_TOP, MIDDLE_TOP = GRADE_ORDER["5"], GRADE_ORDER["8"]

# (translated file, Insights column) -> (OneRoster file, OneRoster column); "{id}" is the configured id column.
RELABEL = {
    "schools": ("orgs", {"school_local_id": "identifier", "name": "name", "school_type": "type"}),
    "educators": (
        "users",
        {
            "email": "email",
            "full_name": "givenName",
            "local_id": "identifier",
            "staff_type": "role",
            "school_local_id": "{org}",
            "homeroom": "sourcedId",
            "homeroom_grade": "sourcedId",
        },
    ),
    "students": (
        "users",
        {
            "local_id": "{id}",
            "school_local_id": "{org}",
            "first_name": "givenName",
            "last_name": "familyName",
            "grade": "grades",
            "enrollment_status": "enabledUser",
            "homeroom": "sourcedId",
        },
    ),
    "sections": (
        "classes",
        {
            "school_local_id": "schoolSourcedId",
            "course_number": "courseSourcedId",
            "section_number": "sourcedId",
            "term_local_id": "termSourcedIds",
            "school_year": "termSourcedIds",
            "course_description": "courseSourcedId",
            "course_subject": "courseSourcedId",
            "schedule": "periods",
            "room_number": "location",
        },
    ),
    "student_section_assignments": ("enrollments", {"local_id": "userSourcedId", "*": "classSourcedId"}),
    "educator_section_assignments": ("enrollments", {"email": "userSourcedId", "*": "classSourcedId"}),
}


def _clean(value) -> str:
    """One physical line per row: a line break inside a field would shift every later row number."""
    return str(value).replace("\r", " ").replace("\n", " ")


class TranslatedFile:
    """An Insights-format file whose CSV text is produced, row by row, from OneRoster rows when read."""

    def __init__(self, spec: FileSpec, produce: Callable[[], Iterator[tuple[int, dict]]]):
        self.spec = spec
        self.name = spec.filename
        self._produce = produce

    def iter_bytes(self) -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.spec.column_names)
        written = 1
        for line, values in self._produce():
            buffer.write("\r\n" * (line - 1 - written))
            writer.writerow([_clean(values.get(column, "")) for column in self.spec.column_names])
            written = line
            if buffer.tell() >= CHUNK_CHARS:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()


def school_type(grades: set[int]) -> str:
    """OneRoster has no school type; the grades of the school's students tell it."""
    if not grades:
        return SchoolType.OTHER
    low, high = min(grades), max(grades)
    if high <= ELEMENTARY_TOP:
        return SchoolType.ELEMENTARY
    if low > ELEMENTARY_TOP and high <= MIDDLE_TOP:
        return SchoolType.MIDDLE
    if low > MIDDLE_TOP:
        return SchoolType.HIGH
    if high <= MIDDLE_TOP:
        return SchoolType.K8
    return SchoolType.OTHER


class Translator:
    """Produces each Insights roster file from the index and a second pass over users and enrollments."""

    def __init__(self, index: Index, sources: dict[str, SourceFile]):
        self.index = index
        self.sources = sources

    def files(self) -> list[TranslatedFile]:
        return [TranslatedFile(FILE_BY_NAME[name], getattr(self, name)) for name in RELABEL]

    def schools(self):
        for org in sorted(self.index.orgs.values(), key=lambda org: org.line):
            if org.is_school:
                grades = self.index.school_grades.get(org.local_id, set())
                yield org.line, {"school_local_id": org.local_id, "name": org.name, "school_type": school_type(grades)}

    def sections(self):
        for info in sorted(self.index.classes.values(), key=lambda info: info.line):
            if not info.homeroom:
                yield (
                    info.line,
                    {
                        **self._section_key(info),
                        "course_description": info.course.title,
                        "course_subject": info.course.subject,
                        "schedule": info.periods[:40],
                        "room_number": info.location[:40],
                    },
                )

    def _users(self, wanted: Callable[[str], bool]):
        source = self.sources["users"]
        for row in source.rows([]):
            ref = self.index.users.get(row["sourcedId"])
            if ref is not None and ref.line == row.line and wanted(ref.role):
                yield row, ref

    def students(self):
        for row, ref in self._users(lambda role: role == "student"):
            enabled = row["enabledUser"].lower()
            yield (
                row.line,
                {
                    "local_id": ref.local_id,
                    "school_local_id": ref.school,
                    "first_name": row["givenName"],
                    "last_name": row["familyName"],
                    "grade": insights_grade(row["grades"]),
                    "enrollment_status": {"true": "Active", "false": "Withdrawn"}.get(enabled, row["enabledUser"]),
                    "homeroom": self.index.student_homerooms.get(row["sourcedId"], ""),
                    **self.index.demographics.get(row["sourcedId"], {}),
                },
            )

    def educators(self):
        for row, ref in self._users(lambda role: role in STAFF_TYPES):
            homeroom = self.index.teacher_homerooms.get(row["sourcedId"])
            yield (
                row.line,
                {
                    "email": row["email"],
                    "full_name": " ".join(part for part in (row["givenName"], row["familyName"]) if part),
                    "local_id": row["identifier"],
                    "staff_type": STAFF_TYPES[ref.role],
                    "school_local_id": ref.school,
                    "homeroom": homeroom.homeroom_name if homeroom else "",
                    "homeroom_grade": homeroom.grade if homeroom and homeroom.grade in GRADE_ORDER else "",
                },
            )

    def _enrollments(self, role: str):
        source = self.sources["enrollments"]
        for row in source.rows([]):
            enrollment = self.index.enrollment(source, row, [])
            if enrollment is not None and enrollment[2] == role and not enrollment[0].homeroom:
                yield row, enrollment[0], enrollment[1]

    def student_section_assignments(self):
        for row, info, user in self._enrollments("student"):
            yield row.line, {"local_id": user.local_id, **self._section_key(info)}

    def educator_section_assignments(self):
        for row, info, user in self._enrollments("teacher"):
            yield row.line, {"email": user.email, **self._section_key(info)}

    @staticmethod
    def _section_key(info) -> dict:
        return {
            "school_local_id": info.school,
            "course_number": info.course.number,
            "section_number": info.sourced_id,
            "term_local_id": info.term.label,
            "school_year": info.term.school_year,
        }
