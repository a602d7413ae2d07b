"""The district's code mappings applied to a staged package, in SQL, and the codes no mapping knows.

Each vocabulary names a staged column holding a code as the SIS exports it and the mapping table
that says what it means (students/models/codes.py, students/models/programs.py). ``code_lookups``
gives the file's mapped columns, filled by the typing statement itself as it stages the file
(fields.py), before duplicates are removed (the attendance key depends on the mapped kind of
event); ``UnmappedCodes.resolve`` then counts the
codes no table knows, per vocabulary and code, and decides what their rows become:

- *held back*: the row cannot be placed without its meaning (an attendance code: absence or
  tardy? an assessment: which family?). It is quarantined with ``unmapped_code``: not applied,
  but its key still counts as present, so nothing live is deleted because of it;
- *kept*: the row is applied with its raw code and a blank mapped value (discipline categories)
  or the meaning the code has until it is mapped (a program code counts as regular education);
- *kept, live value*: a student's grade or 504 status stays what it is now while the raw code is
  stored beside it; a new student with an unmapped grade is held back.

The run's guard (guards.py) holds a run whose share of such rows passes a threshold; mapping the
codes in the admin and running the package again applies it with the new meaning.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import models

from students.models import AssessmentName, AttendanceCode, GradeCode, IncidentCode, IncidentLocation, Plan504Code
from students.models.programs import ProgramCode
from students.sis.format import FileSpec
from students.sis.reader import RowError
from students.sis.sql import execute, fetch, scalar, staging_table

HELD_BACK, KEPT, KEPT_LIVE = "held back", "kept", "kept, live value"
MAX_CODES_REPORTED = 100  # per vocabulary: enough to map, never a whole column of garbage


@dataclass(frozen=True)
class Vocabulary:
    """One column of one file whose codes a mapping table translates."""

    file: str
    column: str
    model: type[models.Model]
    mapped: tuple[tuple[str, str, str], ...]  # (staging column, SQL type, expression on the mapping row {m})
    unmapped: str
    live_column: str = ""  # KEPT_LIVE: the students_student column an unmapped code leaves as it is
    new_rows_held: bool = False  # KEPT_LIVE: a row with no live value to keep is held back

    @property
    def name(self) -> str:
        """The vocabulary's name in reports: the mapping table's, as the admin lists it."""
        return str(self.model._meta.verbose_name_plural)

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def is_unmapped(self) -> str:
        """A condition on staged row s: it has a code, and the mapping table does not know it."""
        column = f"s.{self.column}"
        return (
            f"({column} IS NOT NULL AND {column} <> '' AND NOT EXISTS "
            f"(SELECT 1 FROM {self.table} m WHERE m.code = {column}))"
        )


VOCABULARIES = (
    Vocabulary(
        "attendance",
        "attendance_code",
        AttendanceCode,
        (("attendance_category", "text", "{m}.category"), ("code_excused", "boolean", "{m}.excused")),
        HELD_BACK,
    ),
    Vocabulary(
        "discipline_incidents",
        "incident_code",
        IncidentCode,
        (("incident_category", "text", "{m}.category"),),
        KEPT,
    ),
    Vocabulary(
        "discipline_incidents",
        "incident_location",
        IncidentLocation,
        (("location_category", "text", "{m}.category"),),
        KEPT,
    ),
    Vocabulary("students", "grade", GradeCode, (("mapped_grade", "text", "{m}.grade"),), KEPT_LIVE, "grade", True),
    Vocabulary("students", "program_assigned", ProgramCode, (), KEPT),
    Vocabulary(
        "students",
        "plan_504",
        Plan504Code,
        (("mapped_plan_504", "text", "{m}.status"),),
        KEPT_LIVE,
        "plan_504",
    ),
    Vocabulary(
        "assessments",
        "assessment_family",
        AssessmentName,
        (("mapped_family", "text", "{m}.family"), ("mapped_subject", "text", "nullif({m}.subject, '')")),
        HELD_BACK,
    ),
)


def vocabularies_of(file_name: str) -> list[Vocabulary]:
    return [vocabulary for vocabulary in VOCABULARIES if vocabulary.file == file_name]


def mapped_columns(file_name: str) -> list[tuple[str, str]]:
    """The staging table's columns holding mapped values: (name, SQL type)."""
    return [(name, kind) for vocabulary in vocabularies_of(file_name) for name, kind, _ in vocabulary.mapped]


def code_lookups(file_name: str) -> list[tuple]:
    """The typing statement's lookups (fields.typing_statement) that fill the file's mapped columns."""
    return [
        (vocabulary.table, "code", vocabulary.column, [(name, expression) for name, _, expression in vocabulary.mapped])
        for vocabulary in vocabularies_of(file_name)
        if vocabulary.mapped
    ]


