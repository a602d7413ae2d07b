"""OneRoster import: the benchmark district's roster as OneRoster 1.1 CSV, as a ratio to the same roster
in the Insights format.

The district is exported by export_demo_sis and its roster files (schools, staff, students,
sections, homerooms and enrollments) rewritten as a OneRoster 1.1 bulk package. Both packages are
imported into an empty database; the ratio is what reading and translating OneRoster costs on top
of the shared pipeline. Peak memory of the OneRoster import is reported at 5,000 and
BENCH_STUDENTS students (the reader keeps one small record per org, class and user in memory).
"""

import csv
import shutil
import tempfile
from pathlib import Path

from benchmarks.bench_import import _empty_with_importer, _import
from benchmarks.district import BENCH_STUDENTS, ensure_bench_district
from insights.database import job_timeouts
from students.sis.export import export_package
from students.sis.oneroster import spec

ROSTER = ("schools", "educators", "students", "sections", "student_section_assignments", "educator_section_assignments")
GRADES = {"KF": "KG", **{str(n): f"{n:02d}" for n in range(1, 13)}}
SEX = {"F": "female", "M": "male", "N": "other"}


def _rows(folder: Path, name: str):
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as source:
        yield from csv.DictReader(source)


class _Writer:
    def __init__(self, folder: Path):
        self.folder, self.files = folder, {}

    def row(self, file: spec.OneRosterFile, **values) -> None:
        if file.name not in self.files:
            handle = (self.folder / file.filename).open("w", encoding="utf-8", newline="")
            self.files[file.name] = (handle, csv.DictWriter(handle, fieldnames=file.columns, extrasaction="ignore"))
            self.files[file.name][1].writeheader()
        self.files[file.name][1].writerow(values)

    def close(self) -> None:
        for handle, _ in self.files.values():
            handle.close()
        read = [file.name for file in spec.READ["1.1"]]
        lines = [("manifest.version", "1.0"), ("oneroster.version", "1.1"), ("district.key", "demo")]
        lines += [(f"file.{name}", "bulk" if name in self.files else "absent") for name in read]
        with (self.folder / "manifest.csv").open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows([("propertyName", "value"), *lines])


