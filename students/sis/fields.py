"""Typing a file's raw text in SQL: each field checked against its column, each row against its file's rules.

The raw table (rawcopy.py) holds the file's text as it was; one INSERT … SELECT turns it into the
typed staging table, so the per-field work runs inside PostgreSQL instead of once per value in
Python. A field that does not fit its column is an error naming its row, column and a code (never
the value): a bad optional field becomes null (or its column's default), a bad required field
quarantines the row (it keeps only its key), and a row without its required key is dropped.
The rules are the format's (docs/import-format.md): null markers, trimmed whitespace, dates
YYYY-MM-DD, times HH:MM[:SS], the listed codes and ranges.

The statement is built from the format's definition (format.py) and code only; every value it
compares with (choices, aliases, today, the window) travels as a parameter.
"""

import json
import sys

from students.sis.format import FALSE_WORDS, NULL_MARKERS, TRUE_WORDS, Column, FileSpec
from students.sis.sql import fetch

# Whitespace as Python's str.strip() and the regex \s know it, for PostgreSQL's btrim and patterns.
WHITESPACE = "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())
EMAIL_PATTERN_SQL = f"^[^@{WHITESPACE}]+@[^@{WHITESPACE}]+\\.[^@{WHITESPACE}]+$"
TIME_PATTERN = "^([01][0-9]|2[0-3])(:?[0-5][0-9](:?[0-5][0-9]([.,][0-9]{1,6})?)?)?$"
INT_PATTERN = "^-?[0-9]{1,9}$"
DECIMAL_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,4})?$"
PARSE_CODES = {
    "text": None,
    "email": "bad_email",
    "enum": "unknown_code",
    "date": "bad_date",
    "time": "bad_time",
    "bool": "bad_boolean",
    "int": "bad_number",
    "decimal": "bad_number",
}


class _Statement:
    """Collects the parameters of the typing statement under generated names."""

    def __init__(self):
        self.params: dict = {"ws": WHITESPACE}

    def param(self, value, cast: str = "") -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s{cast}"


def _date_from(x: str) -> str:
    """A date from text written YYYY-MM-DD, or NULL for another shape or an impossible date (2025-02-30).

    Day 1 to 28 of month 1 to 12 of a year past 0 is in every calendar month: such text (most dates)
    is cast as it is, tested as text in the C collation; only the rest is checked against the calendar.
    """
    year, month, day = (f"substr({x}, {start}, {length})::int" for start, length in ((1, 4), (6, 2), (9, 2)))
    leap = f"(mod({year}, 4) = 0 AND (mod({year}, 100) <> 0 OR mod({year}, 400) = 0))"
    days = (
        f"CASE {month} WHEN 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
        f"WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30 ELSE 31 END"
    )
    month_text, day_text = (f'substr({x}, {start}, 2) COLLATE "C"' for start in (6, 9))
    in_every_month = f"{month_text} BETWEEN '01' AND '12' AND {day_text} BETWEEN '01' AND '28'"
    in_every_month += f" AND left({x}, 4) <> '0000'"
    # translate() is the cheap test of the shape (every ASCII digit made 0).
    return (
        f"CASE WHEN translate({x}, '123456789', '000000000') = '0000-00-00' THEN "
        f"CASE WHEN {in_every_month} THEN {x}::date "
        f"WHEN {year} >= 1 AND {month} BETWEEN 1 AND 12 AND {day} BETWEEN 1 AND {days} "
        f"THEN make_date({year}, {month}, {day}) END END"
    )


def _time_from(x: str) -> str:
    """A time from text written HH[[:]MM[[:]SS[.ffffff]]], or NULL; plain HH:MM:SS is cast without the pattern."""
    digits = f"replace(replace({x}, ':', ''), ',', '.')"
    hours, minutes, seconds = (
        f'substr({x}, {start}, {length}) COLLATE "C"' for start, length in ((1, 2), (4, 1), (7, 1))
    )
    plain = (
        f"translate({x}, '123456789', '000000000') = '00:00:00' "
        f"AND {hours} <= '23' AND {minutes} <= '5' AND {seconds} <= '5'"
    )
    return (
        f"CASE WHEN {plain} THEN {x}::time "
        f"WHEN {x} ~ '{TIME_PATTERN}' THEN make_time(substr({digits}, 1, 2)::int, "
        f"coalesce(nullif(substr({digits}, 3, 2), '')::int, 0), coalesce(nullif(substr({digits}, 5), '')::float8, 0)) "
        "END"
    )


