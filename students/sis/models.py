"""The import history: each run, its stored (encrypted) files, its row errors, and educators' SIS status.

Row errors name a file, row, column and code, never the offending value: the history is shown to
importers and kept with the run, and a value could be any student's data.
"""

import zlib

from django.conf import settings
from django.db import connection, models

from insights.encryption import cipher
from students.sis.sftp.models import ImportSource  # noqa: F401 (the sis app's models are found through here)

CHUNK_BYTES = 4 * 1024 * 1024  # each stored chunk is encrypted on its own, so files stream in and out
# CSV text shrinks five- to sixfold at zlib's fastest level, which costs less than encrypting and
# storing the bytes it saves (and the reads' decrypting them).
CHUNK_COMPRESSION_LEVEL = 1


class RunStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    RUNNING = "running", "Running"
    DRY_RUN = "dry_run", "Dry run (nothing changed)"
    HELD = "held", "Held for approval"
    APPLIED = "applied", "Applied"
    UNCHANGED = "unchanged", "Identical to the last applied package (nothing to do)"
    FAILED = "failed", "Failed (nothing changed)"
    DISCARDED = "discarded", "Discarded"


class ImportRun(models.Model):
    """One attempt to import one package; what it found, decided and changed."""

    Status = RunStatus

    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.RECEIVED)
    dry_run = models.BooleanField(default=False, help_text="Check and diff only; never apply.")
    source = models.CharField(max_length=40, default="upload", help_text="upload, command or a scheduled source.")
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who approved or discarded the held run.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    package_digest = models.CharField(max_length=64, blank=True, help_text="sha256 over the files' names and sha256s.")
    manifest = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="Per file and category: rows, inserted, updated, …")
    guard_results = models.JSONField(default=list, blank=True)
    stage_timings = models.JSONField(default=dict, blank=True, help_text="Seconds per stage.")
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, help_text="Why the run failed; never contains student data.")
    row_error_count = models.PositiveIntegerField(default=0)
    unmapped_codes = models.JSONField(
        default=dict, blank=True, help_text="Codes no mapping knows: rows per vocabulary and code, and per file."
    )
    mappings_digest = models.CharField(max_length=64, blank=True, help_text="sha256 of the code mappings it ran with.")
    live_snapshot = models.TextField(
        blank=True, help_text="pg_current_snapshot() as the run began: what of the live data it could see."
    )
    progress_stage = models.CharField(max_length=80, blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("run_imports", "May upload SIS packages, approve or discard held runs and read their errors")]

    def __str__(self):
        return f"Import run #{self.pk}"

    @property
    def progress_percent(self) -> int:
        if self.status not in (RunStatus.RECEIVED, RunStatus.RUNNING):
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class ImportFile(models.Model):
    """One CSV file of a run's package, stored encrypted with the field keys in chunks."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    encoding = models.CharField(max_length=20, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    unchanged_since = models.ForeignKey(
        ImportRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The applied run whose same file this one is byte-identical to: not read again.",
    )

    class Meta:
        ordering = ["run", "name"]
        constraints = [models.UniqueConstraint(fields=["run", "name"], name="import_file_name_unique_per_run")]

    def __str__(self):
        return self.name

    def iter_bytes(self):
        """The file's plaintext bytes, one decrypted chunk at a time.

        Each chunk is its own query, so no cursor stays open between them: the reader may run other
        statements on the same connection (a COPY of the chunk it just read) before asking for the next.
        """
        for chunk_id in self.chunks.order_by("index").values_list("id", flat=True):
            token, compressed = ImportFileChunk.objects.filter(pk=chunk_id).values_list("data", "compressed").get()
            plain = cipher().decrypt(bytes(token))
            yield zlib.decompress(plain) if compressed else plain

    def copy_chunks(self, original: "ImportFile") -> int:
        """Give this file ``original``'s stored chunks, their ciphertext copied in the database; returns how many.

        The copy is the file's own (retention, destruction and discarding delete it with its run) and
        costs no decrypting, compressing or encrypting: the tokens never leave the database.
        """
        table = connection.ops.quote_name(ImportFileChunk._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO {table} (file_id, "index", data, compressed)'  # noqa: S608 (the model's table)
                f' SELECT %s, "index", data, compressed FROM {table} WHERE file_id = %s',
                [self.pk, original.pk],
            )
            return cursor.rowcount


class ImportFileChunk(models.Model):
    file = models.ForeignKey(ImportFile, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField(help_text="A Fernet token under FIELD_ENCRYPTION_KEYS.")
    compressed = models.BooleanField(
        default=False, help_text="The token holds the chunk compressed with zlib (chunks received before: as it was)."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["file", "index"], name="import_chunk_index_unique")]

    def __str__(self):
        return f"chunk {self.index}"


class ImportRowError(models.Model):
    """A row (or one field of it) the run could not use: where, and why — never the value."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    file = models.CharField(max_length=100)
    row_number = models.PositiveIntegerField(null=True, blank=True, help_text="1 is the header line.")
    column = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=40)

    class Meta:
        ordering = ["run", "file", "row_number", "id"]

    def __str__(self):
        return f"{self.file}:{self.row_number} {self.code}"


class EducatorSisStatus(models.Model):
    """Whether an educator was in the latest educators file (the SIS never deletes people: we flag them)."""

    educator = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sis_status")
    missing_from_last_export = models.BooleanField(default=False)
    last_seen_run = models.ForeignKey(ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "educator SIS status"
        verbose_name_plural = "educator SIS statuses"

    def __str__(self):
        return f"SIS status of educator #{self.educator_id}"
