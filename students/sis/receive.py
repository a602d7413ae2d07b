"""Receiving a package: a folder, a zip or uploaded files, stored encrypted with their sha256.

Nothing is trusted before it is stored: zip member names that would escape the package's folder,
damaged or truncated zips, and files or packages over the size limits are refused with a clear
message. Sizes are counted as bytes are actually read, so a zip that lies about its sizes (a zip
bomb) is stopped at the limit. Storing streams chunk by chunk, so memory stays flat; the same pass
records whether a file is strict UTF-8, so the structure check need not decrypt it all again.
"""

import codecs
import hashlib
import math
import os
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.db import transaction

from insights.encryption import cipher, sealed_under_newest_key
from students.sis.models import CHUNK_BYTES, CHUNK_COMPRESSION_LEVEL, ImportFile, ImportFileChunk, ImportRun
from students.sis.reader import UTF8, PackageError

MAX_MEMBERS = 64


def _limits() -> tuple[int, int]:
    return settings.SIS_IMPORT["MAX_FILE_BYTES"], settings.SIS_IMPORT["MAX_PACKAGE_BYTES"]


def human_size(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def member_name(raw_name: str) -> str | None:
    """The file name a zip member stands for, None for a folder entry; refuses names escaping the package."""
    if "\\" in raw_name or raw_name.startswith("/") or (len(raw_name) > 1 and raw_name[1] == ":"):
        raise PackageError("The zip contains a path outside its folder; it was refused.")
    path = PurePosixPath(raw_name)
    if any(part in ("..", "") for part in path.parts) and raw_name.rstrip("/") != "":
        raise PackageError("The zip contains a path outside its folder; it was refused.")
    if raw_name.endswith("/"):
        return None
    if len(path.parts) > 2:
        raise PackageError("The zip nests folders; put the CSV files at its top or in one folder.")
    if path.name.startswith(".") or path.parts[0] == "__MACOSX":
        return None
    return path.name


class _Store:
    """Writes files into a run, enforcing the per-file and per-package byte limits while reading.

    A file with the name and size of one stored earlier (the nightly package, unchanged) is first
    only read and hashed: when its sha256 matches, the earlier file's ciphertext is copied in the
    database instead of being compressed and encrypted again. Otherwise it is read again and stored.
    """

    def __init__(self, run: ImportRun):
        self.run = run
        self.max_file, self.max_package = _limits()
        self.package_bytes = 0
        self.names: set[str] = set()

    def add(self, name: str, source: BinaryIO, declared_size: int | None) -> None:
        """Store ``source`` as ``name``; ``declared_size`` (what the file system, zip or upload says) is only a hint."""
        if name in self.names:
            raise PackageError(f"The package contains {name} twice.")
        if len(self.names) >= MAX_MEMBERS:
            raise PackageError(f"The package has more than {MAX_MEMBERS} files.")
        self.names.add(name)
        stored = ImportFile.objects.create(run=self.run, name=name, sha256="", size=0)
        if not self._copied(stored, source, declared_size):
            self._read(stored, source, seal=True)
        stored.save(update_fields=["sha256", "size", "encoding"])

    def _copied(self, stored: ImportFile, source: BinaryIO, declared_size: int | None) -> bool:
        """Whether the file is one stored before, byte for byte, and now has that file's chunks; if not,
        the source is back where it started."""
        if not declared_size or not source.seekable() or not _earlier_files(stored, declared_size).exists():
            return False
        start, counted = source.tell(), self.package_bytes
        self._read(stored, source, seal=False)
        original = _earlier_files(stored, stored.size).filter(sha256=stored.sha256).order_by("-pk").first()
        if original is not None and _sealed_under_newest_key(original) and _copied_whole(stored, original):
            return True
        source.seek(start)
        self.package_bytes = counted
        return False

    def _read(self, stored: ImportFile, source: BinaryIO, *, seal: bool) -> None:
        """Read the source to its end under the limits, noting its sha256, size and whether it is strict
        UTF-8 on ``stored``; with ``seal``, store each chunk compressed and encrypted."""
        digest, size, index = hashlib.sha256(), 0, 0
        utf8 = codecs.getincrementaldecoder(UTF8)("strict")
        is_utf8 = True
        while chunk := source.read(CHUNK_BYTES):
            size += len(chunk)
            self.package_bytes += len(chunk)
            if size > self.max_file:
                raise PackageError(f"{stored.name} is larger than the limit of {human_size(self.max_file)}.")
            if self.package_bytes > self.max_package:
                raise PackageError(f"The package is larger than the limit of {human_size(self.max_package)}.")
            digest.update(chunk)
            is_utf8 = is_utf8 and _decodes(utf8, chunk)
            if seal:
                sealed = cipher().encrypt(zlib.compress(chunk, CHUNK_COMPRESSION_LEVEL))
                ImportFileChunk.objects.create(file=stored, index=index, data=sealed, compressed=True)
            index += 1
        stored.sha256, stored.size = digest.hexdigest(), size
        stored.encoding = UTF8 if is_utf8 and _decodes(utf8, b"", final=True) else ""

    def add_zip(self, source: BinaryIO) -> None:
        try:
            archive = zipfile.ZipFile(source)
            members = archive.infolist()
            for info in members:
                name = member_name(info.filename)
                if name is None:
                    continue
                if info.file_size > self.max_file:
                    raise PackageError(f"{name} is larger than the limit of {human_size(self.max_file)}.")
                with archive.open(info) as member:
                    self.add(name, member, info.file_size)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError):
            raise PackageError("The zip file is damaged, truncated or encrypted; it could not be read.") from None


