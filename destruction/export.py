"""The district's exit export: all its data as one zip, for its next system (NDPA "disposition of data").

Contents: ``tables/<table>.csv`` (one per table of the district's data, every column verbatim but
secrets), ``data_dictionary.csv`` (every column's type, meaning and codes), ``insights-import/``
(the student data in the Insights CSV import format, students/sis/export.py, so another Insights
instance loads it with ``import_sis``) and ``manifest.json`` (rows and sha256 per file). Restricted
note text is written only when asked for; other encrypted columns (504 accommodations) are
decrypted, since the district owns them.

The zip is written entry by entry to a temporary file: PostgreSQL's COPY streams each table
straight into its entry, so memory stays flat at any size. Everything is read in one
REPEATABLE READ snapshot, so the files agree with each other and with the manifest.
"""

import contextlib
import csv
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from insights.csv import write_csv
from insights.encryption import EncryptedTextField
from students.models import Student
from students.sis.export import export_package
from students.sis.progress import Progress

# The apps that hold the district's data; a model added to one of them is exported without more code.
DISTRICT_APPS = ("students", "educators", "permissions", "audit", "sis", "privacy", "destruction")
# Secrets and machinery, never data: password hashes, one-time link tokens, encrypted file chunks.
LEFT_OUT_COLUMNS = {"password", "token_hash", "key_hash"}
# ... and columns the database derives from others (a note's search vector): the export has their sources.
LEFT_OUT_FIELD_TYPES = (models.BinaryField, models.GeneratedField)
RESTRICTED_COLUMNS = {"restricted_text"}
FORMAT_VERSION = "1"
ENTRY_CHUNK = 1 << 20


def exported_models() -> list[type[models.Model]]:
    """The models whose tables the export writes, in a stable order."""
    chosen = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in DISTRICT_APPS and model._meta.managed and not model._meta.proxy
    ]
    return sorted(chosen, key=lambda model: model._meta.db_table)


def exported_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if field.column not in LEFT_OUT_COLUMNS and not isinstance(field, LEFT_OUT_FIELD_TYPES)
    ]


def _describe(field: models.Field, *, include_restricted: bool) -> str:
    text = str(field.verbose_name)
    if field.help_text:
        text += f": {field.help_text}"
    if field.is_relation and field.related_model is not None:
        text += f" (id in {field.related_model._meta.db_table})"
    if field.column in RESTRICTED_COLUMNS and not include_restricted:
        text += " [withheld from this export: restricted text was not asked for]"
    elif isinstance(field, EncryptedTextField):
        text += " [encrypted at rest; written here decrypted]"
    return text


def data_dictionary_rows(*, include_restricted: bool) -> Iterator[tuple]:
    for model in exported_models():
        for field in exported_fields(model):
            codes = "; ".join(f"{value}={label}" for value, label in field.flatchoices if value != "")
            yield (
                f"tables/{model._meta.db_table}.csv",
                field.column,
                field.db_type(connection) or "",
                _describe(field, include_restricted=include_restricted),
                codes,
            )


class _HashingWriter(io.RawIOBase):
    """Passes bytes to a zip entry, counting and hashing them for the manifest."""

    def __init__(self, entry):
        self.entry = entry
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.entry.write(data)
        return len(data)


class ExitExportWriter:
    """Writes the zip; ``progress`` (students/sis/progress.Progress) follows rows written."""

    def __init__(self, archive: zipfile.ZipFile, *, include_restricted: bool, progress: Progress | None):
        self.archive = archive
        self.include_restricted = include_restricted
        self.progress = progress
        self.files: dict[str, dict] = {}

    @contextlib.contextmanager
    def entry(self, name: str, rows: int | None = None) -> Iterator[_HashingWriter]:
        with self.archive.open(name, "w", force_zip64=True) as raw:
            writer = _HashingWriter(raw)
            yield writer
        self.files[name] = {"bytes": writer.size, "sha256": writer.digest.hexdigest(), "rows": rows}

    def _stage(self, label: str) -> None:
        if self.progress is not None:
            self.progress.stage(label)

    def _advance(self, rows: int) -> None:
        if self.progress is not None:
            self.progress.advance(rows)

    def write_table(self, model: type[models.Model]) -> None:
        table = model._meta.db_table
        fields = exported_fields(model)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a model's table)
            (rows,) = cursor.fetchone()
        self._stage(f"writing {table}")
        name = f"tables/{table}.csv"
        if any(isinstance(field, EncryptedTextField) for field in fields):
            with self.entry(name, rows) as out:
                self._write_decrypted(model, fields, out)
        else:
            columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
            pk = connection.ops.quote_name(model._meta.pk.column)
            statement = f"COPY (SELECT {columns} FROM {table} ORDER BY {pk}) TO STDOUT WITH (FORMAT csv, HEADER)"  # noqa: S608
            with self.entry(name, rows) as out, connection.cursor() as cursor, cursor.copy(statement) as copy:
                for data in copy:
                    out.write(bytes(data))
        self._advance(rows)

    def _write_decrypted(self, model, fields, out) -> None:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow([field.column for field in fields])
        names = [field.attname for field in fields]
        withheld = set() if self.include_restricted else {f.attname for f in fields if f.column in RESTRICTED_COLUMNS}
        queryset = model._base_manager.order_by("pk").values_list(*names)
        for values in queryset.iterator(chunk_size=2000):
            writer.writerow(["" if name in withheld else value for name, value in zip(names, values, strict=True)])
        text.detach()

    def write_import_package(self, folder: Path) -> None:
        self._stage("writing the Insights import format")
        for filename in export_package(folder):
            with (folder / filename).open("rb") as source, self.entry(f"insights-import/{filename}") as out:
                while chunk := source.read(ENTRY_CHUNK):
                    out.write(chunk)

    def write_dictionary(self) -> None:
        with self.entry("data_dictionary.csv") as out:
            text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
            write_csv(
                text,
                ("file", "column", "type", "description", "codes"),
                data_dictionary_rows(include_restricted=self.include_restricted),
            )
            text.detach()

    def write_manifest(self, *, export_id: int) -> None:
        manifest = {
            "format": "insights-exit-export",
            "format_version": FORMAT_VERSION,
            "export_id": export_id,
            "district_key": settings.DISTRICT_KEY,
            "district_name": settings.DISTRICT_NAME,
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "restricted_text_included": self.include_restricted,
            "files": self.files,
        }
        self.archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))


def estimated_rows() -> int:
    """The planner's row estimate over the exported tables: the progress bar's 100%."""
    tables = [model._meta.db_table for model in exported_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(greatest(reltuples, 0)), 0)::bigint FROM pg_class WHERE relname = ANY(%s)", [tables]
        )
        return cursor.fetchone()[0]


def write_exit_export(
    path: Path, *, export_id: int, include_restricted: bool, progress: Progress | None
) -> tuple[dict, list[int]]:
    """Write the whole zip to ``path``; returns the manifest's file list ({name: rows, bytes, sha256}) and the ids
    of the students it holds, read in the same snapshot, for the audit event."""
    outermost = not connection.in_atomic_block
    with transaction.atomic(), tempfile.TemporaryDirectory(prefix="insights-exit-") as scratch:
        if outermost:  # inside a caller's transaction, its snapshot is the one read
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        student_ids = list(Student.objects.order_by("pk").values_list("pk", flat=True))
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            writer = ExitExportWriter(archive, include_restricted=include_restricted, progress=progress)
            for model in exported_models():
                writer.write_table(model)
            writer.write_import_package(Path(scratch))
            writer.write_dictionary()
            writer.write_manifest(export_id=export_id)
    return writer.files, student_ids
