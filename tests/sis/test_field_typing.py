"""Each kind of field typed in SQL as the format document says: its value, or the code of its error."""

import datetime
from decimal import Decimal

import pytest

from students.sis.fields import field_errors, typing_statement
from students.sis.format import FILE_BY_NAME, GRADE_ALIASES, Column, FileSpec, date, enum, text
from students.sis.rawcopy import copy_text_rows, create_raw_table
from students.sis.sql import execute, fetch

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


def typed(spec: FileSpec, rows: list[list[str]], window=None) -> list[tuple]:
    """Stage ``rows`` (one text per column) and return (row_number, quarantined, errors, *values) per row."""
    create_raw_table("probe_raw", len(spec.columns))
    copy_text_rows("probe_raw", len(spec.columns), ((index + 2, row) for index, row in enumerate(rows)))
    columns = ", ".join(f"{column.name} {column.sql_type}" for column in spec.columns)
    execute("DROP TABLE IF EXISTS probe_staged")
    execute(f"CREATE TEMP TABLE probe_staged (row_number int, quarantined boolean, errors text[], {columns})")
    positions = list(range(len(spec.columns)))
    sql, params = typing_statement(spec, positions, raw="probe_raw", staged="probe_staged", today=TODAY, window=window)
    execute(sql, params)
    names = ", ".join(spec.column_names)
    return fetch(f"SELECT row_number, quarantined, errors, {names} FROM probe_staged ORDER BY row_number")


def one_field(column: Column, raw: str):
    """(value, error codes) of one field typed alone."""
    [(_, _, errors, value)] = typed(FileSpec("probe", (column,), key=(), missing="kept"), [[raw]])
    return value, [entry.split(":", 1)[1] for entry in errors or []]


FIELDS = [
    (text("name", 5), "  abc \u00a0", "abc", []),
    (text("name", 5), "abc\u2003", "abc", []),  # printable start, whitespace only at the end
    (text("name", 5), "\u00e9t\u00e9 ", "\u00e9t\u00e9", []),  # a non-ASCII first letter is not taken for space
    (text("name", 5), "abcdef", None, ["too_long"]),
    (text("name", 5), "NULL", None, []),
    (text("name", 5), "\\N", None, []),
    (text("name", 5, default=""), "  ", "", []),
    (text("name", 5, required=True), "", None, ["missing_required"]),
    (text("name", 5), "Ma\x00ria", None, ["nul_byte"]),
    (Column("email", "email"), "Ms.Rivera@District.Example", "ms.rivera@district.example", []),
    (Column("email", "email"), "ms.rivera", None, ["bad_email"]),
    (Column("email", "email"), "ms rivera@district.example", None, ["bad_email"]),
    (Column("email", "email"), "ms\u2003rivera@district.example", None, ["bad_email"]),
    (enum("grade", ["KF", "1", "3"], aliases=GRADE_ALIASES), "KG", "KF", []),
    (enum("grade", ["KF", "1", "3"], aliases=GRADE_ALIASES), "kg", "KF", []),
    (enum("grade", ["KF", "1", "3"], aliases=GRADE_ALIASES), "03", "3", []),
    (enum("grade", ["KF", "1", "3"], aliases=GRADE_ALIASES), "13", None, ["unknown_code"]),
    (date("day", not_future=True), "2024-02-29", datetime.date(2024, 2, 29), []),
    (date("day", not_future=True), "2023-02-29", None, ["bad_date"]),
    (date("day", not_future=True), "2025-04-31", None, ["bad_date"]),
    (date("day", not_future=True), "2025-13-01", None, ["bad_date"]),
    (date("day", not_future=True), "0000-01-01", None, ["bad_date"]),
    (date("day", not_future=True), "01/02/2015", None, ["bad_date"]),
    (date("day", not_future=True), "2025-01-00", None, ["bad_date"]),
    (date("day", not_future=True), "2025-01-28", datetime.date(2025, 1, 28), []),
    (date("day", not_future=True), "2025-01-31", datetime.date(2025, 1, 31), []),
    (date("day", not_future=True), "2025-12-01", datetime.date(2025, 12, 1), []),
    (date("day", not_future=True), "0001-01-01", datetime.date(1, 1, 1), []),
    (date("day", not_future=True), "\uff12025-01-01", None, ["bad_date"]),  # a full-width digit is no digit
    (date("day", not_future=True), "2025-W01-1", None, ["bad_date"]),  # ISO, but not YYYY-MM-DD
    (date("day", not_future=True), "2026-06-16", None, ["future_date"]),
    (date("day"), "2999-01-01", datetime.date(2999, 1, 1), []),
    (Column("at", "time"), "07:30", datetime.time(7, 30), []),
    (Column("at", "time"), "07:30:15", datetime.time(7, 30, 15), []),
    (Column("at", "time"), "23:59:59.5", datetime.time(23, 59, 59, 500000), []),
    (Column("at", "time"), "7:30", None, ["bad_time"]),
    (Column("at", "time"), "24:00", None, ["bad_time"]),
    (Column("at", "time"), "23:59:59", datetime.time(23, 59, 59), []),
    (Column("at", "time"), "24:00:00", None, ["bad_time"]),
    (Column("at", "time"), "09:60:00", None, ["bad_time"]),
    (Column("at", "time"), "09:00:60", None, ["bad_time"]),
    (Column("at", "time"), "0930", datetime.time(9, 30), []),
    (Column("flag", "bool"), "Yes", True, []),
    (Column("flag", "bool"), "f", False, []),
    (Column("flag", "bool"), "T", True, []),
    (Column("flag", "bool"), "t", True, []),
    (Column("flag", "bool"), "maybe", None, ["bad_boolean"]),
    (Column("flag", "bool", default=False), "", False, []),
    (Column("n", "int", minimum=1, maximum=99), "42", 42, []),
    (Column("n", "int", minimum=1, maximum=99), "-5", None, ["out_of_range"]),
    (Column("n", "int", minimum=1, maximum=99), "4.2", None, ["bad_number"]),
    (Column("n", "int", minimum=1, maximum=99), "1234567890", None, ["bad_number"]),
    (Column("n", "int", minimum=1, maximum=99), "000000007", 7, []),
    (Column("n", "int", minimum=1, maximum=99), "\u0663", None, ["bad_number"]),  # an Arabic-Indic digit is no digit
    (Column("n", "int", minimum=1, maximum=99), "+5", None, ["bad_number"]),
    (Column("d", "decimal", minimum=0, maximum=100), "95.5", Decimal("95.5"), []),
    (Column("d", "decimal", minimum=0, maximum=100), ".5", Decimal("0.5"), []),
    (Column("d", "decimal", minimum=0, maximum=100), "1e2", Decimal("100"), []),
    (Column("d", "decimal", minimum=0, maximum=100), "1e3", None, ["out_of_range"]),
    (Column("d", "decimal", minimum=0, maximum=100), "NaN", None, ["bad_number"]),
]


