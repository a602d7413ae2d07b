"""Staging: each file's text COPYed into a raw table, typed in SQL into its staging table, then checked.

A file in its strict form (strict.py) is COPYed into typed columns, and its typing is only the
checks after parsing; any other file is COPYed as text and parsed field by field (fields.py).

The tables live only inside the run's transaction (``ON COMMIT DROP``). Duplicates of a natural
key keep the first row; references to schools, students, educators, sections and plans that
neither the database nor the package holds are row errors counted per reason, and the row is
quarantined: it is not applied, but its key still counts as present in the snapshot.
"""

import datetime

from students.sis.codes import code_lookups, mapped_columns
from students.sis.fields import split_error, typing_statement
from students.sis.format import FILES, SECTION_KEY_NAMES, STUDENT_REF, FileSpec
from students.sis.rawcopy import copy_raw
from students.sis.reader import CheckedFile, RowError
from students.sis.sql import CHANGED_TABLE, execute, fetch, scalar, staging_table

# Keys the live tables enforce that are narrower than the file's natural key.
DEDUPE_KEYS = {
    "attendance": ("local_id", "event_date", "(attendance_category = 'tardy')"),  # mapped while typing
    "programs": ("plan_source_id",),
}


# A staging table's statistics only plan the run's own statements, hash joins and anti-joins over
# whole files: a sample of 3,000 rows plans them as well as the default 30,000, and ANALYZE of the
# staged files takes a tenth of the time.
STAGING_STATISTICS_TARGET = 10


def raw_table(name: str) -> str:
    return f"sis_raw_{name}"


def create_tables(files: list[CheckedFile]) -> None:
    """Fresh temporary tables (an earlier run in the same session may have left its own, e.g. under savepoints)."""
    execute(f"DROP TABLE IF EXISTS {CHANGED_TABLE}, {', '.join(staging_table(spec.name) for spec in FILES)}")
    execute(f"CREATE TEMP TABLE {CHANGED_TABLE} (student_id bigint) ON COMMIT DROP")
    for checked in files:
        spec = checked.spec
        table = staging_table(spec.name)
        columns = [
            ("row_number", "integer NOT NULL"),
            ("quarantined", "boolean NOT NULL"),
            ("errors", "text[]"),
            *((column.name, column.sql_type) for column in spec.columns),
            *mapped_columns(spec.name),
        ]
        definitions = ", ".join(f"{name} {kind}" for name, kind in columns)
        execute(f"CREATE TEMP TABLE {table} ({definitions}) ON COMMIT DROP")
        targets = ", ".join(f"ALTER COLUMN {name} SET STATISTICS {STAGING_STATISTICS_TARGET}" for name, _ in columns)
        execute(f"ALTER TABLE {table} {targets}")


def stage_file(checked: CheckedFile, *, today: datetime.date, window, errors: list[RowError], on_bytes) -> int:
    """Stage the file's rows, typed; append its row errors (in row order) to ``errors``; returns rows staged."""
    spec = checked.spec
    raw, staged = raw_table(spec.name), staging_table(spec.name)
    irregular: list[RowError] = []
    strict = copy_raw(checked, raw, irregular, on_bytes, strict=True)
    positions = [checked.header.index(name) if name in checked.header else None for name in spec.column_names]
    sql, params = typing_statement(
        spec,
        positions,
        raw=raw,
        staged=staged,
        today=today,
        window=window,
        lookups=code_lookups(spec.name),
        strict=strict,
    )
    rows = execute(sql, params)  # the staging table is the run's own, empty until now
    execute(f"DROP TABLE {raw}")
    found = [
        RowError(spec.filename, row_number, *split_error(entry))
        for row_number, entries in fetch(
            f"SELECT row_number, errors FROM {staged} WHERE errors IS NOT NULL ORDER BY row_number"
        )
        for entry in entries
    ]
    errors += sorted(irregular + found, key=lambda error: error.row_number or 0)
    if found:
        required_key = [name for name in spec.key if next(c for c in spec.columns if c.name == name).required]
        rows -= execute(
            f"DELETE FROM {staged} WHERE errors IS NOT NULL AND "
            f"({' OR '.join(f'{name} IS NULL' for name in required_key)})"
        )
    execute(f"ANALYZE {staged}")
    return rows


def _errors_from(sql: str, spec: FileSpec, column: str, code: str, params=None) -> list[RowError]:
    return [RowError(spec.filename, row_number, column, code) for (row_number,) in fetch(sql, params)]


def remove_duplicates(spec: FileSpec) -> list[RowError]:
    """Keep the first row of each natural key; the others are duplicate_key errors."""
    table = staging_table(spec.name)
    key = ", ".join(DEDUPE_KEYS.get(spec.name, spec.key))
    # Equal keys hash alike, so as many distinct 64-bit hashes as rows means no duplicate, and no need
    # to rank every row. Sorting one bigint per row is several times cheaper than grouping the keys
    # themselves; a collision only sends the file down the exact path below, which finds none.
    hashes = f"hash_record_extended(ROW({key}), 0)"
    if scalar(f"SELECT count(DISTINCT {hashes}) = count(*) FROM {table}"):
        return []
    return _errors_from(
        f"DELETE FROM {table} s USING (SELECT ctid, row_number() OVER (PARTITION BY {key} ORDER BY row_number) "
        f"AS position FROM {table}) ranked WHERE s.ctid = ranked.ctid AND ranked.position > 1 "
        f"RETURNING s.row_number",
        spec,
        spec.key[0],
        "duplicate_key",
    )