def oneroster_package(insights: Path, folder: Path) -> None:
    """Rewrite an Insights package's roster files as a OneRoster 1.1 bulk package."""
    folder.mkdir()
    out = _Writer(folder)
    out.row(spec.ORGS, sourcedId="district", name="District", type="district")
    for school in _rows(insights, "schools"):
        sid = school["school_local_id"]
        out.row(
            spec.ORGS, sourcedId=sid, name=school["name"], type="school", identifier=sid, parentSourcedId="district"
        )
    terms, courses, classes, homerooms, staff = {}, {}, {}, {}, {}
    for section in _rows(insights, "sections"):
        school, year = section["school_local_id"], int(section["school_year"])
        term = terms.setdefault((section["term_local_id"], year), f"term{len(terms)}")
        known = len(courses)
        course = courses.setdefault((school, section["course_number"]), f"course{len(courses)}")
        if len(courses) > known:
            out.row(
                spec.COURSES,
                sourcedId=course,
                title=section["course_description"] or section["course_number"],
                courseCode=section["course_number"],
                orgSourcedId=school,
                subjects=section["course_subject"],
            )
        key = tuple(
            section[column]
            for column in ("school_local_id", "course_number", "section_number", "term_local_id", "school_year")
        )
        classes[key] = f"class{len(classes)}"
        out.row(
            spec.CLASSES,
            sourcedId=classes[key],
            title=section["course_description"],
            courseSourcedId=course,
            classType="scheduled",
            location=section["room_number"],
            schoolSourcedId=school,
            termSourcedIds=term,
            periods=section["schedule"],
        )
    for (title, year), term in terms.items():
        out.row(
            spec.ACADEMIC_SESSIONS,
            sourcedId=term,
            title=title,
            type="term",
            startDate=f"{year}-09-01",
            endDate=f"{year + 1}-06-30",
            schoolYear=str(year + 1),
        )
    for educator in _rows(insights, "educators"):
        staff[educator["email"]] = f"staff{len(staff)}"
        role = "administrator" if educator["staff_type"] == "administrator" else "teacher"
        out.row(
            spec.USERS_11,
            sourcedId=staff[educator["email"]],
            enabledUser="true",
            orgSourcedIds=educator["school_local_id"] or "district",
            role=role,
            username=educator["email"],
            givenName=educator["full_name"].split(" ")[0],
            familyName=educator["full_name"].split(" ")[-1],
            identifier=educator["local_id"],
            email=educator["email"],
        )
        if educator["homeroom"] and educator["school_local_id"]:
            hr = homerooms.setdefault((educator["school_local_id"], educator["homeroom"]), f"hr{len(homerooms)}")
            out.row(
                spec.ENROLLMENTS,
                sourcedId=f"e-{hr}-{staff[educator['email']]}",
                classSourcedId=hr,
                schoolSourcedId=educator["school_local_id"],
                userSourcedId=staff[educator["email"]],
                role="teacher",
                primary="true",
            )
    for student in _rows(insights, "students"):
        local_id, school = student["local_id"], student["school_local_id"]
        out.row(
            spec.USERS_11,
            sourcedId=local_id,
            enabledUser=str(student["enrollment_status"] == "Active").lower(),
            orgSourcedIds=school,
            role="student",
            username=local_id,
            givenName=student["first_name"],
            familyName=student["last_name"],
            identifier=local_id,
            grades=GRADES.get(student["grade"], "PK"),
        )
        out.row(
            spec.DEMOGRAPHICS,
            sourcedId=local_id,
            birthDate=student["date_of_birth"],
            sex=SEX.get(student["gender"], ""),
            hispanicOrLatinoEthnicity=student["hispanic_latino"],
        )
        if student["homeroom"]:
            hr = homerooms.setdefault((school, student["homeroom"]), f"hr{len(homerooms)}")
            out.row(
                spec.ENROLLMENTS,
                sourcedId=f"e-{hr}-{local_id}",
                classSourcedId=hr,
                schoolSourcedId=school,
                userSourcedId=local_id,
                role="student",
            )
    for (school, name), hr in homerooms.items():
        out.row(
            spec.CLASSES,
            sourcedId=hr,
            title=name,
            courseSourcedId="",
            classType="homeroom",
            schoolSourcedId=school,
            termSourcedIds="",
        )
    for file, role, user in (
        ("student_section_assignments", "student", "local_id"),
        ("educator_section_assignments", "teacher", "email"),
    ):
        for number, row in enumerate(_rows(insights, file)):
            key = tuple(
                row[column]
                for column in ("school_local_id", "course_number", "section_number", "term_local_id", "school_year")
            )
            who = row[user] if role == "student" else staff[row[user]]
            out.row(
                spec.ENROLLMENTS,
                sourcedId=f"{role}{number}",
                classSourcedId=classes[key],
                schoolSourcedId=row["school_local_id"],
                userSourcedId=who,
                role=role,
            )
    out.close()


def _roster_only(exported: Path, folder: Path) -> None:
    folder.mkdir()
    for name in ROSTER:
        shutil.copy(exported / f"{name}.csv", folder)
    lines = (exported / "manifest.csv").read_text(encoding="utf-8").splitlines()
    keep = [line for line in lines if not line.startswith(("file.", "window.")) or line.split(",")[0][5:] in ROSTER]
    (folder / "manifest.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")


def _measure(students: int, scratch: Path) -> tuple[float, float, int]:
    ensure_bench_district(students)
    exported = scratch / f"export{students}"
    export_package(exported)
    insights, oneroster = scratch / f"insights{students}", scratch / f"oneroster{students}"
    _roster_only(exported, insights)
    oneroster_package(exported, oneroster)
    _empty_with_importer()
    oneroster_seconds, peak, _ = _import(oneroster)  # first, so the children's peak is its own
    _empty_with_importer()
    insights_seconds, _, _ = _import(insights)
    return insights_seconds, oneroster_seconds, peak


@job_timeouts()
def run(report):
    with tempfile.TemporaryDirectory() as scratch:
        _, _, small_peak = _measure(5000, Path(scratch))
        insights_seconds, oneroster_seconds, big_peak = _measure(BENCH_STUDENTS, Path(scratch))
        report(
            f"OneRoster roster import, {BENCH_STUDENTS:,} students",
            oneroster_seconds,
            insights_seconds,
            "baseline: the same roster as an Insights package",
        )
        print(
            f"   peak memory of the OneRoster import: {small_peak / 1024:.0f} MiB at 5,000 students, "
            f"{big_peak / 1024:.0f} MiB at {BENCH_STUDENTS:,} (RUSAGE_CHILDREN max; small run first)",
            flush=True,
        )
