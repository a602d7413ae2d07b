"""A file in its strict form is COPYed into typed columns; it stages exactly as the careful path stages it.

The careful path (text COPY, then every field parsed in SQL) defines what a file means. The strict
path skips the parsing for files whose every field is already in the one spelling both readings
share, and gives way to the careful path on any other file or any COPY error. These tests hold it
to that: on any mix of spellings the staged rows and the row errors (file, row, column, code) are
the careful path's, whichever path was taken.
"""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from students.sis import rawcopy, staging
from students.sis.format import FILE_BY_NAME, Column, FileSpec, date, enum, text
from students.sis.sql import execute, fetch
from students.sis.strict import StrictForm, line_pattern
from tests.sis.test_raw_staging import checked_file

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)

SPEC = FileSpec(
    "probe",
    (
        text("key", 4, required=True),
        text("label", 6),
        text("note", 6, default=""),
        enum("kind", ("alpha", "beta", "KF"), aliases={"A": "alpha", "KG": "KF"}, default=""),
        date("day", not_future=True),
        Column("at", "time"),
        Column("flag", "bool", default=False),
        Column("count", "int", minimum=1, maximum=99),
        Column("score", "decimal", minimum=Decimal(0), maximum=Decimal(100)),
        Column("email", "email"),
    ),
    key=("key",),
    missing="kept",
)
HEADER = list(SPEC.column_names)
# Per column: spellings in the strict form, then spellings only the careful path reads (or refuses).
SPELLINGS = {
    "key": (["k1", "k2", "k1", "kkkkk"], ["", '""', " k3", '"k4"', "NULL"]),
    "label": (
        ["abc", "", '""', '"a,b"', '"say ""hi"""', "José", "日本", "abcdefg"],
        [" x", "x ", "NULL", '"NULL"', "\\N", "\u00a0x", "x\u2003", '"  "'],
    ),
    "note": (["n", "", '""', "Zoë"], ["NULL", " n"]),
    "kind": (["alpha", "beta", "KF", "", '""'], ["A", "KG", "kf", "ALPHA", "gamma", " beta"]),
    "day": (
        ["2025-01-31", "2024-02-29", "2030-01-01", "", "1999-12-31"],
        ["2025-02-30", "2025-02-29", "2025-1-1", " 2025-01-01", "0000-01-01", "20250101", '""', '"2025-01-01"'],
    ),
    "at": (["10:00:00", "10:00", "23:59:59", ""], ["24:00", "9:00", "10:60", "10:00:00.5", "1000", '""']),
    "flag": (["t", "f", "true", "false", "1", "0", ""], ["TRUE", "yes", "x", "on", " t"]),
    "count": (["5", "0", "100", "-3", "007", ""], ["1234567890", "+5", "abc", "5.0", '""']),
    "score": (["62.50", "101", "-0.0", "0", ""], ["1.", ".5", "1e2", "+1", '""']),
    "email": (["a@b.example", "", '""', "o'neil@x.example"], ["A@B.example", "nope", "a@b.example ", "a@@b.example"]),
}


def stage(content: bytes, chunk_size: int, *, strict: bool, monkeypatch) -> tuple[bool, list[tuple], list[tuple]]:
    """(whether the strict path was taken, staged rows, row errors) of staging ``content`` as SPEC."""
    checked = checked_file(content, chunk_size)
    checked.spec, checked.header = SPEC, HEADER
    taken = []

    def copy(*args, **kwargs):
        kwargs["strict"] = strict
        taken.append(rawcopy.copy_raw(*args, **kwargs))
        return taken[-1]

    monkeypatch.setattr(staging, "copy_raw", copy)
    execute("DROP TABLE IF EXISTS sis_stg_probe")
    staging.create_tables([checked])
    errors = []
    staging.stage_file(checked, today=TODAY, window=None, errors=errors, on_bytes=None)
    rows = fetch(f"SELECT row_number, quarantined, errors, {', '.join(HEADER)} FROM sis_stg_probe ORDER BY row_number")
    return taken[0], rows, [(e.file, e.row_number, e.column, e.code) for e in errors]


def file_of(rows: list[list[str]], newline: str = "\n") -> bytes:
    return (newline.join([",".join(HEADER), *(",".join(row) for row in rows)]) + newline).encode()


def strict_row(index: int = 0) -> list[str]:
    return [SPELLINGS[name][0][index % len(SPELLINGS[name][0])] for name in HEADER]


def test_a_strict_file_takes_the_strict_path_and_stages_as_the_careful_path(monkeypatch):
    content = file_of([strict_row(index) for index in range(8)], newline="\r\n")
    taken, rows, errors = stage(content, 11, strict=True, monkeypatch=monkeypatch)
    assert taken is True
    assert (False, rows, errors) == stage(content, 11, strict=False, monkeypatch=monkeypatch)
    first = (2, False, None, "k1", "abc", "n", "alpha", datetime.date(2025, 1, 31), datetime.time(10, 0), True, 5)
    assert rows[0] == (*first, Decimal("62.50"), "a@b.example")
    # Too long, future, out of range: checked after COPY, with the careful path's codes.
    assert ("probe.csv", 5, "key", "too_long") in errors
    assert ("probe.csv", 4, "day", "future_date") in errors
    assert ("probe.csv", 3, "count", "out_of_range") in errors