def _parsed(column: Column, x: str, statement: _Statement) -> str:
    """The column's value from trimmed, non-null text ``x``; NULL when it does not parse as its kind."""
    kind = column.kind
    if kind == "text":
        return x
    if kind == "email":
        return f"CASE WHEN char_length({x}) <= 254 AND {x} ~ {statement.param(EMAIL_PATTERN_SQL)} THEN lower({x}) END"
    if kind == "enum":
        aliases = statement.param(json.dumps(column.aliases), "::jsonb")
        mapped = f"coalesce({aliases} ->> {x}, {aliases} ->> upper({x}), {x})"
        return f"CASE WHEN {mapped} = ANY({statement.param(list(column.choices), '::text[]')}) THEN {mapped} END"
    if kind == "date":
        return _date_from(x)
    if kind == "time":
        return _time_from(x)
    if kind == "bool":
        true_words = statement.param(sorted(TRUE_WORDS), "::text[]")
        false_words = statement.param(sorted(FALSE_WORDS), "::text[]")
        # t and f (what PostgreSQL and most exports write) are recognised before any lowercasing.
        return (
            f"CASE {x} WHEN 't' THEN true WHEN 'f' THEN false ELSE CASE WHEN lower({x}) = ANY({true_words}) "
            f"THEN true WHEN lower({x}) = ANY({false_words}) THEN false END END"
        )
    if kind == "int":
        digits_only = f"char_length({x}) BETWEEN 1 AND 9 AND translate({x}, '0123456789', '') = ''"
        return f"CASE WHEN {digits_only} OR {x} ~ '{INT_PATTERN}' THEN {x}::int END"
    if kind == "decimal":
        return f"CASE WHEN {x} ~ '{DECIMAL_PATTERN}' THEN {x}::numeric END"
    raise ValueError(f"unknown column kind {kind}")


def _rejected(column: Column, p: str, statement: _Statement, today_param: str) -> list[tuple[str, str]]:
    """(condition on the parsed value ``p``, code) checks after parsing: length, future dates, ranges."""
    checks = []
    if column.kind == "text":
        checks.append((f"char_length({p}) > {int(column.max_length)}", "too_long"))
    if column.not_future:
        checks.append((f"{p} > {today_param}", "future_date"))
    if column.minimum is not None or column.maximum is not None:
        bounds = []
        if column.minimum is not None:
            bounds.append(f"{p} < {statement.param(column.minimum, '::' + column.sql_type)}")
        if column.maximum is not None:
            bounds.append(f"{p} > {statement.param(column.maximum, '::' + column.sql_type)}")
        checks.append((" OR ".join(bounds), "out_of_range"))
    return checks


def _trimmed(raw: str, statement: _Statement) -> str:
    """The field's text without surrounding whitespace; NULL for a null marker."""
    # Text starting and ending with printable ASCII has no surrounding whitespace: no need to trim it.
    edges = f"ascii({raw}) BETWEEN 33 AND 126 AND ascii(right({raw}, 1)) BETWEEN 33 AND 126"
    text = f"CASE WHEN {edges} THEN {raw} ELSE btrim({raw}, %(ws)s) END"
    for marker in sorted(NULL_MARKERS):
        text = f"nullif({text}, {statement.param(marker)})"
    return text


def _error_code(column: Column, x: str, n: str, p: str, statement: _Statement, today_param: str) -> str:
    """The field's error code, or NULL: from its trimmed text ``x``, NUL flag ``n`` and parsed value ``p``."""
    code = f"CASE WHEN {n} THEN 'nul_byte' WHEN {x} IS NULL THEN "
    code += "'missing_required'" if column.required else "NULL"
    if PARSE_CODES[column.kind]:
        code += f" WHEN {p} IS NULL THEN '{PARSE_CODES[column.kind]}'"
    for condition, rejected in _rejected(column, p, statement, today_param):
        code += f" WHEN {condition} THEN '{rejected}'"
    return code + " END"


