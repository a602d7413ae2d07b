"""A received package is stored compressed, then encrypted, and reads back byte for byte; chunks
stored before compression, and a dry run's copy for "Apply" (its ciphertext copied), read back the same."""

import pytest

from insights.encryption import cipher
from students.models import Student
from students.sis.models import CHUNK_BYTES, ImportFile, ImportFileChunk, ImportRun
from students.sis.receive import receive_path
from students.sis.runs import rerun_for_real, run_import
from tests.sis.conftest import STUDENTS

pytestmark = pytest.mark.django_db


def stored_bytes(run: ImportRun) -> bytes:
    return b"".join(b"".join(stored.iter_bytes()) for stored in run.files.order_by("name"))


def sealed_chunks(run: ImportRun) -> list[bytes]:
    chunks = ImportFileChunk.objects.filter(file__run=run).order_by("file__name", "index")
    return [bytes(data) for data in chunks.values_list("data", flat=True)]


def original_bytes(folder) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()))


def test_a_received_file_is_stored_compressed_and_reads_back_exactly(packages, importer):
    notes = "".join(f"row {n},attendance at Maple Elementary on day {n % 180}\r\n" for n in range(200_000))
    folder = packages.basic(raw={"extra.csv": notes.encode()})
    run = receive_path(folder, triggered_by=importer)

    assert stored_bytes(run) == original_bytes(folder)
    chunks = ImportFileChunk.objects.filter(file__run=run)
    assert chunks.filter(file__name="extra.csv").count() == -(-len(notes) // CHUNK_BYTES) > 1
    assert not chunks.filter(compressed=False).exists()
    stored_size = sum(len(bytes(data)) for data in chunks.values_list("data", flat=True))
    assert stored_size < len(notes) / 3  # text shrinks, even with Fernet's overhead
    token = bytes(chunks.filter(file__name="extra.csv").order_by("index").values_list("data", flat=True)[0])
    assert b"Maple" not in cipher().decrypt(token)  # what is sealed is the compressed text


def test_a_chunk_stored_before_compression_reads_as_it_was(importer):
    run = ImportRun.objects.create(triggered_by=importer)
    stored = ImportFile.objects.create(run=run, name="students.csv", sha256="", size=11)
    ImportFileChunk.objects.create(file=stored, index=0, data=cipher().encrypt(b"local_id\r\nS"))
    ImportFileChunk.objects.create(file=stored, index=1, data=cipher().encrypt(b"1\r\n"))

    assert b"".join(stored.iter_bytes()) == b"local_id\r\nS1\r\n"


def test_a_dry_runs_package_applied_later_reads_the_same(packages, importer):
    folder = packages.basic()
    dry = run_import(receive_path(folder, triggered_by=importer, dry_run=True), actor=importer)
    assert dry.status == ImportRun.Status.DRY_RUN and not Student.objects.exists()

    applied = run_import(rerun_for_real(dry, actor=importer), actor=importer)

    assert applied.status == ImportRun.Status.APPLIED, applied.error
    assert stored_bytes(applied) == original_bytes(folder)
    assert not ImportFileChunk.objects.filter(file__run=applied, compressed=False).exists()
    assert sealed_chunks(applied) == sealed_chunks(dry)  # the ciphertext copied, not sealed again
    assert Student.objects.count() == len(STUDENTS)
