"""Every CSV export goes through insights.csv, which neutralizes spreadsheet formulas."""

import ast
import csv
import io
from decimal import Decimal

from django.conf import settings

from insights.csv import safe_cell, write_csv

ALLOWED = settings.BASE_DIR / "insights" / "csv.py"
SKIPPED_FOLDERS = {".venv", ".git", ".local", "node_modules", "staticfiles", "tests", "migrations"}


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


def test_no_other_code_writes_csv_with_the_standard_library():
    offenders = []
    for path in python_files():
        if path == ALLOWED:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            imported = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if "csv" in imported:
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")

    assert offenders == [], "export CSV with insights.csv.write_csv, which neutralizes formulas"
    assert any(path == ALLOWED for path in python_files())  # the walk does see the project's code