def _default(column: Column, statement: _Statement) -> str:
    if column.default is None:
        return "NULL"
    return statement.param(column.default, "::" + column.sql_type)


def _levels(levels: list[str], source: str) -> str:
    """Nest SELECT lists innermost first; OFFSET 0 keeps each a level of its own (computed once per row)."""
    query = source
    for depth, columns in enumerate(levels):
        query = f"SELECT {columns} FROM ({query} OFFSET 0) l{depth}" if depth else f"SELECT {columns} FROM {query}"
    return query


def _prechecked(column: Column, x: str) -> str:
    """The column's value from a field COPYed in its strict form (strict.py): already typed, or text as it is."""
    if column.kind == "email":
        return f"CASE WHEN char_length({x}) <= 254 THEN {x} END"
    return x


def typing_statement(
    spec: FileSpec, positions: list[int | None], *, raw: str, staged: str, today, window, lookups=(), strict=False
):
    """The INSERT that fills ``staged`` from ``raw`` (row_number, nul, f0, f1, …); returns (sql, params).

    ``positions`` holds, per column of the spec, its position in the file's header (None: absent).
    ``lookups`` fill more columns in the same statement from tables keyed by a typed column's value:
    (table, its key column, the typed column, ((staged column, expression on the table's row ``{m}``), …)).
    ``strict``: ``raw`` was COPYed in the strict form, its fields already what parsing would make
    of them (without NUL bytes); only the checks after parsing remain.
    """
    statement = _Statement()
    today_param = statement.param(today, "::date")
    columns = list(zip(spec.columns, [f"c{index}" for index in range(len(spec.columns))], strict=True))
    trimmed, parsed, coded, typed = ["row_number"], ["row_number"], ["row_number"], []
    for (column, name), position in zip(columns, positions, strict=True):
        if position is None:
            trimmed.append(f"NULL::{column.sql_type if strict else 'text'} AS x_{name}, false AS n_{name}")
        elif strict:  # the empty string is a quoted empty field: a missing value, as the careful path reads it
            text = f"r.f{position}" if column.sql_type != "text" else f"nullif(r.f{position}, '')"
            trimmed.append(f"{text} AS x_{name}, false AS n_{name}")
        else:
            text = _trimmed(f"r.f{position}", statement)
            trimmed.append(f"{text} AS x_{name}, (r.nul IS NOT NULL AND {position} = ANY(r.nul)) AS n_{name}")
        if strict:  # nothing left to parse: the checks read the value itself, one level fewer
            value = _prechecked(column, f"x_{name}")
            code = _error_code(column, f"x_{name}", f"n_{name}", value, statement, today_param)
            coded.append(f"x_{name}, {value} AS p_{name}, {code} AS e_{name}")
        else:
            parsed.append(f"x_{name}, n_{name}, {_parsed(column, f'x_{name}', statement)} AS p_{name}")
            code = _error_code(column, f"x_{name}", f"n_{name}", f"p_{name}", statement, today_param)
            coded.append(f"x_{name}, p_{name}, {code} AS e_{name}")
        typed.append(
            f"CASE WHEN e_{name} IS NOT NULL THEN NULL WHEN x_{name} IS NULL THEN {_default(column, statement)} "
            f"ELSE p_{name} END AS v_{name}"
        )
    errors = ", ".join(f"'{column.name}:' || e_{name}" for column, name in columns)
    clean = " AND ".join(f"e_{name} IS NULL" for column, name in columns)
    fatal_fields = " OR ".join(f"e_{name} IS NOT NULL" for column, name in columns if column.required) or "false"
    # Most rows have no error: their error list is NULL without building an array.
    errors = f"CASE WHEN {clean} THEN NULL ELSE array_remove(ARRAY[{errors}], NULL) END AS errors"
    typed = ["row_number", *typed, errors, f"({fatal_fields}) AS bad"]
    by_name = {column.name: f"v_{name}" for column, name in columns}
    check, fatal, nulled = row_check(spec.name, by_name, statement, window)
    checked = f"*, {check} AS checked"
    quarantined = f"(bad OR (checked IS NOT NULL AND {fatal}))"
    final = []
    for column, name in columns:
        value = f"v_{name}"
        if column.name == nulled:
            value = f"CASE WHEN checked IS NOT NULL THEN NULL ELSE {value} END"
        if column.name not in spec.key:
            value = f"CASE WHEN {quarantined} THEN NULL ELSE {value} END"
        final.append(f"{value}::{column.sql_type} AS {column.name}")
    all_errors = "CASE WHEN checked IS NULL THEN errors ELSE coalesce(errors, '{}') || checked END"
    final_list = f"row_number, {quarantined} AS quarantined, {all_errors} AS errors, {', '.join(final)}"
    per_field = (trimmed, coded, typed) if strict else (trimmed, parsed, coded, typed)
    query = _levels([", ".join(level) for level in per_field] + [checked, final_list], f"{raw} r")
    targets, looked_up, joins = [], [], []
    for index, (table, key, column, filled) in enumerate(lookups):
        alias = f"m{index}"
        joins.append(f"LEFT JOIN {table} {alias} ON {alias}.{key} = q.{column}")
        for name, expression in filled:
            targets.append(name)
            looked_up.append(expression.format(m=alias))
    if lookups:
        query = f"SELECT q.*, {', '.join(looked_up)} FROM ({query}) q {' '.join(joins)}"
    names = ", ".join([*spec.column_names, *targets])
    sql = f"INSERT INTO {staged} (row_number, quarantined, errors, {names}) {query}"
    return sql, statement.params


