"""The fast COPY of a file's text reads every file exactly as the csv module does, or gives way to it.

The csv module (strict mode) defines how a package's files are read. PostgreSQL's COPY reads plain
files the same way much faster; these tests hold it to that: on any text, the raw rows, line
numbers, row errors and refusals are those of the csv module's reading.
"""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights.encryption import cipher
from students.sis import rawcopy
from students.sis.format import FileSpec, text
from students.sis.models import ImportFile, ImportFileChunk, ImportRun
from students.sis.reader import CheckedFile, PackageError
from students.sis.sql import fetch

pytestmark = pytest.mark.django_db

SPEC = FileSpec("probe", (text("h1"), text("h2"), text("h3")), key=("h1",), missing="kept")
HEADER = ["h1", "h2", "h3"]


def checked_file(content: bytes, chunk_size: int, encoding: str = "utf-8-sig") -> CheckedFile:
    """The content stored as an import file in chunks of ``chunk_size`` bytes (records cross chunks)."""
    run = ImportRun.objects.create()
    stored = ImportFile.objects.create(run=run, name="probe.csv", sha256="", size=len(content))
    for index, start in enumerate(range(0, len(content), chunk_size)):
        piece = content[start : start + chunk_size]
        ImportFileChunk.objects.create(file=stored, index=index, data=cipher().encrypt(piece))
    return CheckedFile(spec=SPEC, stored=stored, encoding=encoding, header=HEADER)


def raw_rows(table: str) -> list[tuple]:
    """Rows as the typing sees them (an unquoted empty field is NULL to COPY, '' to the csv module: both null)."""
    return fetch(
        f"SELECT row_number, nul, coalesce(f0, ''), coalesce(f1, ''), coalesce(f2, '') FROM {table} ORDER BY row_number"
    )


def read_fast(checked: CheckedFile):
    errors = []
    try:
        rawcopy.copy_raw(checked, "sis_raw_fast", errors)
    except PackageError as refused:
        return ("refused", str(refused))
    return raw_rows("sis_raw_fast"), errors


def read_with_csv_module(checked: CheckedFile):
    errors = []
    rawcopy.create_raw_table("sis_raw_reference", len(HEADER))
    try:
        rawcopy.copy_text_rows("sis_raw_reference", len(HEADER), rawcopy._csv_records(checked, errors, None))
    except PackageError as refused:
        return ("refused", str(refused))
    return raw_rows("sis_raw_reference"), errors


@pytest.mark.parametrize(
    "content",
    [
        b"h1,h2,h3\r\na,b,c\r\nd,e,f\r\n",
        b"h1,h2,h3\na,b,c\nd,e,f",  # no newline at the end
        b"\xef\xbb\xbfh1,h2,h3\na,,c\n",
        b'h1,h2,h3\n"a,1","say ""hi""",c\n"",x,"=HYPERLINK(""http://x.example"")"\n',
        b"h1,h2,h3\na,b,c\n\n\r\n",  # blank lines at the very end
        b"h1,h2,h3\n",
        "h1,h2,h3\nJosé,Zoë,日本\n".encode(),
    ],
)
def test_plain_files_take_the_fast_way_and_read_as_the_csv_module_reads_them(content, monkeypatch):
    expected = read_with_csv_module(checked_file(content, chunk_size=7))

    def refuse(*args, **kwargs):
        raise AssertionError("the csv module was used for a plain file")

    monkeypatch.setattr(rawcopy, "_csv_records", refuse)
    assert read_fast(checked_file(content, chunk_size=7)) == expected


def test_windows_1252_takes_the_fast_way_too(monkeypatch):
    content = "h1,h2,h3\nJosé,Müller,x\n".encode("cp1252")
    expected = read_with_csv_module(checked_file(content, chunk_size=5, encoding="cp1252"))
    monkeypatch.setattr(rawcopy, "_csv_records", None)
    assert read_fast(checked_file(content, chunk_size=5, encoding="cp1252")) == expected
    assert expected[0] == [(2, None, "José", "Müller", "x")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # A record over two lines: numbered by its last line, as the csv module counts.
        (b'h1,h2,h3\na,"two\nlines",c\nd,e,f\n', ([(3, None, "a", "two\nlines", "c"), (4, None, "d", "e", "f")], [])),
        # A short row is a row error; a blank line in the middle is skipped.
        (b"h1,h2,h3\na,b\n\nd,e,f\n", ([(4, None, "d", "e", "f")], [("probe.csv", 2, "", "wrong_field_count")])),
        # A NUL byte is flagged on its field (the typing makes it a nul_byte error) and never stored.
        (b"h1,h2,h3\nMa\x00ria,b,c\n", ([(2, [0], "", "b", "c")], [])),
        # A quote strict mode refuses after a closing quote: the file is refused, as before.
        (b'h1,h2,h3\n"a"x,b,c\n', ("refused", "probe.csv: line 2 is not valid CSV")),
        (b'h1,h2,h3\n"unclosed,b,c\n', ("refused", "probe.csv: line 2 is not valid CSV")),
        # An empty quoted field followed by text: refused by strict mode, though PostgreSQL would read "a".
        (b'h1,h2,h3\n,,""a\n', ("refused", "probe.csv: line 2 is not valid CSV")),
        # Quotes inside an unquoted field are text to the csv module; PostgreSQL would drop them.
        (b'h1,h2,h3\nx""y,b,c\n', ([(2, None, 'x""y', "b", "c")], [])),
    ],
)
def test_irregular_files_are_read_by_the_csv_module(content, expected):
    fast = read_fast(checked_file(content, chunk_size=6))
    assert fast == read_with_csv_module(checked_file(content, chunk_size=6))
    if expected[0] == "refused":
        assert fast[0] == "refused" and fast[1].startswith(expected[1])
    else:
        rows, errors = fast
        assert rows == expected[0]
        assert [(e.file, e.row_number, e.column, e.code) for e in errors] == expected[1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.text(alphabet=["a", "b", ",", '"', "\r", "\n", " ", "\x00", "é"], max_size=40),
    newline=st.sampled_from(["\n", "\r\n"]),
    chunk_size=st.integers(min_value=1, max_value=16),
)
def test_any_text_reads_as_the_csv_module_reads_it(body, newline, chunk_size):
    content = f"h1,h2,h3{newline}{body}".encode()
    assert read_fast(checked_file(content, chunk_size)) == read_with_csv_module(checked_file(content, chunk_size))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(st.text(alphabet=["a", ",", '"', " ", "\n", "é", "="], max_size=6), min_size=3, max_size=3)),
    newline=st.sampled_from(["\n", "\r\n"]),
    chunk_size=st.integers(min_value=1, max_value=16),
)
def test_files_a_csv_writer_wrote_read_as_the_csv_module_reads_them(rows, newline, chunk_size):
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([HEADER, *rows])
    content = out.getvalue().encode()
    assert read_fast(checked_file(content, chunk_size)) == read_with_csv_module(checked_file(content, chunk_size))
