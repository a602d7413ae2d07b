"""Reading a stored Insights CSV package: decoding, structure checks, and typed rows as a stream.

Structure is checked for every file before anything is staged (``check_structure``): each file
decodes (strict UTF-8, BOM tolerated, else Windows-1252, which is recorded as a warning), the
manifest is complete and names this district, every declared file is present with its required
columns. Rows are then read one at a time (``typed_rows``), so memory stays flat whatever the
file size; a bad field becomes a RowError naming file, row, column and code — never the value.
"""

import codecs
import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings

from students.sis.format import FILE_BY_FILENAME, FILE_BY_NAME, FORMAT_VERSION, MANIFEST_FILENAME, FieldError, FileSpec
from students.sis.models import ImportFile

FALLBACK_ENCODING = "cp1252"
MAX_FIELD_CHARS = 100_000
csv.field_size_limit(MAX_FIELD_CHARS)


class PackageError(Exception):
    """The package as a whole cannot be imported; the message says why and names no student data."""


@dataclass(frozen=True)
class RowError:
    file: str
    row_number: int | None
    column: str
    code: str


@dataclass
class Manifest:
    district_key: str
    generated_at: str
    system_name: str
    scope_schools: list[str] | None  # None means every school
    files: dict[str, str]  # file name -> "bulk" | "absent"
    windows: dict[str, tuple[datetime.date, datetime.date]]
    format: str = f"insights-{FORMAT_VERSION}"

    def as_json(self) -> dict:
        return {
            "format": self.format,
            "district_key": self.district_key,
            "generated_at": self.generated_at,
            "system_name": self.system_name,
            "scope_schools": self.scope_schools if self.scope_schools is not None else "*",
            "files": self.files,
            "windows": {name: [start.isoformat(), end.isoformat()] for name, (start, end) in self.windows.items()},
        }


@dataclass
class CheckedFile:
    spec: FileSpec
    stored: ImportFile
    encoding: str
    header: list[str]


@dataclass
class CheckedPackage:
    manifest: Manifest
    files: list[CheckedFile]
    warnings: list[str] = field(default_factory=list)

    def file(self, name: str) -> CheckedFile | None:
        return next((checked for checked in self.files if checked.spec.name == name), None)

    def report(self, errors: list[RowError], file_rows: dict[str, int]) -> tuple[list[RowError], dict[str, int]]:
        """Row errors and row counts named as the package's own files name them (translated packages rename)."""
        return errors, file_rows


class ChunkStream(io.RawIOBase):
    """A readable stream over a stored file's decrypted chunks, counting the bytes handed out."""

    def __init__(self, stored: ImportFile, on_bytes=None):
        self._chunks = stored.iter_bytes()
        self._buffer = b""
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buffer = chunk
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        if self._on_bytes is not None:
            self._on_bytes(size)
        return size


def detect_encoding(stored: ImportFile) -> str:
    """utf-8-sig when the whole file is strict UTF-8, else the fallback when it decodes, else an error."""
    for encoding in ("utf-8-sig", FALLBACK_ENCODING):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            for chunk in stored.iter_bytes():
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise PackageError(f"{stored.name} is neither UTF-8 nor Windows-1252 text; export it as UTF-8.")


def csv_rows(stored, encoding: str, on_bytes=None):
    """A csv.reader over a stored file (anything with ``name`` and ``iter_bytes()``), decoded as it is read."""
    text = io.TextIOWrapper(io.BufferedReader(ChunkStream(stored, on_bytes)), encoding=encoding, newline="")
    return csv.reader(text, strict=True)


def _header(stored: ImportFile, encoding: str) -> list[str]:
    try:
        header = next(csv_rows(stored, encoding), None)
    except csv.Error:
        raise PackageError(f"{stored.name}: the header line is not valid CSV.") from None
    if not header or not any(name.strip() for name in header):
        raise PackageError(f"{stored.name} is empty: it has no header line.")
    return [name.strip().lower() for name in header]


def manifest_values(stored: ImportFile, encoding: str) -> dict[str, str]:
    """manifest.csv's properties (propertyName -> value), whichever format the package is in."""
    values: dict[str, str] = {}
    try:
        rows = list(csv_rows(stored, encoding))
    except csv.Error:
        raise PackageError("manifest.csv is not valid CSV.") from None
    if not rows or [name.strip() for name in rows[0][:2]] != ["propertyName", "value"]:
        raise PackageError("manifest.csv must start with the header propertyName,value.")
    for row in rows[1:]:
        if len(row) >= 2 and row[0].strip():
            values[row[0].strip()] = row[1].strip()
    return values


