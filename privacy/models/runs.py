"""Package runs: one family's record or one breach package, built by a job on the queue.

The admin (or a command) creates the run and defers the job; the job fills in its progress through
students/sis/progress.py's second connection, stores the file as a one-time download and marks
the run ready. A failed run says why (never with student data) and stores nothing.
"""

from django.conf import settings
from django.db import models


class PackageKind(models.TextChoices):
    FAMILY_RECORD = "family_record", "Family's record"
    BREACH = "breach", "Breach notification package"


class PackageStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Running"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed (nothing was stored)"


class PackageRun(models.Model):
    kind = models.CharField(max_length=20, choices=PackageKind.choices)
    status = models.CharField(max_length=10, choices=PackageStatus.choices, default=PackageStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    access_request = models.ForeignKey(
        "privacy.AccessRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="packages"
    )
    parameters = models.JSONField(default=dict, blank=True, help_text="A breach's account, network and window.")
    student_count = models.PositiveIntegerField(default=0)
    download = models.ForeignKey(
        "privacy.DownloadLink", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True, help_text="Why the run failed; never contains student data.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_stage = models.CharField(max_length=80, blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def progress_percent(self) -> int:
        if self.status not in (PackageStatus.QUEUED, PackageStatus.RUNNING):
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0