def field_errors(column: Column, texts: list[str], *, today) -> list[str | None]:
    """Each text's error code under ``column`` by the typing statement's own rules (None: it fits).

    For a reader that checks a field before it translates it, so that the error names the reader's
    file and column (OneRoster's birth dates, read from demographics.csv into students.csv).
    """
    if not texts:
        return []
    statement = _Statement()
    today_param = statement.param(today, "::date")
    # PostgreSQL text holds no NUL character: the flag travels beside the text, as rawcopy.py stages it.
    fields = statement.param([text.replace("\x00", "") for text in texts], "::text[]")
    nul = statement.param(["\x00" in text for text in texts], "::boolean[]")
    levels = [
        f"i, {_trimmed('r.f', statement)} AS x, r.nul AS n",
        f"i, x, n, {_parsed(column, 'x', statement)} AS p",
        f"i, {_error_code(column, 'x', 'n', 'p', statement, today_param)} AS e",
    ]
    query = _levels(levels, f"unnest({fields}, {nul}) WITH ORDINALITY AS r(f, nul, i)")
    return [code for (code,) in fetch(f"SELECT e FROM ({query}) checked ORDER BY i", statement.params)]


# --- checks across the fields of one row ---------------------------------------------------------


def row_check(file_name: str, v: dict[str, str], statement: _Statement, window) -> tuple[str, str, str | None]:
    """(expression giving 'column:code' or NULL, whether a failure quarantines the row, column it nulls instead)."""
    if file_name == "students":
        failed = f"{v['date_of_birth']} > {v['registration_date']}"
        return f"CASE WHEN {failed} THEN 'date_of_birth:birth_after_registration' END", "false", "date_of_birth"
    if file_name in ("attendance", "discipline_incidents"):
        day = v["event_date" if file_name == "attendance" else "incident_date"]
        if window is None:
            return "NULL::text", "true", None
        start, end = statement.param(window[0], "::date"), statement.param(window[1], "::date")
        column = "event_date" if file_name == "attendance" else "incident_date"
        return f"CASE WHEN NOT {day} BETWEEN {start} AND {end} THEN '{column}:outside_window' END", "true", None
    if file_name == "programs":
        return f"CASE WHEN {v['end_date']} < {v['begin_date']} THEN 'end_date:end_before_begin' END", "true", None
    return "NULL::text", "true", None


def split_error(entry: str) -> tuple[str, str]:
    column, _, code = entry.partition(":")
    return column, code
