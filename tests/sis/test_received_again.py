"""A file received again, byte for byte as stored before, gets the stored file's ciphertext copied in the
database; anything else (other bytes, a retired key, chunks gone) is read again and stored afresh."""

import datetime
import io
import zipfile

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from destruction.retention import sweep
from students.models import Student
from students.sis.models import CHUNK_BYTES, ImportFileChunk, ImportRun
from students.sis.receive import receive_path, receive_uploads
from students.sis.runs import discard_run, run_import
from tests.sis.conftest import STUDENTS

pytestmark = pytest.mark.django_db


def tokens(run: ImportRun) -> list[tuple[str, int, bytes, bool]]:
    """Every stored chunk of the run as it is in the database: (file, index, Fernet token, compressed)."""
    chunks = ImportFileChunk.objects.filter(file__run=run).order_by("file__name", "index")
    return [
        (name, index, bytes(data), compressed)
        for name, index, data, compressed in chunks.values_list("file__name", "index", "data", "compressed")
    ]


def stored_bytes(run: ImportRun) -> dict[str, bytes]:
    return {stored.name: b"".join(stored.iter_bytes()) for stored in run.files.all()}


def original_bytes(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def zipped(folder) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


def test_a_package_received_again_has_the_stored_ciphertext_copied_and_imports(packages, importer):
    folder = packages.basic()
    dry = run_import(receive_path(folder, triggered_by=importer, dry_run=True), actor=importer)

    again = receive_path(folder, triggered_by=importer)

    # Fernet seals with a random IV: equal tokens are copies, never a second encryption.
    assert tokens(again) == tokens(dry) != []
    assert set(ImportFileChunk.objects.filter(file__run=again).values_list("file__run", flat=True)) == {again.pk}
    assert list(again.files.values_list("name", "sha256", "size", "encoding")) == list(
        dry.files.values_list("name", "sha256", "size", "encoding")
    )
    assert again.package_digest == dry.package_digest
    assert stored_bytes(again) == original_bytes(folder)
    applied = run_import(again, actor=importer)
    assert applied.status == ImportRun.Status.APPLIED, applied.error
    assert Student.objects.count() == len(STUDENTS)

    third = run_import(receive_path(folder, triggered_by=importer), actor=importer)
    assert third.status == ImportRun.Status.UNCHANGED
    assert tokens(third) == tokens(dry)


def test_a_file_of_the_same_name_and_size_but_other_bytes_is_stored_afresh(settings, packages, importer):
    first = receive_path(packages.basic(), triggered_by=importer)
    renamed = [dict(student, first_name="Avery1") if student["local_id"] == "S1" else student for student in STUDENTS]
    folder = packages.basic(students=renamed)
    assert (folder / "students.csv").stat().st_size == first.files.get(name="students.csv").size
    # Read twice, counted once: the package fits a limit of exactly its size.
    exact = sum(path.stat().st_size for path in folder.iterdir())
    settings.SIS_IMPORT = {**settings.SIS_IMPORT, "MAX_PACKAGE_BYTES": exact}

    again = receive_path(folder, triggered_by=importer)

    assert again.files.get(name="students.csv").sha256 != first.files.get(name="students.csv").sha256
    fresh = {name: token for name, _, token, _ in tokens(again)}
    earlier = {name: token for name, _, token, _ in tokens(first)}
    assert fresh["students.csv"] != earlier["students.csv"]
    assert fresh["schools.csv"] == earlier["schools.csv"]
    assert stored_bytes(again) == original_bytes(folder)
    applied = run_import(again, actor=importer)
    assert applied.status == ImportRun.Status.APPLIED, applied.error
    assert Student.objects.get(local_id="S1").first_name == "Avery1"


def test_zip_members_and_uploads_are_copied_like_files_of_a_folder(tmp_path, packages, importer):
    folder = packages.basic()
    first = receive_path(folder, triggered_by=importer)
    archive = tmp_path / "package.zip"
    archive.write_bytes(zipped(folder))

    from_zip = receive_path(archive, triggered_by=importer)
    uploaded = receive_uploads(
        [SimpleUploadedFile(path.name, path.read_bytes()) for path in sorted(folder.iterdir())], triggered_by=importer
    )
    uploaded_zip = receive_uploads([SimpleUploadedFile("package.zip", zipped(folder))], triggered_by=importer)

    for run in (from_zip, uploaded, uploaded_zip):
        assert run.status == ImportRun.Status.RECEIVED, run.error
        assert tokens(run) == tokens(first)
        assert stored_bytes(run) == original_bytes(folder)


@pytest.mark.parametrize(
    ("limit", "message"),
    [("MAX_FILE_BYTES", "students.csv is larger than the limit"), ("MAX_PACKAGE_BYTES", "The package is larger")],
)
def test_the_limits_hold_while_a_file_received_again_is_only_read(
    settings, tmp_path, packages, importer, limit, message
):
    folder = packages.basic(students=STUDENTS * 40)
    receive_path(folder, triggered_by=importer)
    settings.SIS_IMPORT = {**settings.SIS_IMPORT, limit: (folder / "students.csv").stat().st_size - 1}
    archive = tmp_path / "package.zip"
    archive.write_bytes(zipped(folder))
    with zipfile.ZipFile(archive) as listing:
        declared = {info.filename: info.file_size for info in listing.infolist()}
    assert declared["students.csv"] == (folder / "students.csv").stat().st_size

    for path in (folder, archive):
        refused = receive_path(path, triggered_by=importer)
        assert refused.status == ImportRun.Status.FAILED
        assert message in refused.error
        assert not refused.files.exists()


def test_an_upload_whose_size_lies_is_stored_from_what_it_holds(packages, importer):
    folder = packages.basic()
    first = receive_path(folder, triggered_by=importer)
    content = (
        folder / "students.csv"
    ).read_bytes() + b"S99,ST99,ES1,First99,Last99,2017-03-01,2022-09-01,3,Active,3-A\r\n"
    upload = SimpleUploadedFile("students.csv", content)
    upload.size = first.files.get(name="students.csv").size

    run = receive_uploads([upload], triggered_by=importer)

    stored = run.files.get()
    assert (stored.size, b"".join(stored.iter_bytes())) == (len(content), content)


def test_chunks_under_a_key_being_retired_are_not_copied(settings, packages, importer):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    folder = packages.basic()
    under_old = receive_path(folder, triggered_by=importer)
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    rotated = receive_path(folder, triggered_by=importer)
    copied = receive_path(folder, triggered_by=importer)

    assert {token for *_, token, _ in tokens(rotated)}.isdisjoint(token for *_, token, _ in tokens(under_old))
    assert tokens(copied) == tokens(rotated)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key removed, as rotation ends
    assert stored_bytes(copied) == original_bytes(folder)


@pytest.mark.parametrize("lost", [{"index": 1}, {}], ids=["cut short", "emptied"])
def test_a_file_whose_stored_chunks_are_gone_is_stored_afresh(packages, importer, lost):
    notes = "".join(f"row {n},attendance at Maple Elementary on day {n % 180}\r\n" for n in range(200_000))
    assert len(notes) > 2 * CHUNK_BYTES
    folder = packages.basic(raw={"extra.csv": notes.encode()})
    first = receive_path(folder, triggered_by=importer)
    first_token = next(chunk for chunk in tokens(first) if chunk[0] == "extra.csv")
    ImportFileChunk.objects.filter(file__run=first, file__name="extra.csv", **lost).delete()

    again = receive_path(folder, triggered_by=importer)

    assert stored_bytes(again) == original_bytes(folder)
    assert ImportFileChunk.objects.filter(file__run=again, file__name="extra.csv").count() == 3
    assert first_token not in tokens(again)


def test_a_copy_outlives_the_run_it_was_copied_from(packages, importer):
    folder = packages.basic()
    held, destroyed = (receive_path(folder, triggered_by=importer) for _ in range(2))
    ImportRun.objects.filter(pk=held.pk).update(status=ImportRun.Status.HELD)
    copy = receive_path(folder, triggered_by=importer)
    assert tokens(copy) == tokens(held) == tokens(destroyed)

    discard_run(held, actor=importer)
    due = timezone.now() - datetime.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS + 1)
    ImportRun.objects.filter(pk=destroyed.pk).update(created_at=due)
    sweep(dry_run=False)

    assert not ImportFileChunk.objects.filter(file__run__in=[held, destroyed]).exists()
    assert stored_bytes(copy) == original_bytes(folder)