def _manifest(values: dict[str, str]) -> Manifest:
    version = values.get("insights.version")
    if version != FORMAT_VERSION:
        raise PackageError(f"manifest.csv: insights.version must be {FORMAT_VERSION}.")
    district_key = values.get("district.key", "")
    if district_key != settings.DISTRICT_KEY:
        raise PackageError(
            "This package is for another district: manifest.csv's district.key does not match this "
            "instance's DISTRICT_KEY."
        )
    generated_at = values.get("generated_at", "")
    try:
        datetime.datetime.fromisoformat(generated_at)
    except ValueError:
        raise PackageError("manifest.csv: generated_at must be a date or date-time (YYYY-MM-DD[THH:MM]).") from None
    scope = values.get("scope.schools", "").strip()
    if not scope:
        raise PackageError("manifest.csv: scope.schools must list school_local_ids (separated by ;) or be *.")
    files = {}
    for spec_name in FILE_BY_NAME:
        declared = values.get(f"file.{spec_name}", "absent")
        if declared not in ("bulk", "absent"):
            raise PackageError(f"manifest.csv: file.{spec_name} must be bulk or absent (deltas are not supported).")
        files[spec_name] = declared
    windows = {}
    for spec_name, spec in FILE_BY_NAME.items():
        if spec.window and files[spec_name] == "bulk":
            windows[spec_name] = manifest_window(values, spec_name)
    return Manifest(
        district_key=district_key,
        generated_at=generated_at,
        system_name=values.get("source.systemName", ""),
        scope_schools=None if scope == "*" else sorted({part.strip() for part in scope.split(";") if part.strip()}),
        files=files,
        windows=windows,
    )


def manifest_window(values: dict, name: str) -> tuple[datetime.date, datetime.date]:
    try:
        start = datetime.date.fromisoformat(values.get(f"window.{name}.start", ""))
        end = datetime.date.fromisoformat(values.get(f"window.{name}.end", ""))
    except ValueError:
        raise PackageError(f"manifest.csv: window.{name}.start and window.{name}.end must be dates.") from None
    if end < start:
        raise PackageError(f"manifest.csv: window.{name} ends before it starts.")
    return start, end


def check_file(spec: FileSpec, stored: ImportFile, encoding: str, warnings: list[str]) -> CheckedFile:
    """Check one Insights-format file's header against its spec; raises PackageError."""
    header = _header(stored, encoding)
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise PackageError(f"{spec.filename}: column {', '.join(duplicated)} appears more than once.")
    missing = [column for column in spec.required_columns if column not in header]
    if missing:
        raise PackageError(f"{spec.filename}: missing required column {', '.join(missing)}.")
    unknown = [name for name in header if name not in spec.column_names]
    if unknown:
        warnings.append(f"{spec.filename}: unknown column {', '.join(unknown)} ignored.")
    return CheckedFile(spec=spec, stored=stored, encoding=encoding, header=header)


def check_structure(stored_files: list[ImportFile]) -> CheckedPackage:
    """Decode every file and check the manifest and headers; raises PackageError, writes nothing."""
    by_name = {stored.name: stored for stored in stored_files}
    manifest_file = by_name.get(MANIFEST_FILENAME)
    if manifest_file is None:
        raise PackageError("The package has no manifest.csv.")
    warnings = []
    encodings = {}
    for stored in stored_files:
        encodings[stored.name] = detect_encoding(stored)
        if encodings[stored.name] == FALLBACK_ENCODING:
            warnings.append(f"{stored.name} is not UTF-8; it was read as Windows-1252.")
    manifest = _manifest(manifest_values(manifest_file, encodings[MANIFEST_FILENAME]))
    checked = []
    for name, declared in manifest.files.items():
        spec = FILE_BY_NAME[name]
        stored = by_name.get(spec.filename)
        if declared == "absent":
            if stored is not None:
                raise PackageError(f"{spec.filename} is in the package but manifest.csv declares it absent.")
            continue
        if stored is None:
            raise PackageError(f"manifest.csv declares {spec.filename} but the package does not contain it.")
        checked.append(check_file(spec, stored, encodings[stored.name], warnings))
    for stored in stored_files:
        if stored.name != MANIFEST_FILENAME and stored.name not in FILE_BY_FILENAME:
            warnings.append(f"{stored.name} is not part of the Insights format; ignored.")
    if not checked:
        raise PackageError("manifest.csv declares no file as bulk: there is nothing to import.")
    return CheckedPackage(manifest=manifest, files=checked, warnings=warnings)


