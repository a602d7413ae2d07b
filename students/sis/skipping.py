"""Files a re-run need not read: byte-identical to the last applied run's, and nothing since could change them.

A district's nightly package mostly repeats the night before: its attendance, assessments and
enrollments are the same bytes. Reading and typing such a file again only to find every row
unchanged is most of a re-run's time. A file is skipped (its rows counted unchanged, its row
count, row errors and counts carried over from the last applied run) only when a full reading
could not come out differently. The rule, kept in step with docs/import-format.md ("Re-runs"):

- the package is an Insights CSV package (a OneRoster package's files are translated together);
- the last applied run ran under the same code mappings and a manifest meaning the same (district,
  scope, files, windows: only ``generated_at`` may differ), and no run failed or was discarded since;
- the file's sha256 is that of the same file in the last applied run, whose row errors in it are
  all about the file's own text (bad values, duplicates): none naming a reference, a future date or
  an unmapped code, which another file, the date or the mappings could resolve; and it had no codes
  the mappings do not know (kept or held back, they are guarded on every reading);
- nothing but an import has written, since the last applied run read the live data, the tables the
  file fills or resolves its references through (migration 0005 notes such writes: admin edits,
  privacy corrections, destruction, retention sweeps, hand-made grants);
- the files whose meaning it shares are skipped too: programs and accommodations (a 504 plan's text
  comes from both) are read together; a changed students file is read with the educators file (a
  homeroom's grade may come from its teacher) and programs (English-learner status overrides the
  students file's); under a manifest naming its schools, with every file naming students;
- programs, whose English-learner status depends on the date, only on the day of the last run.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from students.sis.models import ImportFile, ImportRun
from students.sis.reader import CheckedPackage, RowError
from students.sis.sql import execute, fetch

STUDENT_KEYS = "students_student_keys"  # a student's local id or school (migration 0005)
# The live tables each file fills, or resolves its references through.
FILE_TABLES = {
    "schools": ("students_school",),
    "educators": (
        "educators_educator",
        "students_school",
        "students_homeroom",
        "sis_educatorsisstatus",
        "account_emailaddress",
        "permissions_homeroomgrant",
    ),
    "students": (
        "students_student",
        "students_school",
        "students_homeroom",
        "students_schoolgrade",
        "educators_educator",
    ),
    "sections": ("students_course", "students_section", "students_school"),
    "student_section_assignments": (
        "students_studentsectionassignment",
        STUDENT_KEYS,
        "students_section",
        "students_course",
        "students_school",
    ),
    "educator_section_assignments": (
        "students_educatorsectionassignment",
        "educators_educator",
        "students_section",
        "students_course",
        "students_school",
        "permissions_sectiongrant",
    ),
    "attendance": ("students_absence", "students_tardy", STUDENT_KEYS),
    "discipline_incidents": ("students_disciplineincident", STUDENT_KEYS),
    "assessments": ("students_mcasresult", "students_starresult", "students_accessresult", STUDENT_KEYS),
    "programs": ("students_iep", "students_plan504", "students_student"),
    "accommodations": ("students_plan504", STUDENT_KEYS),
}
ALL_TABLES = sorted({table for tables in FILE_TABLES.values() for table in tables})
# The categories of a run's counts each file's rows are counted under.
FILE_LABELS = {
    "schools": ("schools",),
    "educators": ("educators",),
    "students": ("students",),
    "sections": ("courses", "sections"),
    "student_section_assignments": ("student_section_assignments",),
    "educator_section_assignments": ("educator_section_assignments",),
    "attendance": ("absences", "tardies"),
    "discipline_incidents": ("discipline_incidents",),
    "assessments": ("mcas", "star", "access"),
    "programs": ("ieps", "504 plans", "english learners"),
    "accommodations": (),
}
# Row error codes a file's own bytes decide (with the same manifest and mappings).
OWN_TEXT_CODES = frozenset(
    {
        "nul_byte",
        "missing_required",
        "bad_email",
        "unknown_code",
        "bad_date",
        "bad_time",
        "bad_boolean",
        "bad_number",
        "too_long",
        "out_of_range",
        "wrong_field_count",
        "duplicate_key",
        "duplicate_state_id",
        "birth_after_registration",
        "outside_window",
        "end_before_begin",
    }
)
DATED = frozenset({"programs", "accommodations"})
STUDENT_FILES = frozenset(name for name, tables in FILE_TABLES.items() if STUDENT_KEYS in tables)
# name -> files to read whenever it is read
READ_WITH = {
    "programs": {"accommodations"},
    "accommodations": {"programs"},
    "students": {"educators", "programs"},
}


def last_applied(exclude: ImportRun) -> ImportRun | None:
    """The run whose outcome the live data holds (guards and skipping compare with it)."""
    runs = ImportRun.objects.filter(status=ImportRun.Status.APPLIED).exclude(pk=exclude.pk)
    return runs.order_by("-finished_at").first()


def written_outside(since: ImportRun, tables=ALL_TABLES) -> set[str]:
    """Which of ``tables`` something other than an import wrote after ``since`` took its snapshot.

    Writes of the asking transaction itself are its own to see (an import is its transaction's
    outermost work; only a caller wrapping several in one transaction, as a test does, has any).
    """
    if not since.live_snapshot:
        return set(tables)  # a run from before writes were noted: assume everything
    return {
        name
        for (name,) in fetch(
            "SELECT DISTINCT table_name FROM sis_outside_write WHERE table_name = ANY(%s) "
            "AND NOT pg_visible_in_snapshot(xact, %s::pg_snapshot) "
            "AND xact IS DISTINCT FROM pg_current_xact_id_if_assigned()",
            [list(tables), since.live_snapshot],
        )
    }


def as_import(importing: bool = True) -> None:
    """Mark the transaction an import's: its writes are not noted (or, with False, are again)."""
    fetch(
        "SELECT set_config('insights.sis_noted_' || name, %s, true) FROM unnest(%s::text[]) name",
        ["yes" if importing else "no", ALL_TABLES],
    )


