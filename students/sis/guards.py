"""Guards: a package that would change too much is held until someone with the permission approves it.

A wrong export (a school left out, a filter gone astray, a half-written file) looks like a
legitimate snapshot in which many students left. The guards compare what the run would do with
what the district has now; thresholds come from settings.SIS_IMPORT (env-configurable).
"""

from dataclasses import asdict, dataclass

from django.conf import settings

from students.sis.codes import UnmappedCodes
from students.sis.models import ImportFile, ImportRun
from students.sis.skipping import last_applied
from students.sis.sql import scalar
from students.sis.staging import staging_table as stg


@dataclass
class GuardResult:
    guard: str
    tripped: bool
    value: float
    limit: float
    message: str


@dataclass
class Baseline:
    """Figures read before the run changes anything."""

    active_students: int
    enrollments_in_scope: int
    schools_with_students_missing: int


def _scope(applier, column: str) -> str:
    return applier.in_scope(column)


def measure_baseline(applier) -> Baseline:
    """Count what the guards compare against, before applying."""
    params = applier.params
    active = scalar(
        "SELECT count(*) FROM students_student t WHERE enrollment_status = 'Active' AND NOT missing_from_last_export "
        f"AND {_scope(applier, 't.school_id')}",
        params,
    )
    enrollments = 0
    if "student_section_assignments" in applier.staged:
        enrollments = scalar(
            f"SELECT count(*) FROM students_studentsectionassignment t WHERE "
            f"{applier._assignment_scope('student_section_assignments')}",
            params,
        )
    schools_missing = 0
    if "students" in applier.staged:
        schools_missing = scalar(
            "SELECT count(DISTINCT t.school_id) FROM students_student t WHERE t.enrollment_status = 'Active' "
            f"AND NOT t.missing_from_last_export AND {_scope(applier, 't.school_id')} AND NOT EXISTS "
            f"(SELECT 1 FROM {stg('students')} s JOIN students_school k ON k.local_id = s.school_local_id "
            "WHERE k.id = t.school_id)",
            params,
        )
    return Baseline(active, enrollments, schools_missing)


def evaluate(
    *, run: ImportRun, baseline: Baseline, counts: dict, file_rows: dict[str, int], unmapped: UnmappedCodes
) -> list[GuardResult]:
    """Every guard's result for this run (tripped or not), in a fixed order."""
    limits = settings.SIS_IMPORT
    results = []
    if "students" in counts:
        missing = counts["students"].get("missing", 0)
        limit = max(limits["GUARD_MISSING_MIN"], baseline.active_students * limits["GUARD_MISSING_PERCENT"] / 100)
        results.append(
            GuardResult(
                "students_missing",
                missing > limit,
                missing,
                limit,
                f"{missing} active students would be newly missing from the export (limit {limit:.0f}).",
            )
        )
        results.append(
            GuardResult(
                "school_missing",
                baseline.schools_with_students_missing > 0,
                baseline.schools_with_students_missing,
                0,
                f"{baseline.schools_with_students_missing} schools with active students have no student in the file.",
            )
        )
    removed = counts.get("student_section_assignments", {}).get("deleted", 0)
    if "student_section_assignments" in counts and baseline.enrollments_in_scope:
        share = 100 * removed / baseline.enrollments_in_scope
        limit = limits["GUARD_ENROLLMENTS_REMOVED_PERCENT"]
        results.append(
            GuardResult(
                "enrollments_removed",
                share > limit,
                round(share, 1),
                limit,
                f"{share:.1f}% of section enrollments would be removed (limit {limit}%).",
            )
        )
    previous = last_applied(run)
    if previous is not None:
        before = dict(ImportFile.objects.filter(run=previous, rows__isnull=False).values_list("name", "rows"))
        share_limit = limits["GUARD_FILE_SHRINK_PERCENT"]
        for name, rows in sorted(file_rows.items()):
            if before.get(name):
                share = 100 * rows / before[name]
                results.append(
                    GuardResult(
                        f"file_shrank:{name}",
                        share < share_limit,
                        round(share, 1),
                        share_limit,
                        f"{name} has {rows} rows, {share:.0f}% of the last applied run's {before[name]} "
                        f"(limit {share_limit}%).",
                    )
                )
    results += _unmapped_codes(unmapped, limits["GUARD_UNMAPPED_PERCENT"])
    return results


def _unmapped_codes(unmapped: UnmappedCodes, limit: int) -> list[GuardResult]:
    """A file with many rows whose codes the district has not mapped: map them first, or approve as they are."""
    results = []
    for filename, figures in sorted(unmapped.rows.items()):
        share = 100 * figures["unmapped"] / figures["rows"]
        results.append(
            GuardResult(
                f"unmapped_codes:{filename}",
                share > limit,
                round(share, 1),
                limit,
                f"{figures['unmapped']} of {filename}'s {figures['rows']} rows have codes the district has not "
                f"mapped ({share:.1f}%, limit {limit}%).",
            )
        )
    return results


def as_json(results: list[GuardResult]) -> list[dict]:
    return [asdict(result) for result in results]