@pytest.mark.parametrize(("column", "raw", "value", "codes"), FIELDS)
def test_each_kind_of_field(column, raw, value, codes):
    assert one_field(column, raw) == (value, codes)


@pytest.mark.parametrize(("column", "raw", "value", "codes"), FIELDS)
def test_a_field_checked_alone_gets_the_code_the_typing_statement_gives(column, raw, value, codes):
    assert field_errors(column, [raw], today=TODAY) == [codes[0] if codes else None]


def test_a_bad_required_field_quarantines_the_row_and_keeps_only_its_key():
    spec = FileSpec(
        "probe",
        (text("key", required=True), date("day", required=True), text("note", default="")),
        key=("key",),
        missing="kept",
    )
    rows = typed(spec, [["K1", "2025-02-30", "kept?"], ["K2", "2025-02-01", "fine"], ["", "2025-02-01", "x"]])
    assert rows == [
        (2, True, ["day:bad_date"], "K1", None, None),
        (3, False, None, "K2", datetime.date(2025, 2, 1), "fine"),
        (4, True, ["key:missing_required"], None, None, None),  # then dropped: it has no key
    ]


def test_events_outside_the_window_and_births_after_registration():
    attendance = FILE_BY_NAME["attendance"]
    window = (datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))
    rows = typed(
        attendance,
        [["S1", "ES1", "2026-05-04", "absent", "", ""], ["S1", "ES1", "2026-04-30", "tardy", "", ""]],
        window=window,
    )
    assert [(row[1], row[2]) for row in rows] == [(False, None), (True, ["event_date:outside_window"])]
    students = FILE_BY_NAME["students"]
    row = dict.fromkeys(students.column_names, "") | {
        "local_id": "S1",
        "school_local_id": "ES1",
        "first_name": "A",
        "last_name": "B",
        "grade": "3",
        "enrollment_status": "Active",
        "date_of_birth": "2023-01-01",
        "registration_date": "2022-09-01",
    }
    [staged] = typed(students, [[row[name] for name in students.column_names]])
    born = students.column_names.index("date_of_birth") + 3
    assert staged[1:3] == (False, ["date_of_birth:birth_after_registration"])
    assert staged[born] is None
