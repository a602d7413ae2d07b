"""Checking a OneRoster bulk package and turning it into a checked Insights package.

The manifest says which OneRoster version and files the package holds; delta files are refused
(naming the file) until delta imports exist, and the rostering files Insights needs must be
declared bulk. The package may also carry Insights-format files for what OneRoster lacks —
attendance, discipline incidents, assessments, programs, accommodations — declared in the same
manifest (``file.attendance=bulk`` and its ``window.attendance.start/end``). Everything is read
and checked here, before the run's transaction stages a single row.
"""

from dataclasses import dataclass, field

from django.conf import settings

from students.sis.format import FILE_BY_FILENAME, FILE_BY_NAME, MANIFEST_FILENAME
from students.sis.oneroster import spec as oneroster
from students.sis.oneroster.index import Index
from students.sis.oneroster.source import SourceFile
from students.sis.oneroster.translate import RELABEL, Translator
from students.sis.reader import (
    FALLBACK_ENCODING,
    CheckedFile,
    CheckedPackage,
    Manifest,
    PackageError,
    RowError,
    check_file,
    detect_encoding,
    manifest_window,
)

# What OneRoster does not carry, which a OneRoster package may add in the Insights format.
INSIGHTS_EXTRAS = ("attendance", "discipline_incidents", "assessments", "programs", "accommodations")
DECLARED = ("bulk", "absent", "delta", "")


def is_oneroster(values: dict[str, str]) -> bool:
    return "oneroster.version" in values


def _version(values: dict[str, str]) -> str:
    declared = values["oneroster.version"]
    version = next(
        (known for known in oneroster.VERSIONS if declared == known or declared.startswith(f"{known}.")), None
    )
    if version is None:
        raise PackageError("manifest.csv: oneroster.version must be 1.1 or 1.2.")
    if values.get("manifest.version", "") != "1.0":
        raise PackageError("manifest.csv: manifest.version must be 1.0 (the OneRoster manifest version).")
    return version


def _declarations(values: dict[str, str], version: str, warnings: list[str]) -> dict[str, str]:
    """file.<name> for every file the spec or the Insights extras know; refuses deltas by name."""
    known = {spec.name for spec in oneroster.READ[version]} | set(oneroster.NOT_READ[version]) | set(FILE_BY_NAME)
    declared = {}
    for key, value in values.items():
        if not key.startswith("file."):
            continue
        name = key.removeprefix("file.")
        if name not in known:
            warnings.append(f"manifest.csv: {key} is not a OneRoster {version} file; ignored.")
            continue
        if value not in DECLARED:
            raise PackageError(f"manifest.csv: {key} must be bulk, delta or absent.")
        if value == "delta":
            raise PackageError(
                f"{name}.csv is declared delta (manifest.csv: {key}=delta). Insights reads bulk OneRoster files "
                "only: export a bulk package."
            )
        declared[name] = value or "absent"
    return declared


def _district(values: dict[str, str], warnings: list[str]) -> None:
    district_key = values.get("district.key")
    if district_key is None:
        warnings.append(
            "manifest.csv names no district.key; add it so a package can never import into another district."
        )
    elif district_key != settings.DISTRICT_KEY:
        raise PackageError(
            "This package is for another district: manifest.csv's district.key does not match this "
            "instance's DISTRICT_KEY."
        )


@dataclass
class OneRosterPackage(CheckedPackage):
    """A checked package whose roster files are translated from OneRoster; errors name OneRoster's files."""

    version: str = ""
    source_errors: list[RowError] = field(default_factory=list)
    source_rows: dict[str, int] = field(default_factory=dict)
    relabel: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    def report(self, errors, file_rows):
        seen = {(error.file, error.row_number, error.column) for error in self.source_errors}
        renamed = []
        for error in errors:
            if error.file in self.relabel:
                source, columns = self.relabel[error.file]
                error = RowError(source, error.row_number, columns.get(error.column, columns.get("*", "")), error.code)
                if (error.file, error.row_number, error.column) in seen:
                    continue  # the translation already reported this field
            renamed.append(error)
        rows = {name: count for name, count in file_rows.items() if name not in self.relabel} | self.source_rows
        return [*self.source_errors, *renamed], rows