@dataclass
class UnmappedCodes:
    """What a run found unmapped: rows per vocabulary and code, and per file how many of its rows."""

    codes: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # filename -> {"unmapped": n, "rows": total}

    def resolve(self, spec: FileSpec) -> list[RowError]:
        """Count the file's unmapped codes, then hold back or keep their rows; returns the rows held back."""
        vocabularies = vocabularies_of(spec.name)
        if not vocabularies:
            return []
        table = staging_table(spec.name)
        found_in = []  # the vocabularies with unmapped codes in rows not quarantined: only theirs are held back
        for vocabulary in vocabularies:
            found = fetch(
                f"SELECT s.{vocabulary.column}, count(*) FROM {table} s WHERE NOT s.quarantined "
                f"AND {vocabulary.is_unmapped()} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {MAX_CODES_REPORTED}"
            )
            if found:
                self.codes[vocabulary.name] = dict(found)
                found_in.append(vocabulary)
        if found_in:
            unmapped = scalar(
                f"SELECT count(*) FROM {table} s WHERE NOT s.quarantined AND "
                f"({' OR '.join(vocabulary.is_unmapped() for vocabulary in found_in)})"
            )
            self.rows[spec.filename] = {"unmapped": unmapped, "rows": scalar(f"SELECT count(*) FROM {table}")}
        errors: list[RowError] = []
        for vocabulary in vocabularies:
            if vocabulary.unmapped == KEPT_LIVE:
                column = vocabulary.mapped[0][0]
                execute(
                    f"UPDATE {table} s SET {column} = x.{vocabulary.live_column} FROM students_student x "
                    f"WHERE x.local_id = s.local_id AND {vocabulary.is_unmapped()}"
                )
            if vocabulary not in found_in:
                continue
            if vocabulary.unmapped == HELD_BACK:
                errors += _hold_back(spec, vocabulary.is_unmapped(), vocabulary.column)
            elif vocabulary.new_rows_held:  # students the district does not have yet: no value to keep
                condition = f"{vocabulary.is_unmapped()} AND s.{vocabulary.mapped[0][0]} IS NULL"
                errors += _hold_back(spec, condition, vocabulary.column)
        if spec.name == "assessments":
            errors += check_assessment_fields(spec)
        return errors

    def as_json(self) -> dict:
        return {"codes": self.codes, "rows": self.rows}


def _hold_back(spec: FileSpec, condition: str, column: str, code: str = "unmapped_code") -> list[RowError]:
    rows = fetch(
        f"UPDATE {staging_table(spec.name)} s SET quarantined = true WHERE NOT s.quarantined AND {condition} "
        "RETURNING s.row_number"
    )
    return [RowError(spec.filename, row_number, column, code) for (row_number,) in rows]


ASSESSMENT_SUBJECTS = {"MCAS": ("ELA", "Math"), "STAR": ("Reading", "Math"), "ACCESS": ("",)}
ASSESSMENT_REQUIRED = {"STAR": "percentile_rank", "ACCESS": "proficiency_level"}


def check_assessment_fields(spec: FileSpec) -> list[RowError]:
    """What each family requires of a result, checked once its name is mapped to a family.

    One pass over the file: a row is held back by the first rule it breaks, and its error names
    that rule's column and code (rule by rule, in row order).
    """
    subject = "coalesce(s.mapped_subject, s.assessment_subject, '')"
    rules: list[tuple[str, str, str]] = []  # (condition, column, code), in the order they are tested
    for family, subjects in ASSESSMENT_SUBJECTS.items():
        wrong = f"s.mapped_family = '{family}' AND {subject} NOT IN ({', '.join(repr(x) for x in subjects)})"
        rules.append((f"{wrong} AND {subject} = ''", "assessment_subject", "missing_required"))
        rules.append((wrong, "assessment_subject", "unknown_code"))
    for family, column in ASSESSMENT_REQUIRED.items():
        rules.append((f"s.mapped_family = '{family}' AND s.{column} IS NULL", column, "missing_required"))
    rules.append(("s.mapped_family = 'MCAS' AND s.scale_score NOT BETWEEN 200 AND 560", "scale_score", "out_of_range"))
    broken = " ".join(f"WHEN {condition} THEN {index}" for index, (condition, _, _) in enumerate(rules))
    held = fetch(
        f"WITH held AS (UPDATE {staging_table(spec.name)} s SET quarantined = true WHERE NOT s.quarantined "
        f"AND ({' OR '.join(f'({condition})' for condition, _, _ in rules)}) "
        f"RETURNING s.row_number, CASE {broken} END AS rule) "
        "SELECT row_number, rule FROM held ORDER BY rule, row_number"
    )
    return [RowError(spec.filename, row_number, rules[rule][1], rules[rule][2]) for row_number, rule in held]


def mappings_digest() -> str:
    """sha256 over every mapping table's rows: a package re-run after a mapping changed is not a no-op."""
    tables = {}
    for model in {vocabulary.model for vocabulary in VOCABULARIES}:
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "updated_at", "label")]
        tables[model._meta.db_table] = list(model.objects.order_by("code").values_list(*names))
    return hashlib.sha256(json.dumps(tables, sort_keys=True, default=str).encode()).hexdigest()