def _quarantine(spec: FileSpec, condition: str, column: str, code: str, params=None) -> list[RowError]:
    return _errors_from(
        f"UPDATE {staging_table(spec.name)} s SET quarantined = true WHERE NOT s.quarantined AND ({condition}) "
        f"RETURNING s.row_number",
        spec,
        column,
        code,
        params,
    )


def _null_field(spec: FileSpec, column: str, condition: str, code: str) -> list[RowError]:
    return _errors_from(
        f"UPDATE {staging_table(spec.name)} s SET {column} = NULL WHERE s.{column} IS NOT NULL AND ({condition}) "
        f"RETURNING s.row_number",
        spec,
        column,
        code,
    )


def _unknown(kind: str, staged: set[str]) -> str:
    """A condition true when the row's reference resolves nowhere, neither in the database nor in the package.

    Written as NOT EXISTS … AND NOT EXISTS …, which PostgreSQL runs as hashed anti-joins over the
    whole file, where NOT (EXISTS … OR EXISTS …) would probe both tables once per staged row.
    """
    if kind == "school":
        live = "EXISTS (SELECT 1 FROM students_school x WHERE x.local_id = s.school_local_id)"
        package = f"EXISTS (SELECT 1 FROM {staging_table('schools')} y WHERE y.school_local_id = s.school_local_id)"
    elif kind == "student":
        live = "EXISTS (SELECT 1 FROM students_student x WHERE x.local_id = s.local_id)"
        package = (
            f"EXISTS (SELECT 1 FROM {staging_table('students')} y WHERE y.local_id = s.local_id AND NOT y.quarantined)"
        )
    elif kind == "educator":
        live = "EXISTS (SELECT 1 FROM educators_educator x WHERE lower(x.email) = s.email)"
        package = f"EXISTS (SELECT 1 FROM {staging_table('educators')} y WHERE y.email = s.email AND NOT y.quarantined)"
    else:  # section
        live = (
            "EXISTS (SELECT 1 FROM students_section x JOIN students_course c ON c.id = x.course_id "
            "JOIN students_school k ON k.id = c.school_id WHERE k.local_id = s.school_local_id "
            "AND c.course_number = s.course_number AND x.section_number = s.section_number "
            "AND x.term_local_id = s.term_local_id AND x.school_year = s.school_year)"
        )
        package = (
            f"EXISTS (SELECT 1 FROM {staging_table('sections')} y WHERE NOT y.quarantined AND "
            + " AND ".join(f"y.{c} = s.{c}" for c in SECTION_KEY_NAMES)
            + ")"
        )
    plural = {"school": "schools", "student": "students", "educator": "educators", "section": "sections"}[kind]
    return f"(NOT {live} AND NOT {package})" if plural in staged else f"NOT {live}"


def check_references(spec: FileSpec, staged: set[str], scope_schools: list[str] | None) -> list[RowError]:
    """Quarantine rows whose references resolve nowhere, and null optional references that do not."""
    errors: list[RowError] = []
    names = set(spec.column_names)
    if "school_local_id" in names and spec.name not in ("schools", "educators"):
        errors += _quarantine(spec, _unknown("school", staged), "school_local_id", "unknown_school")
        if scope_schools is not None:
            errors += _quarantine(
                spec, "NOT (s.school_local_id = ANY(%s))", "school_local_id", "school_outside_scope", [scope_schools]
            )
    if spec.name == "educators":
        errors += _null_field(spec, "school_local_id", _unknown("school", staged), "unknown_school")
    if STUDENT_REF in spec.columns and spec.name != "students":
        errors += _quarantine(spec, _unknown("student", staged), "local_id", "unknown_student")
    if spec.name == "students":
        errors += _null_field(
            spec, "counselor", _unknown("educator", staged).replace("s.email", "s.counselor"), "unknown_educator"
        )
        errors += _null_field(
            spec,
            "state_id",
            f"EXISTS (SELECT 1 FROM {staging_table('students')} o WHERE o.state_id = s.state_id "
            "AND o.row_number < s.row_number)",
            "duplicate_state_id",
        )
    if spec.name == "educator_section_assignments":
        errors += _quarantine(spec, _unknown("educator", staged), "email", "unknown_educator")
    if spec.name in ("student_section_assignments", "educator_section_assignments"):
        errors += _quarantine(spec, _unknown("section", staged), "section_number", "unknown_section")
    if spec.name == "accommodations":
        plans = staging_table("programs") if "programs" in staged else None
        condition = (
            f"NOT EXISTS (SELECT 1 FROM {plans} p WHERE p.plan_source_id = s.plan_source_id "
            "AND p.local_id = s.local_id AND p.program = 'section_504' AND NOT p.quarantined)"
            if plans
            else "true"
        )
        errors += _quarantine(spec, condition, "plan_source_id", "unknown_plan")
    return errors