def check_oneroster(stored_files: list, values: dict[str, str]) -> OneRosterPackage:
    """Check a OneRoster package whole and index it; raises PackageError, writes nothing."""
    version = _version(values)
    warnings: list[str] = []
    _district(values, warnings)
    declared = _declarations(values, version, warnings)
    by_name = {stored.name: stored for stored in stored_files}
    encodings = {}
    for stored in stored_files:
        encodings[stored.name] = detect_encoding(stored)
        if encodings[stored.name] == FALLBACK_ENCODING:
            warnings.append(f"{stored.name} is not UTF-8; it was read as Windows-1252.")
    sources = {}
    for file_spec in oneroster.READ[version]:
        stored = by_name.get(file_spec.filename)
        state = declared.get(file_spec.name, "absent")
        if state == "absent":
            if stored is not None:
                raise PackageError(f"{file_spec.filename} is in the package but manifest.csv declares it absent.")
            if file_spec.name not in oneroster.OPTIONAL:
                needed = [spec.filename for spec in oneroster.READ[version] if spec.name not in oneroster.OPTIONAL]
                raise PackageError(
                    f"manifest.csv must declare {file_spec.filename} bulk: Insights needs {', '.join(needed)}."
                )
            continue
        if stored is None:
            raise PackageError(f"manifest.csv declares {file_spec.filename} but the package does not contain it.")
        sources[file_spec.name] = SourceFile(file_spec, stored, encodings[stored.name])
        sources[file_spec.name].check_header(warnings)
    extras = _insights_extras(declared, by_name, encodings, values, warnings)
    for name, state in declared.items():
        if name in oneroster.NOT_READ[version] and state == "bulk":
            warnings.append(f"{name}.csv is not used by Insights; ignored.")
    read = {source.stored.name for source in sources.values()} | {checked.stored.name for checked in extras}
    for stored in stored_files:
        if stored.name != MANIFEST_FILENAME and stored.name not in read:
            warnings.append(f"{stored.name} is not read by Insights; ignored.")
    index = _index(version, sources, warnings)
    translated = [
        CheckedFile(spec=file.spec, stored=file, encoding="utf-8", header=list(file.spec.column_names))
        for file in Translator(index, sources).files()
    ]
    return OneRosterPackage(
        manifest=_manifest(values, version, extras),
        files=[*translated, *extras],
        warnings=warnings,
        version=version,
        source_errors=index.errors,
        source_rows={source.stored.name: source.data_rows for source in sources.values()},
        relabel=_relabel(version, index),
    )


def _relabel(version: str, index: Index) -> dict[str, tuple[str, dict[str, str]]]:
    """RELABEL with this package's own column names filled in (the configured id, 1.1's or 1.2's org column)."""
    org_column = "orgSourcedIds" if version == "1.1" else "primaryOrgSourcedId"
    return {
        FILE_BY_NAME[name].filename: (
            f"{source}.csv",
            {
                column: target.replace("{id}", index.student_id_column).replace("{org}", org_column)
                for column, target in columns.items()
            },
        )
        for name, (source, columns) in RELABEL.items()
    }


def _index(version: str, sources: dict[str, SourceFile], warnings: list[str]) -> Index:
    index = Index(version=version, errors=[], warnings=warnings)
    index.read_orgs(sources["orgs"])
    index.read_sessions(sources["academicSessions"])
    index.read_courses(sources["courses"])
    index.read_classes(sources["classes"])
    if version == "1.2":
        index.read_roles(sources["roles"])
    index.read_users(sources["users"])
    if "demographics" in sources:
        index.read_demographics(sources["demographics"])
    index.read_homerooms(sources["enrollments"])
    for source in sources.values():
        if not source.data_rows and source.spec.name not in oneroster.OPTIONAL:
            raise PackageError(f"{source.spec.filename} has no data rows; a bulk file must list every record.")
        if not source.data_rows:
            warnings.append(f"{source.spec.filename} has a header and no rows; nothing was read from it.")
    return index


def _insights_extras(declared, by_name, encodings, values, warnings) -> list[CheckedFile]:
    checked = []
    for name in FILE_BY_NAME:
        if declared.get(name, "absent") != "bulk":
            continue
        spec = FILE_BY_NAME[name]
        if name not in INSIGHTS_EXTRAS:
            raise PackageError(
                f"{spec.filename} cannot be combined with OneRoster rostering (the roster comes from OneRoster); "
                f"a OneRoster package may add {', '.join(FILE_BY_NAME[extra].filename for extra in INSIGHTS_EXTRAS)}."
            )
        stored = by_name.get(spec.filename)
        if stored is None:
            raise PackageError(f"manifest.csv declares {spec.filename} but the package does not contain it.")
        checked.append(check_file(spec, stored, encodings[stored.name], warnings))
    for stored_name in by_name:
        spec = FILE_BY_FILENAME.get(stored_name)
        if spec and declared.get(spec.name, "absent") != "bulk":
            raise PackageError(f"{stored_name} is in the package but manifest.csv does not declare it bulk.")
    return checked


def _manifest(values: dict[str, str], version: str, extras: list[CheckedFile]) -> Manifest:
    names = {checked.spec.name for checked in extras} | set(RELABEL)
    scope = values.get("scope.schools", "*").strip() or "*"
    return Manifest(
        district_key=settings.DISTRICT_KEY,
        generated_at=values.get("generated_at", ""),
        system_name=values.get("source.systemName", ""),
        scope_schools=None if scope == "*" else sorted({part.strip() for part in scope.split(";") if part.strip()}),
        files={name: "bulk" if name in names else "absent" for name in FILE_BY_NAME},
        windows={
            checked.spec.name: manifest_window(values, checked.spec.name) for checked in extras if checked.spec.window
        },
        format=f"oneroster-{version}",
    )