def forget_writes_seen_by(snapshot: str) -> None:
    """An applied run read the live data after these writes: later runs compare with it, never before it."""
    execute("DELETE FROM sis_outside_write WHERE pg_visible_in_snapshot(xact, %s::pg_snapshot)", [snapshot])


def stopped_since(last: ImportRun, run: ImportRun) -> bool:
    """A run failed or was discarded after the last applied one (read everything again, to be safe)."""
    stopped = ImportRun.objects.filter(
        status__in=[ImportRun.Status.FAILED, ImportRun.Status.DISCARDED], dry_run=False
    ).exclude(pk=run.pk)
    return stopped.filter(Q(finished_at__gt=last.finished_at) | Q(decided_at__gt=last.finished_at)).exists()


def _meaning(manifest: dict) -> dict:
    return {key: value for key, value in manifest.items() if key != "generated_at"}


@dataclass
class SkipPlan:
    """The files a run does not read, and what it carries over for them from ``last``."""

    last: ImportRun | None = None
    skipped: dict[str, ImportFile] = field(default_factory=dict)  # file spec name -> the last run's file

    def file_rows(self) -> dict[str, int]:
        return {previous.name: previous.rows for previous in self.skipped.values()}

    def errors(self) -> list[RowError]:
        if not self.skipped:
            return []
        names = [previous.name for previous in self.skipped.values()]
        rows = self.last.row_errors.filter(file__in=names).values_list("file", "row_number", "column", "code")
        return [RowError(*row) for row in rows]

    def counts(self) -> dict[str, dict[str, int]]:
        """The last run's counts of each skipped file's categories, every applied row now unchanged."""
        carried = {}
        for name in self.skipped:
            for label in FILE_LABELS[name]:
                before = self.last.counts.get(label)
                if before is None:
                    continue
                now = dict.fromkeys(before, 0)
                if "unchanged" in before:
                    now["unchanged"] = sum(before.get(key, 0) for key in ("inserted", "updated", "unchanged"))
                carried[label] = now
        return carried


def plan(run: ImportRun, package, *, mappings_digest: str, today) -> SkipPlan:
    """Which of ``package``'s files ``run`` may skip (see the module docstring)."""
    last = last_applied(run)
    if (
        last is None
        or type(package) is not CheckedPackage
        or last.mappings_digest != mappings_digest
        or _meaning(last.manifest) != _meaning(package.manifest.as_json())
        or stopped_since(last, run)
    ):
        return SkipPlan()
    codes = defaultdict(set)
    for filename, code in last.row_errors.values_list("file", "code").distinct():
        codes[filename].add(code)
    if last.row_errors.count() < last.row_error_count:
        return SkipPlan()  # the history kept only the first errors: the others' codes are unknown
    previous = {stored.name: stored for stored in last.files.all()}
    written = written_outside(last)
    same_day = timezone.localdate(last.started_at) == today
    candidates = {}
    for checked in package.files:
        name, before = checked.spec.name, previous.get(checked.stored.name)
        if (
            before is not None
            and before.rows is not None
            and before.sha256 == checked.stored.sha256
            and codes[before.name] <= OWN_TEXT_CODES
            and before.name not in last.unmapped_codes.get("rows", {})  # its unmapped codes are guarded afresh
            and not written.intersection(FILE_TABLES[name])
            and (same_day or name not in DATED)
        ):
            candidates[name] = before
    read = {checked.spec.name for checked in package.files} - candidates.keys()
    scoped = package.manifest.scope_schools is not None
    while True:
        needed = set().union(*(READ_WITH.get(name, set()) for name in read))
        if scoped and "students" in read:
            needed |= STUDENT_FILES
        newly = needed & candidates.keys()
        if not newly:
            return SkipPlan(last=last, skipped=candidates)
        for name in newly:
            del candidates[name]
        read |= newly