def _earlier_files(stored: ImportFile, size: int):
    """Files of other runs stored whole under the same name and size."""
    return ImportFile.objects.filter(name=stored.name, size=size).exclude(run_id=stored.run_id).exclude(sha256="")


def _sealed_under_newest_key(stored: ImportFile) -> bool:
    """Whether the file's chunks were encrypted with the newest key (one receiving sealed them all alike)."""
    first = stored.chunks.order_by("index").values_list("data", flat=True).first()
    return first is not None and sealed_under_newest_key(bytes(first))


def _copied_whole(stored: ImportFile, original: ImportFile) -> bool:
    """Copy ``original``'s chunks to ``stored`` if they are all there: a run deleted since it was found (or a
    file cut short) leaves fewer than its size needs, and then nothing is copied."""
    with transaction.atomic():
        whole = stored.copy_chunks(original) == math.ceil(stored.size / CHUNK_BYTES)
        if not whole:
            transaction.set_rollback(True)
    return whole


def _decodes(decoder, chunk: bytes, *, final: bool = False) -> bool:
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


def package_digest(run: ImportRun) -> str:
    """One sha256 for the package's content, whatever the zip's timestamps or the files' order."""
    listing = "".join(f"{name}:{sha}\n" for name, sha in run.files.order_by("name").values_list("name", "sha256"))
    return hashlib.sha256(listing.encode()).hexdigest()


def _finish(run: ImportRun, store: _Store) -> ImportRun:
    if not store.names:
        raise PackageError("The package contains no files.")
    run.package_digest = package_digest(run)
    run.progress_total = store.package_bytes
    run.save(update_fields=["package_digest", "progress_total"])
    return run


def _receive(run_fields: dict, fill) -> ImportRun:
    """Create a run and fill it; a refused package leaves a failed run with its reason and no files."""
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(**run_fields)
            store = _Store(run)
            fill(store)
            return _finish(run, store)
    except PackageError as problem:
        return ImportRun.objects.create(**run_fields, status=ImportRun.Status.FAILED, error=str(problem))


def receive_path(path: str | os.PathLike, **run_fields) -> ImportRun:
    """Store the package at ``path``: a folder of CSV files or a .zip."""
    path = Path(path)

    def fill(store: _Store) -> None:
        if path.is_dir():
            for entry in sorted(path.iterdir()):
                if entry.is_file() and not entry.name.startswith("."):
                    with entry.open("rb") as source:
                        store.add(entry.name, source, os.fstat(source.fileno()).st_size)
        elif path.is_file():
            with path.open("rb") as source:
                store.add_zip(source)
        else:
            raise PackageError("The path is neither a folder nor a zip file.")

    return _receive(run_fields, fill)


def receive_uploads(uploads: Iterable, **run_fields) -> ImportRun:
    """Store uploaded files (Django UploadedFile): zips are unpacked, CSV files kept as they are."""

    def fill(store: _Store) -> None:
        for upload in uploads:
            if upload.name.lower().endswith(".zip"):
                store.add_zip(upload)
            else:
                store.add(member_name(os.path.basename(upload.name)) or upload.name, upload, upload.size)

    return _receive(run_fields, fill)