@pytest.mark.parametrize(
    ("column", "spelling", "code"),
    [
        ("day", "2025-02-30", "bad_date"),  # the strict form's shape; COPY refuses the day
        ("day", " 2025-01-01", None),  # trimmed by the careful path, kept by COPY
        ("label", "NULL", None),  # a null marker
        ("kind", "A", None),  # an alias
        ("flag", "TRUE", None),
        ("count", "1234567890", "bad_number"),
    ],
)
def test_any_other_file_gives_way_to_the_careful_path_with_its_row_errors(column, spelling, code, monkeypatch):
    rows = [strict_row(index) for index in range(30)]
    rows[-1][HEADER.index(column)] = spelling  # in the last piece read, after others were COPYed
    content = file_of(rows)
    taken, staged, errors = stage(content, 13, strict=True, monkeypatch=monkeypatch)
    assert taken is False
    assert (False, staged, errors) == stage(content, 13, strict=False, monkeypatch=monkeypatch)
    numbers = [row[0] for row in staged]
    assert len(numbers) == len(set(numbers)) and numbers[-1] == 31  # every row once: the failed attempt left nothing
    if code:
        assert ("probe.csv", 31, column, code) in errors


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(*(st.sampled_from(SPELLINGS[name][0] + SPELLINGS[name][1]) for name in HEADER)),
        min_size=1,
        max_size=6,
    ),
    strict_rows=st.lists(st.tuples(*(st.sampled_from(SPELLINGS[name][0]) for name in HEADER)), max_size=6),
    newline=st.sampled_from(["\n", "\r\n"]),
    chunk_size=st.integers(min_value=5, max_value=64),
)
def test_both_paths_give_the_same_rows_and_the_same_errors(rows, strict_rows, newline, chunk_size, monkeypatch):
    for content in (
        file_of([list(row) for row in rows], newline),
        file_of([list(row) for row in strict_rows], newline),
    ):
        taken, *staged = stage(content, chunk_size, strict=True, monkeypatch=monkeypatch)
        assert staged == list(stage(content, chunk_size, strict=False, monkeypatch=monkeypatch)[1:])
    assert taken is True  # strict spellings only: the strict path unless a date has no such day


@pytest.mark.parametrize("name", ["attendance", "assessments", "students", "discipline_incidents"])
def test_the_exported_files_spellings_are_strict(name):
    """What export_demo_sis writes (and the benchmark imports) is in the strict form."""
    spec = FILE_BY_NAME[name]
    lines = {
        "attendance": b'100032,S030,2023-09-05,absent,f,""\n100083,ASH,2023-09-05,tardy,t,Bus late\n',
        "assessments": (
            b'100002,ACCESS,"",2024-02-01,,381,"",,,"",5.8\n100001,STAR,Math,2025-09-15,10:00:00,,"",,85,"",\n'
        ),
        "students": (
            b'100000,1000000000,ASH,Aisha,Rahman,2021-01-03,,N,KF,Active,K-101,staff01281@demo.insights.example,"",'
            b'Bengali,Asian,,Not Eligible,Reg Ed,"","","","",Fluent,,617-555-2792,nia.rahman@family.example,'
            b'"289 Holland St, Somerville, MA 02143",Nia Rahman\n'
        ),
        "discipline_incidents": b'D1,100001,ASH,2025-10-02,09:15,FIGHT,Classroom,"Pushed, then ""sorry"""\n',
    }[name]
    assert line_pattern(spec, list(spec.column_names)).fullmatch(lines)
    assert StrictForm(spec, list(spec.column_names)).fast_match(lines)  # and RE2 reads them so


ANY_SPELLING = sorted({spelling for name in HEADER for spelling in SPELLINGS[name][0] + SPELLINGS[name][1]})
TRICKY = list(' ,"\t\r\x01\x7f\\xNUL0-9:.@é\u00a0')


@settings(max_examples=400, deadline=None)
@given(
    lines=st.lists(
        st.lists(
            st.one_of(st.sampled_from(ANY_SPELLING), st.text(alphabet=st.sampled_from(TRICKY), max_size=6)),
            min_size=len(HEADER) - 1,
            max_size=len(HEADER) + 2,
        ),
        max_size=4,
    ),
    header=st.sampled_from([HEADER, [*HEADER, "unknown"]]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    trailing=st.booleans(),
)
def test_a_piece_the_fast_form_accepts_is_in_the_full_strict_form(lines, header, newline, trailing):
    piece = (newline.join(",".join(fields) for fields in lines) + (newline if trailing else "")).encode()
    form = StrictForm(SPEC, header)
    if form.fast_match(piece):
        assert form.full.fullmatch(piece)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(*(st.sampled_from([s for s in SPELLINGS[name][0] if s.isascii()]) for name in HEADER)), max_size=6
    ),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_ascii_strict_spellings_are_read_by_the_fast_form(rows, newline):
    content = file_of([list(row) for row in rows], newline)
    start = content.find(b"\n") + 1
    assert StrictForm(SPEC, HEADER).fast_match(content, start)


@pytest.mark.parametrize(("label", "strict"), [("José", True), ('"aNULLa"', True), ("NULL", False), ("\\N", False)])
def test_a_piece_with_text_past_ascii_or_a_null_marker_is_asked_of_the_full_form(label, strict):
    row = strict_row()
    row[HEADER.index("label")] = label
    content = file_of([strict_row(1), row])
    form = StrictForm(SPEC, HEADER)
    assert not form.fast_match(content, content.find(b"\n") + 1)
    assert form.matches(content, content.find(b"\n") + 1) is strict
