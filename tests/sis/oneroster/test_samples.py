"""Real public OneRoster packages (samples/, each with its provenance and license): the good ones import with the
counts their expected.json gives, the malformed ones are refused with a clear message and change nothing."""

import json
import shutil
from collections import Counter

import pytest

from students.models import Student
from students.sis.models import ImportRun
from tests.sis.oneroster.conftest import SAMPLES
from tests.sis.oneroster.helpers import district_counts
from tests.sis.test_bad_input import errors_of, import_package, table_checksums

COUNTED = (
    "schools",
    "students",
    "educators",
    "sections",
    "homerooms",
    "student_section_assignments",
    "educator_section_assignments",
)


def expected(name: str) -> dict:
    return json.loads((SAMPLES / name / "expected.json").read_text())


def observed(importer) -> dict:
    counts = district_counts(importer)
    counts["students_missing"] = Student.objects.filter(missing_from_last_export=True).count()
    return counts


def derive(sample: str, variant: dict, tmp_path):
    """The variant expected.json describes: users dropped, files dropped and declared absent."""
    folder = tmp_path / variant["name"]
    shutil.copytree(SAMPLES / sample, folder)
    users = folder / "users.csv"
    dropped = {f'"{sourced_id}"' for sourced_id in variant.get("drop_user_sourcedIds", ())}
    lines = users.read_bytes().split(b"\n")
    users.write_bytes(b"\n".join(line for line in lines if line.split(b",")[0].decode() not in dropped))
    for name in variant.get("drop_files", ()):
        (folder / name).unlink()
    manifest = (folder / "manifest.csv").read_text()
    for name in variant.get("manifest_absent", ()):
        manifest = manifest.replace(f'"file.{name}","bulk"', f'"file.{name}","absent"')
    (folder / "manifest.csv").write_text(manifest)
    return folder


def test_the_classlink_sandbox_district_imports_whole(importer):
    sample = expected("classlink-sandbox-v1p1")

    run = import_package(SAMPLES / "classlink-sandbox-v1p1", importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    counts = observed(importer)
    assert counts["students"] in sample["db"]["alternatives"]["students"]
    assert {k: v for k, v in counts.items() if k != "students"} == {
        k: v for k, v in sample["db"]["counts"].items() if k != "students"
    }
    # The hand-added row has no identifier (the local id) and no grade: a row error, never a guess.
    assert ("users.csv", 181, "identifier", "missing_required") in errors_of(run)
    assert "demographics.csv has a header and no rows; nothing was read from it." in run.warnings


def test_the_clean_classlink_district_imports_exactly(importer, tmp_path):
    sample = expected("classlink-sandbox-v1p1")
    variant = sample["derived"][0]

    run = import_package(derive("classlink-sandbox-v1p1", variant, tmp_path), importer)

    assert run.status == ImportRun.Status.APPLIED, run.error
    assert errors_of(run) == []
    counts = observed(importer)
    counts["students_with_dob"] = Student.objects.exclude(date_of_birth=None).count()
    assert counts == variant["db"]["counts"]
    assert dict(Counter(Student.objects.values_list("grade", flat=True))) == variant["db"]["grades"]
    again = import_package(derive("classlink-sandbox-v1p1", variant, tmp_path / "again"), importer)
    assert again.status == ImportRun.Status.UNCHANGED


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        ("moodle-oneroster-v1p1-full", "manifest.csv must declare courses.csv bulk"),
        ("moodle-oneroster-v1p1-minimal", "manifest.csv must declare courses.csv bulk"),
        ("moodle-oneroster-v1p2-bulk", "manifest.csv must declare courses.csv bulk"),
        ("moodle-oneroster-v1p2-delta", "academicSessions.csv is declared delta"),
        ("oat-sa-v1p1-base", "academicSessions.csv: missing column schoolYear"),
    ],
)
def test_a_malformed_sample_is_refused_and_nothing_changes(importer, sample, message):
    assert expected(sample)["expect"]["db"] in ("rejected", "atomic")
    before = table_checksums()

    run = import_package(SAMPLES / sample, importer)

    assert run.status == ImportRun.Status.FAILED
    assert message in run.error
    assert table_checksums() == before
    assert {k: v for k, v in observed(importer).items() if v} == {}
