"""Hand-built OneRoster 1.1 and 1.2 bulk packages, from the spec's column lists, for the reader's tests.

A small district: two schools (grades 3 and 10), a fall term, three scheduled classes and one
homeroom, six students, three staff and a parent. ``build`` writes it as a folder; tests change
rows, add files or replace bytes to reproduce the faults real exports have.
"""

import csv
import io
from pathlib import Path

import pytest

from students.sis.format import FILE_BY_NAME
from students.sis.oneroster import spec
from tests.sis.conftest import TODAY, WINDOW_START

SAMPLES = Path(__file__).parent / "samples"  # public packages, each with its PROVENANCE.md and license
YEAR = TODAY.year if TODAY.month >= 8 else TODAY.year - 1  # the school year in progress starts in August

ORGS = [
    {"sourcedId": "d1", "name": "Riverside Public Schools", "type": "district"},
    {"sourcedId": "s1", "name": "Maple Elementary", "type": "school", "identifier": "ES1", "parentSourcedId": "d1"},
    {"sourcedId": "s2", "name": "Riverside High", "type": "school", "identifier": "HS1", "parentSourcedId": "d1"},
]
SESSIONS = [
    {
        "sourcedId": "y1",
        "title": "FY",
        "type": "schoolYear",
        "startDate": f"{YEAR}-08-28",
        "endDate": f"{YEAR + 1}-06-20",
        "schoolYear": str(YEAR + 1),
    },
    {
        "sourcedId": "t1",
        "title": "Semester 1",
        "type": "semester",
        "startDate": f"{YEAR}-08-28",
        "endDate": f"{YEAR + 1}-01-20",
        "parentSourcedId": "y1",
        "schoolYear": str(YEAR + 1),
    },
]
COURSES = [
    {"sourcedId": "c1", "title": "Grade 3 Math", "courseCode": "MATH3", "orgSourcedId": "s1", "subjects": "Math"},
    {"sourcedId": "c2", "title": "Biology", "courseCode": "BIO10", "orgSourcedId": "d1", "subjects": "Science"},
]
CLASSES = [
    {
        "sourcedId": "k1",
        "title": "Math 3 - A",
        "courseSourcedId": "c1",
        "classCode": "M3A",
        "classType": "scheduled",
        "location": "101",
        "schoolSourcedId": "s1",
        "termSourcedIds": "y1",
        "periods": "1",
    },
    {
        "sourcedId": "k2",
        "title": "Biology - 1",
        "courseSourcedId": "c2",
        "classCode": "B1",
        "classType": "scheduled",
        "location": "Lab 2",
        "schoolSourcedId": "s2",
        "termSourcedIds": "t1",
        "periods": "2,3",
    },
    {
        "sourcedId": "k3",
        "title": "Biology - 2",
        "courseSourcedId": "c2",
        "classCode": "B2",
        "classType": "scheduled",
        "location": "Lab 2",
        "schoolSourcedId": "s2",
        "termSourcedIds": "t1",
        "periods": "4",
    },
    {
        "sourcedId": "h1",
        "title": "Room 12",
        "grades": "03",
        "courseSourcedId": "c1",
        "classCode": "HR12",
        "classType": "homeroom",
        "schoolSourcedId": "s1",
        "termSourcedIds": "y1",
    },
]


def _user(sourced_id, role, org, given, family, grade="", identifier="", email=""):
    return {
        "sourcedId": sourced_id,
        "enabledUser": "true",
        "orgSourcedIds": org,
        "role": role,
        "username": f"{given.lower()}.{family.lower()}",
        "userIds": f"{{SASID:10{sourced_id[1:]}}}",
        "givenName": given,
        "familyName": family,
        "identifier": identifier,
        "email": email,
        "grades": grade,
    }


USERS = [
    _user("u1", "student", "s1", "Ada", "Lovelace", "03", "1001"),
    _user("u2", "student", "s1", "Grace", "Hopper", "03", "1002"),
    _user("u3", "student", "s1", "Alan", "Turing", "03", "1003"),
    _user("u4", "student", "s2", "Katherine", "Johnson", "10", "2001"),
    _user("u5", "student", "s2", "Dorothy", "Vaughan", "10", "2002"),
    _user("u6", "student", "s2", "Mary", "Jackson", "10", "2003"),
    _user("t1", "teacher", "s1", "Ana", "Rivera", identifier="T1", email="ana.rivera@riverside.example"),
    _user("t2", "teacher", "s2", "Ben", "Okafor", identifier="T2", email="Ben.Okafor@riverside.example"),
    _user("a1", "administrator", "d1", "Chris", "Lee", email="chris.lee@riverside.example"),
    _user("p1", "parent", "s1", "Pat", "Lovelace", email="pat@home.example"),
]


def _enrollment(class_id, user, role, primary=""):
    school = next(row["schoolSourcedId"] for row in CLASSES if row["sourcedId"] == class_id)
    return {
        "sourcedId": f"{class_id}-{user}",
        "classSourcedId": class_id,
        "schoolSourcedId": school,
        "userSourcedId": user,
        "role": role,
        "primary": primary,
    }


