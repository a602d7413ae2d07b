"""What the translation looks up while it streams: orgs, terms, courses, classes, users and homerooms.

Built once per run by reading every OneRoster file in full, before anything is staged, so that
orphaned references and bad values are row errors naming the OneRoster file, row and column. Only
what other files refer to is kept in memory (one small record per org, session, course, class and
user); the large files — users and enrollments — are streamed again when their rows are translated.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from students.models.grades import GRADE_ORDER, school_year_of
from students.sis.fields import field_errors
from students.sis.format import FILE_BY_NAME, GRADE_ALIASES
from students.sis.oneroster import spec as oneroster
from students.sis.oneroster.source import SourceFile, SourceRow
from students.sis.reader import PackageError, RowError

TRUE, FALSE = "true", "false"
# CEDS grades Insights keeps under its own codes (the format's aliases map KG and 01..09).
CEDS_GRADE_ALIASES = {"TK": "PK", "PR": "PK"}
TERM_LABEL_CHARS = 20
HOMEROOM_CHARS = 60
STUDENT_ID_CHOICES = ("sourcedId", "identifier", "username", "userIds:<type>")


def boolean(text: str) -> bool | None:
    """OneRoster writes true/false; exports often capitalise them, which is read the same."""
    return {TRUE: True, FALSE: False}.get(text.lower())


def insights_grade(text: str) -> str:
    """The first CEDS grade of a grades list, as the Insights format spells it (unknown codes pass through)."""
    first = text.split(",")[0].strip()
    first = CEDS_GRADE_ALIASES.get(first, first)
    return GRADE_ALIASES.get(first, first)


def student_id_setting() -> str:
    choice = settings.SIS_IMPORT["ONEROSTER_STUDENT_ID"]
    if choice in STUDENT_ID_CHOICES[:3] or (choice.startswith("userIds:") and len(choice) > len("userIds:")):
        return choice
    raise PackageError(
        "SIS_ONEROSTER_STUDENT_ID must be sourcedId, identifier, username or userIds:<type>; "
        "ask the operator to fix it."
    )


def user_id_entry(user_ids: str, wanted: str) -> str:
    """The identifier of type ``wanted`` in a userIds list such as ``{FED:18125},{SASID:1002}``."""
    for entry in user_ids.split(","):
        kind, _, value = entry.strip().strip("{}").partition(":")
        if kind.strip().lower() == wanted.lower():
            return value.strip()
    return ""


@dataclass(slots=True)
class Org:
    line: int
    sourced_id: str
    local_id: str
    name: str
    is_school: bool


@dataclass(slots=True)
class Session:
    label: str
    school_year: int


@dataclass(slots=True)
class Course:
    number: str
    title: str
    subject: str


@dataclass(slots=True)
class ClassInfo:
    line: int
    sourced_id: str
    school: str  # the school's Insights local id
    homeroom: bool
    title: str
    grade: str
    course: Course | None = None
    term: Session | None = None
    periods: str = ""
    location: str = ""
    homeroom_name: str = ""


@dataclass(slots=True)
class UserRef:
    line: int
    role: str  # the user's primary OneRoster role
    local_id: str  # students: the configured identifier
    email: str
    school: str  # Insights school local id, "" when none is known


@dataclass
class Index:
    version: str
    errors: list[RowError]
    warnings: list[str]
    orgs: dict[str, Org] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    users: dict[str, UserRef] = field(default_factory=dict)
    roles: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # user -> (roleType, role, org)
    demographics: dict[str, dict[str, str]] = field(default_factory=dict)
    student_homerooms: dict[str, str] = field(default_factory=dict)
    teacher_homerooms: dict[str, ClassInfo] = field(default_factory=dict)
    school_grades: dict[str, set[int]] = field(default_factory=dict)
    student_id: str = "identifier"

    def error(self, source: SourceFile, row: SourceRow, column: str, code: str) -> None:
        self.errors.append(RowError(source.spec.filename, row.line, column, code))

    # --- orgs, academic sessions, courses, classes -------------------------------------------------

    def read_orgs(self, source: SourceFile) -> None:
        for row in self._unique(source):
            if row["type"] not in oneroster.ORG_TYPES[self.version]:
                self.error(source, row, "type", "unknown_code" if row["type"] else "missing_required")
                continue
            self.orgs[row["sourcedId"]] = Org(
                row.line, row["sourcedId"], row["identifier"] or row["sourcedId"], row["name"], row["type"] == "school"
            )
        if not any(org.is_school for org in self.orgs.values()):
            raise PackageError(
                "orgs.csv has no org of type school: Insights imports students into schools, so a package needs at "
                "least one."
            )

    def read_sessions(self, source: SourceFile) -> None:
        late = 0
        for row in self._unique(source):
            if row["type"] not in oneroster.SESSION_TYPES:
                self.error(source, row, "type", "unknown_code" if row["type"] else "missing_required")
                continue
            try:
                start = datetime.date.fromisoformat(row["startDate"])
            except ValueError:
                self.error(source, row, "startDate", "bad_date")
                continue
            year = school_year_of(start)
            if row["schoolYear"] != str(year + 1):
                late += 1
            self.sessions[row["sourcedId"]] = Session(
                (row["title"] or row["sourcedId"])[:TERM_LABEL_CHARS].strip(), year
            )
        if late:
            self.warnings.append(
                f"academicSessions.csv: {late} session(s) give a schoolYear other than the year their school year "
                "ends (the spec's meaning); Insights takes the school year from startDate."
            )

    def read_courses(self, source: SourceFile) -> None:
        for row in self._unique(source):
            if row["orgSourcedId"] not in self.orgs:
                self.error(source, row, "orgSourcedId", "unknown_org")
            self.courses[row["sourcedId"]] = Course(
                row["courseCode"] or row["sourcedId"], row["title"], ", ".join(row.list("subjects"))[:80]
            )

    def read_classes(self, source: SourceFile) -> None:
        for row in self._unique(source):
            if row["classType"] not in oneroster.CLASS_TYPES:
                self.error(source, row, "classType", "unknown_code" if row["classType"] else "missing_required")
                continue
            school = self._school(source, row, "schoolSourcedId")
            if school is None:
                continue
            info = ClassInfo(
                row.line,
                row["sourcedId"],
                school,
                row["classType"] == "homeroom",
                row["title"],
                insights_grade(row["grades"]),
            )
            if not info.homeroom:
                info.course = self.courses.get(row["courseSourcedId"])
                if info.course is None:
                    self.error(source, row, "courseSourcedId", "unknown_course")
                    continue
                terms = [self.sessions.get(term) for term in row.list("termSourcedIds")]
                if not terms or None in terms:
                    self.error(source, row, "termSourcedIds", "unknown_term" if terms else "missing_required")
                    continue
                info.term, info.periods, info.location = terms[0], ", ".join(row.list("periods")), row["location"]
            self.classes[row["sourcedId"]] = info
        self._name_homerooms()

    def _name_homerooms(self) -> None:
        """A homeroom is named by its class title; titles shared within a school get the class code added,
        so two homerooms (and their teachers' access) are never merged into one."""
        homerooms = [info for info in self.classes.values() if info.homeroom]
        seen: dict[tuple[str, str], int] = {}
        for info in homerooms:
            seen[(info.school, info.title)] = seen.get((info.school, info.title), 0) + 1
        for info in homerooms:
            title = info.title or info.sourced_id
            if seen[(info.school, info.title)] > 1 or not info.title:
                suffix = f" ({info.sourced_id})"
                title = title[: max(0, HOMEROOM_CHARS - len(suffix))] + suffix
            info.homeroom_name = title[:HOMEROOM_CHARS]

    def _school(self, source, row, column) -> str | None:
        org = self.orgs.get(row[column])
        if org is None:
            self.error(source, row, column, "unknown_org" if row[column] else "missing_required")
            return None
        if not org.is_school:
            self.error(source, row, column, "not_a_school")
            return None
        return org.local_id

    # --- users, roles, demographics ---------------------------------------------------------------

    def read_roles(self, source: SourceFile) -> None:
        for row in self._unique(source):
            if row["role"] not in oneroster.USER_ROLES["1.2"]:
                self.error(source, row, "role", "unknown_code" if row["role"] else "missing_required")
            elif row["roleType"] not in oneroster.ROLE_TYPES:
                self.error(source, row, "roleType", "unknown_code" if row["roleType"] else "missing_required")
            elif row["orgSourcedId"] not in self.orgs:
                self.error(source, row, "orgSourcedId", "unknown_org")
            else:
                entry = (row["roleType"], row["role"], row["orgSourcedId"])
                self.roles.setdefault(row["userSourcedId"], []).append(entry)

    def read_users(self, source: SourceFile) -> None:
        self.student_id = student_id_setting()
        for row in self._unique(source):
            ref = self.user_ref(source, row, self.errors)
            if ref is None:
                continue
            self.users[row["sourcedId"]] = ref
            grade = GRADE_ORDER.get(insights_grade(row["grades"]))
            if ref.role == "student" and ref.school and grade is not None:
                self.school_grades.setdefault(ref.school, set()).add(grade)
        unknown = set(self.roles) - set(self.users)
        if unknown:
            self.warnings.append(f"roles.csv: {len(unknown)} role(s) belong to no user in users.csv; ignored.")

    def user_ref(self, source: SourceFile, row: SourceRow, errors: list[RowError]) -> UserRef | None:
        """The user's role, school and identifiers; None (with a row error) when the row cannot be used."""
        name = source.spec.filename
        if self.version == "1.1":
            role, org_ids, org_column = row["role"], row.list("orgSourcedIds"), "orgSourcedIds"
            if role not in oneroster.USER_ROLES["1.1"]:
                errors.append(RowError(name, row.line, "role", "unknown_code" if role else "missing_required"))
                return None
        else:
            roles = sorted(self.roles.get(row["sourcedId"], ()), key=lambda entry: entry[0] != "primary")
            if not roles:
                errors.append(RowError(name, row.line, "sourcedId", "no_role"))
                return None
            role, org_column = roles[0][1], "primaryOrgSourcedId"
            org_ids = [row["primaryOrgSourcedId"], *(entry[2] for entry in roles if entry[1] == role)]
        known = [self.orgs[org] for org in org_ids if org in self.orgs]
        if len(known) < len([org for org in org_ids if org]) and self.version == "1.1":
            errors.append(RowError(name, row.line, org_column, "unknown_org"))
        school = next((org.local_id for org in known if org.is_school), "")
        if known and not school and role == "student":
            errors.append(RowError(name, row.line, org_column, "not_a_school"))
        return UserRef(row.line, role, self._student_id(row) if role == "student" else "", row["email"], school)

    def _student_id(self, row: SourceRow) -> str:
        if self.student_id.startswith("userIds:"):
            return user_id_entry(row["userIds"], self.student_id.removeprefix("userIds:"))
        return row[self.student_id]

    @property
    def student_id_column(self) -> str:
        return "userIds" if self.student_id.startswith("userIds:") else self.student_id

    def read_demographics(self, source: SourceFile) -> None:
        students = FILE_BY_NAME["students"]
        born = next(column for column in students.columns if column.name == "date_of_birth")
        births = []  # (line, sourcedId, birthDate), typed together once the file is read
        for row in self._unique(source):
            user = self.users.get(row["sourcedId"])
            if user is None:
                self.error(source, row, "sourcedId", "unknown_user")
                continue
            if user.role != "student":
                continue
            values = {}
            births.append((row.line, row["sourcedId"], row["birthDate"]))
            if row["sex"] and row["sex"] not in oneroster.SEX_TO_GENDER:
                self.error(source, row, "sex", "unknown_code")
            else:
                values["gender"] = oneroster.SEX_TO_GENDER.get(row["sex"], "")
            flags = {}
            for column in (
                *(name for name, _ in oneroster.RACE_COLUMNS),
                "demographicRaceTwoOrMoreRaces",
                "hispanicOrLatinoEthnicity",
            ):
                flags[column] = boolean(row[column]) if row[column] else False
                if flags[column] is None:
                    self.error(source, row, column, "bad_boolean")
            races = [label for name, label in oneroster.RACE_COLUMNS if flags[name]]
            if flags["demographicRaceTwoOrMoreRaces"] and len(races) < 2:
                races.append("Two or more races")
            values["race"] = "; ".join(races)
            if row["hispanicOrLatinoEthnicity"] and flags["hispanicOrLatinoEthnicity"] is not None:
                values["hispanic_latino"] = TRUE if flags["hispanicOrLatinoEthnicity"] else FALSE
            self.demographics[row["sourcedId"]] = values
        codes = field_errors(born, [birth for _, _, birth in births], today=timezone.localdate())
        for (line, sourced_id, birth), code in zip(births, codes, strict=True):
            if code is None:
                self.demographics[sourced_id]["date_of_birth"] = birth
            else:
                self.errors.append(RowError(source.spec.filename, line, "birthDate", code))

    # --- enrollments: homerooms now, assignments when they are translated -------------------------

    def read_homerooms(self, source: SourceFile) -> None:
        """Who is in (and teaches) each homeroom class; a student in two homerooms keeps the first."""
        twice = 0
        for row in source.rows(self.errors, self.warnings):
            enrollment = self.enrollment(source, row, self.errors)
            if enrollment is None or not enrollment[0].homeroom:
                continue
            info, user, role = enrollment
            if role == "student":
                if self.student_homerooms.setdefault(row["userSourcedId"], info.homeroom_name) != info.homeroom_name:
                    twice += 1
            elif role == "teacher" and (row["userSourcedId"] not in self.teacher_homerooms or boolean(row["primary"])):
                self.teacher_homerooms[row["userSourcedId"]] = info
        if twice:
            self.warnings.append(
                f"enrollments.csv: {twice} student(s) are enrolled in more than one homeroom; each keeps the first."
            )

    def enrollment(self, source: SourceFile, row: SourceRow, errors: list[RowError]):
        """(class, user, role) for an enrollment Insights keeps; None when it is orphaned or not imported."""
        name = source.spec.filename
        role = row["role"]
        if role not in oneroster.ENROLLMENT_ROLES[self.version]:
            errors.append(RowError(name, row.line, "role", "unknown_code" if role else "missing_required"))
            return None
        info = self.classes.get(row["classSourcedId"])
        if info is None:
            errors.append(RowError(name, row.line, "classSourcedId", "unknown_class"))
            return None
        user = self.users.get(row["userSourcedId"])
        if user is None:
            errors.append(RowError(name, row.line, "userSourcedId", "unknown_user"))
            return None
        if role not in ("student", "teacher"):
            return None  # aides, administrators, proctors and guardians hold no section of their own
        if (role == "student") != (user.role == "student"):
            errors.append(RowError(name, row.line, "role", "role_mismatch"))
            return None
        if not (user.local_id if role == "student" else user.email):
            code = "user_without_local_id" if role == "student" else "user_without_email"
            errors.append(RowError(name, row.line, "userSourcedId", code))
            return None
        return info, user, role

    def _unique(self, source: SourceFile):
        """The file's rows, keeping the first of each sourcedId (the others are duplicate_key errors)."""
        seen: set[str] = set()
        for row in source.rows(self.errors, self.warnings):
            if row["sourcedId"] in seen:
                self.error(source, row, "sourcedId", "duplicate_key")
                continue
            seen.add(row["sourcedId"])
            yield row