@dataclass
class ParsedRow:
    """One data row: its line number, whether it may be applied, and its values in the spec's column order."""

    row_number: int
    quarantined: bool
    values: list


def typed_rows(
    checked: CheckedFile, *, today: datetime.date, window=None, errors: list[RowError], on_bytes=None
) -> Iterator[ParsedRow]:
    """Yield each data row typed; append its problems to ``errors``.

    A bad optional field becomes null; a bad required field quarantines the row (it is staged with
    its key only, so a readable key still counts as present); a row without a readable key is dropped.
    """
    spec = checked.spec
    positions = [checked.header.index(name) if name in checked.header else None for name in spec.column_names]
    key_positions = [spec.column_names.index(name) for name in spec.key]
    width = len(checked.header)
    reader = csv_rows(checked.stored, checked.encoding, on_bytes)
    try:
        next(reader)
        for raw in reader:
            row_number = reader.line_num
            if not raw or (len(raw) == 1 and not raw[0].strip()):
                continue
            if len(raw) != width:
                errors.append(RowError(spec.filename, row_number, "", "wrong_field_count"))
                continue
            values, quarantined = [], False
            for column, position in zip(spec.columns, positions, strict=True):
                try:
                    values.append(column.parse(raw[position] if position is not None else "", today=today))
                except FieldError as problem:
                    errors.append(RowError(spec.filename, row_number, column.name, problem.code))
                    values.append(None)
                    quarantined = quarantined or column.required
            for check in ROW_CHECKS.get(spec.name, ()):
                problem = check(dict(zip(spec.column_names, values, strict=True)), window)
                if problem:
                    column_name, code, fatal = problem
                    errors.append(RowError(spec.filename, row_number, column_name, code))
                    if fatal:
                        quarantined = True
                    else:
                        values[spec.column_names.index(column_name)] = None
            if any(values[position] is None for position in key_positions if spec.columns[position].required):
                continue
            if quarantined:
                values = [value if index in key_positions else None for index, value in enumerate(values)]
            yield ParsedRow(row_number, quarantined, values)
    except csv.Error:
        raise PackageError(
            f"{spec.filename}: line {reader.line_num} is not valid CSV (an unclosed quote or a field over "
            f"{MAX_FIELD_CHARS:,} characters)."
        ) from None


# --- checks across fields of one row: (column, code, fatal) or None --------------------------------


def _birth_before_registration(row, window):
    born, registered = row["date_of_birth"], row["registration_date"]
    if born and registered and born > registered:
        return ("date_of_birth", "birth_after_registration", False)
    return None


def _inside_window(date_column):
    def check(row, window):
        day = row[date_column]
        if window and day and not (window[0] <= day <= window[1]):
            return (date_column, "outside_window", True)
        return None

    return check


ASSESSMENT_SUBJECTS = {"MCAS": ("ELA", "Math"), "STAR": ("Reading", "Math"), "ACCESS": ("",)}
ASSESSMENT_REQUIRED = {"MCAS": (), "STAR": ("percentile_rank",), "ACCESS": ("proficiency_level",)}


def _assessment_family_fields(row, window):
    family = row["assessment_family"]
    if family is None:
        return None
    subjects = ASSESSMENT_SUBJECTS[family]
    if (row["assessment_subject"] or "") not in subjects:
        return ("assessment_subject", "missing_required" if not row["assessment_subject"] else "unknown_code", True)
    for column in ASSESSMENT_REQUIRED[family]:
        if row[column] is None:
            return (column, "missing_required", True)
    if family == "MCAS" and row["scale_score"] is not None and not 200 <= row["scale_score"] <= 560:
        return ("scale_score", "out_of_range", True)
    return None


def _end_after_begin(row, window):
    if row["begin_date"] and row["end_date"] and row["end_date"] < row["begin_date"]:
        return ("end_date", "end_before_begin", True)
    return None


ROW_CHECKS = {
    "students": (_birth_before_registration,),
    "attendance": (_inside_window("event_date"),),
    "discipline_incidents": (_inside_window("incident_date"),),
    "assessments": (_assessment_family_fields,),
    "programs": (_end_after_begin,),
}
