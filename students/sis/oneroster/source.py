"""Reading one OneRoster file of a stored package: its header by the spec's rules, then rows as a stream.

The spec's CSV rules are checked before anything is staged: a BOM is tolerated, header names are
case-sensitive, unique and in the spec's order (extension columns may follow and are ignored).
Rows are then read one at a time: Excel's trailing empty rows are skipped, a row with the wrong
number of fields is a row error, and in a bulk file a ``tobedeleted`` (or 1.0 ``inactive``) row
is left out of the snapshot — what a bulk file leaves out is flagged missing, never deleted.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass

from students.sis.oneroster.spec import STATUSES, OneRosterFile
from students.sis.reader import PackageError, RowError, csv_rows

EXTENSION_PREFIX = "metadata."
MISREAD_BOM = "\ufeff".encode().decode("cp1252")


@dataclass
class SourceRow:
    line: int
    values: dict[str, str]  # the spec's column name -> the field, stripped

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def list(self, column: str) -> list[str]:
        """A list field (orgSourcedIds, grades, termSourcedIds): comma-separated inside one field."""
        return [part.strip() for part in self.values[column].split(",") if part.strip()]


class SourceFile:
    """One OneRoster file: ``check_header`` raises PackageError, ``rows`` yields SourceRow."""

    def __init__(self, spec: OneRosterFile, stored, encoding: str):
        self.spec = spec
        self.stored = stored
        self.encoding = encoding
        self.positions: dict[str, int] = {}
        self.width = 0
        self.data_rows = 0

    def check_header(self, warnings: list[str]) -> None:
        name = self.spec.filename
        try:
            header = next(csv_rows(self.stored, self.encoding), None)
        except csv.Error:
            raise PackageError(f"{name}: the header line is not valid CSV.") from None
        if not header or not any(field.strip() for field in header):
            raise PackageError(f"{name} is empty: it has no header line.")
        # A UTF-8 BOM in a file that is otherwise Windows-1252 reads as "ï»¿": still a BOM.
        header[0] = header[0].removeprefix("\ufeff").removeprefix(MISREAD_BOM)
        aliases = dict(self.spec.aliases)
        names = [aliases.get(field.strip(), field.strip()) for field in header]
        if "" in names:
            raise PackageError(f"{name}: column {names.index('') + 1} of the header has no name.")
        duplicated = sorted({column for column in names if names.count(column) > 1})
        if duplicated:
            # Only the spec's names are repeated back: a file without a header would show a row's values.
            named = [column for column in duplicated if column in self.spec.columns] or ["a column name"]
            raise PackageError(f"{name}: {', '.join(named)} appears more than once in the header.")
        for column in self.spec.columns:
            if column in names:
                continue
            miscased = next((found for found in names if found.lower() == column.lower()), None)
            if miscased:
                raise PackageError(
                    f"{name}: column {miscased} must be spelled {column} (OneRoster headers are case-sensitive)."
                )
            raise PackageError(f"{name}: missing column {column} (OneRoster fixes every file's columns).")
        known = [column for column in names if column in self.spec.columns]
        if known != list(self.spec.columns):
            first_wrong = next(a for a, b in zip(known, self.spec.columns, strict=True) if a != b)
            raise PackageError(f"{name}: column {first_wrong} is out of the order the OneRoster specification fixes.")
        ignored = [column for column in names if column not in self.spec.columns]
        shown = [column for column in ignored if not column.startswith(EXTENSION_PREFIX)]
        if shown:
            warnings.append(f"{name}: extension column {', '.join(shown)} ignored.")
        self.positions = {column: names.index(column) for column in self.spec.columns}
        self.width = len(names)

    def rows(self, errors: list[RowError], warnings: list[str] | None = None) -> Iterator[SourceRow]:
        """Every data row in the bulk snapshot; problems go to ``errors``, counts to ``warnings``."""
        name = self.spec.filename
        reader = csv_rows(self.stored, self.encoding)
        active = left_out = 0
        self.data_rows = 0
        try:
            next(reader)
            for raw in reader:
                line = reader.line_num
                if not any(field.strip() for field in raw):
                    continue  # blank lines and the empty rows Excel leaves at the end
                self.data_rows += 1
                if len(raw) != self.width:
                    errors.append(RowError(name, line, "", "wrong_field_count"))
                    continue
                values = {column: raw[position].strip() for column, position in self.positions.items()}
                status = values["status"]
                if status and status not in STATUSES:
                    errors.append(RowError(name, line, "status", "unknown_code"))
                    continue
                if status in ("tobedeleted", "inactive"):
                    errors.append(RowError(name, line, "status", "tobedeleted_in_bulk"))
                    left_out += 1
                    continue
                active += status == "active"
                if not values["sourcedId"]:
                    errors.append(RowError(name, line, "sourcedId", "missing_required"))
                    continue
                yield SourceRow(line, values)
        except csv.Error:
            raise PackageError(f"{name}: line {reader.line_num} is not valid CSV (an unclosed quote?).") from None
        if warnings is not None:
            if left_out:
                warnings.append(
                    f"{name}: {left_out} row(s) have status tobedeleted in a bulk file; they were left out of the "
                    "snapshot (what a bulk file leaves out is flagged missing, never deleted)."
                )
            if active:
                warnings.append(f"{name}: {active} row(s) have status active; bulk files leave status blank.")
