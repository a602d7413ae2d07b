"""Every CSV export goes through insights.csv, which neutralizes spreadsheet formulas."""

import ast
import csv
import io
from decimal import Decimal

from django.conf import settings

from insights.csv import safe_cell, write_csv

ALLOWED = settings.BASE_DIR / "insights" / "csv.py"
# Files for machines, not people: the SIS package export writes the import format itself, which
# must read back exactly as written (an apostrophe before "-" would change the data on re-import);
# so must the district's exit export, whose tables the next system loads verbatim.
MACHINE_FORMATS = {
    settings.BASE_DIR / "students" / "sis" / "export.py",
    settings.BASE_DIR / "destruction" / "export.py",
    # OneRoster rows rewritten as Insights CSV text for the import's own reader, never for a person.
    settings.BASE_DIR / "students" / "sis" / "oneroster" / "translate.py",
}
WRITERS = {"writer", "DictWriter"}
# Tooling that never serves a file to a person: tests and benchmarks (which rewrite import packages).
SKIPPED_FOLDERS = {".venv", ".git", ".local", "node_modules", "staticfiles", "tests", "benchmarks", "migrations"}


def test_formula_cells_get_an_apostrophe_and_numbers_stay_numbers():
    cells = ["=2+5@evil.example", "+1", "-cmd", "@SUM(A1)", "\tx", "\r=1", "Reg Ed", None, -3, 2.5, Decimal("-1.5")]

    assert [safe_cell(cell) for cell in cells] == [
        "'=2+5@evil.example",
        "'+1",
        "'-cmd",
        "'@SUM(A1)",
        "'\tx",
        "'\r=1",
        "Reg Ed",
        "",
        -3,
        2.5,
        Decimal("-1.5"),
    ]
    assert safe_cell(True) == "True"


def test_the_writer_defuses_the_header_and_every_row():
    stream = io.StringIO()

    write_csv(stream, ["identity", "=count"], [["=2+5@evil.example", 3], ["alice@district.example", -1]])

    assert list(csv.reader(io.StringIO(stream.getvalue()))) == [
        ["identity", "'=count"],
        ["'=2+5@evil.example", "3"],
        ["alice@district.example", "-1"],
    ]


def python_files():
    for path in settings.BASE_DIR.rglob("*.py"):
        if not SKIPPED_FOLDERS & set(path.relative_to(settings.BASE_DIR).parts):
            yield path


def csv_writers(path) -> list[int]:
    """Lines where the file makes a writer of the standard csv module (csv.writer, from csv import DictWriter)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Attribute) and node.attr in WRITERS and ast.unparse(node.value) == "csv":
            lines.append(node.lineno)
        if isinstance(node, ast.ImportFrom) and node.module == "csv" and WRITERS & {a.name for a in node.names}:
            lines.append(node.lineno)
    return lines


def test_no_other_code_writes_csv_for_people_with_the_standard_library():
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{line}"
        for path in python_files()
        if path != ALLOWED and path not in MACHINE_FORMATS
        for line in csv_writers(path)
    ]

    assert offenders == [], "export CSV with insights.csv.write_csv, which neutralizes formulas"
    assert csv_writers(ALLOWED)  # the walk and the search do find a writer where there is one
    assert all(csv_writers(path) for path in MACHINE_FORMATS)  # each exception is still needed
