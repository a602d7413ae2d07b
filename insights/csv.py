"""The one CSV writer for every export: spreadsheet formulas in a cell are neutralized.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (OWASP's "CSV injection"): a typed sign-in identity such as
``=2+5@evil.example`` or a note would execute on the admin's computer. Such text cells get a
leading apostrophe, which spreadsheets show as text and never evaluate. Numbers stay numbers
(a negative count is not a formula). tests/test_csv.py checks that no other code writes CSV.
"""

import csv
import decimal
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as a CSV cell a spreadsheet shows and never runs: None is empty, text is defused."""
    if value is None:
        return ""
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_csv(stream, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    """Write a header row and the rows to ``stream`` (a file, an HttpResponse, a command's stdout)."""
    writer = csv.writer(stream)
    writer.writerow([safe_cell(column) for column in columns])
    writer.writerows([safe_cell(value) for value in row] for row in rows)


def csv_attachment(filename: str) -> HttpResponse:
    """An empty CSV download response named ``filename``, for ``write_csv`` to fill."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