ENROLLMENTS = [
    *(_enrollment("k1", user, "student") for user in ("u1", "u2", "u3")),
    _enrollment("k1", "t1", "teacher", "true"),
    *(_enrollment("k2", user, "student") for user in ("u4", "u5")),
    _enrollment("k2", "t2", "teacher", "true"),
    *(_enrollment("k3", user, "student") for user in ("u5", "u6")),
    _enrollment("k3", "t2", "teacher", "true"),
    *(_enrollment("h1", user, "student") for user in ("u1", "u2", "u3")),
    _enrollment("h1", "t1", "teacher", "true"),
]
DEMOGRAPHICS = [
    {
        "sourcedId": "u1",
        "birthDate": f"{YEAR - 8}-05-01",
        "sex": "female",
        "white": "true",
        "hispanicOrLatinoEthnicity": "false",
    },
    {
        "sourcedId": "u4",
        "birthDate": f"{YEAR - 15}-02-11",
        "sex": "female",
        "blackOrAfricanAmerican": "true",
        "asian": "true",
        "demographicRaceTwoOrMoreRaces": "true",
    },
]
ROLES_12 = {"administrator": "districtAdministrator"}  # 1.2 splits 1.1's administrator by level
EXPECTED = {
    "schools": 2,
    "students": 6,
    "educators": 3,
    "sections": 3,
    "homerooms": 1,
    "student_section_assignments": 7,
    "educator_section_assignments": 3,
}


def district(version: str) -> dict[str, list[dict]]:
    """The hand-built district's tables for ``version``; 1.2 moves role and orgs to roles.csv."""
    tables = {
        "orgs": ORGS,
        "academicSessions": SESSIONS,
        "courses": COURSES,
        "classes": CLASSES,
        "users": USERS,
        "enrollments": ENROLLMENTS,
        "demographics": DEMOGRAPHICS,
    }
    if version == "1.2":
        tables["users"] = [dict(user, primaryOrgSourcedId=user["orgSourcedIds"]) for user in USERS]
        tables["roles"] = [
            {
                "sourcedId": f"r-{user['sourcedId']}",
                "userSourcedId": user["sourcedId"],
                "roleType": "primary",
                "role": ROLES_12.get(user["role"], user["role"]),
                "orgSourcedId": user["orgSourcedIds"],
            }
            for user in USERS
        ]
    return {name: [dict(row) for row in rows] for name, rows in tables.items()}


def columns(version: str, name: str) -> tuple[str, ...]:
    return next(file.columns for file in spec.READ[version] if file.name == name)


def oneroster_csv(version: str, name: str, rows: list[dict], header: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=header or columns(version, name), lineterminator="\r\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def oneroster_manifest(version: str, files, **overrides) -> str:
    values = {"manifest.version": "1.0", "oneroster.version": version}
    for name in [file.name for file in spec.READ[version]] + list(spec.NOT_READ[version]):
        values[f"file.{name}"] = "bulk" if name in files else "absent"
    values |= {"source.systemName": "Test SIS", "source.systemCode": "test", "district.key": "demo"}
    for name in FILE_BY_NAME:
        if name in files:
            values[f"file.{name}"] = "bulk"
        if name in files and FILE_BY_NAME[name].window:
            values[f"window.{name}.start"] = WINDOW_START.isoformat()
            values[f"window.{name}.end"] = TODAY.isoformat()
    values.update(overrides)
    return "propertyName,value\r\n" + "".join(f"{k},{v}\r\n" for k, v in values.items() if v is not None)


class OneRosterBuilder:
    """``build("1.1", users=[...], raw={"orgs.csv": b"..."}, manifest={...}, extras={"attendance.csv": text})``."""

    def __init__(self, root: Path):
        self.root = root
        self.count = 0

    def build(self, version="1.1", *, manifest=None, raw=None, extras=None, **changes) -> Path:
        self.count += 1
        folder = self.root / f"oneroster{self.count}"
        folder.mkdir()
        tables = district(version) | changes
        written = {name for name, rows in tables.items() if rows is not None}
        written |= {name.removesuffix(".csv") for name in (raw or {})}
        extra_names = {name.removesuffix(".csv") for name in (extras or {})}
        (folder / "manifest.csv").write_text(
            oneroster_manifest(version, written | extra_names, **(manifest or {})), encoding="utf-8"
        )
        for name, rows in tables.items():
            if rows is not None:
                content = rows if isinstance(rows, str) else oneroster_csv(version, name, rows)
                (folder / f"{name}.csv").write_text(content, encoding="utf-8")
        for name, content in (extras or {}).items():
            (folder / name).write_text(content, encoding="utf-8")
        for name, content in (raw or {}).items():
            (folder / name).write_bytes(content)
        return folder


@pytest.fixture
def oneroster(tmp_path) -> OneRosterBuilder:
    return OneRosterBuilder(tmp_path)
