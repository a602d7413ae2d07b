"""Reading a stored Insights CSV package: decoding and structure checks.

Structure is checked for every file before anything is staged (``check_structure``): each file
decodes (strict UTF-8, BOM tolerated, else Windows-1252, which is recorded as a warning), the
manifest is complete and names this district, every declared file is present with its required
columns. The rows themselves are staged as text (rawcopy.py) and typed in SQL (fields.py); a bad
field becomes a RowError naming file, row, column and code — never the value.
"""

import codecs
import csv
import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings

from students.sis.format import FILE_BY_FILENAME, FILE_BY_NAME, FORMAT_VERSION, MANIFEST_FILENAME, FileSpec
from students.sis.models import ImportFile

UTF8 = "utf-8-sig"
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
    """utf-8-sig when the whole file is strict UTF-8, else the fallback when it decodes, else an error.

    Receiving records a file found strict UTF-8 (``ImportFile.encoding``); only other files are read here.
    """
    if getattr(stored, "encoding", "") == UTF8:
        return UTF8
    for encoding in (UTF8, FALLBACK_ENCODING):
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
