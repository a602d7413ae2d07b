"""What destruction keeps: the requests and their certificates, tombstones, legal holds, exit exports, sweeps.

A destruction (of one student, of students past retention, or of the district) outlives what it
destroyed: its rows name people by a snapshot (id, email, name) and students by plain ids, never
by foreign keys, so deleting a student or every educator leaves the certificate whole. A
tombstone keeps only a keyed hash of the student's SIS local id (destruction/tombstones.py).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    STUDENT = "student", "One student, on request"
    RETENTION = "retention", "Students past the retention period"
    DISTRICT = "district", "The whole district, at contract end"


class Status(models.TextChoices):
    REQUESTED = "requested", "Requested, waiting for a second person's approval"
    APPROVED = "approved", "Approved, being destroyed"
    DONE = "done", "Destroyed"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed (nothing was destroyed)"


class Destruction(models.Model):
    """One destruction: who asked, who approved, what went (rows per table) and when its backups expire."""

    Kind = Kind
    Status = Status

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField(help_text="Why: the family's request, the retention rule, the contract's end.")
    student_ids = ArrayField(
        models.BigIntegerField(), default=list, blank=True, help_text="Insights ids; kept as plain numbers."
    )
    requested_by_id = models.BigIntegerField(null=True, blank=True)
    requested_by_email = models.CharField(max_length=254, blank=True)
    requested_by_name = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_by_id = models.BigIntegerField(null=True, blank=True)
    approved_by_email = models.CharField(max_length=254, blank=True)
    approved_by_name = models.CharField(max_length=200, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="Rows destroyed per table.")
    backups_expire_on = models.DateField(null=True, blank=True, help_text="When the last backup holding them ages out.")
    details = models.JSONField(default=dict, blank=True, help_text="The exit export it followed, the rule applied.")
    error = models.TextField(blank=True, help_text="Why it failed; never contains student data.")

    class Meta:
        ordering = ["-requested_at", "-id"]
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[kind.value for kind in Kind]), name="destruction_kind_known"),
            models.CheckConstraint(
                condition=Q(approved_by_id__isnull=True) | ~Q(approved_by_id=models.F("requested_by_id")),
                name="destruction_approver_is_not_requester",
            ),
        ]

    def __str__(self):
        return f"Destruction #{self.pk}"

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


class Tombstone(models.Model):
    """A destroyed student's keyed SIS-id hash: the import refuses to bring them back unless it is lifted."""

    local_id_hash = models.CharField(max_length=64, help_text="HMAC-SHA256 of the SIS local id.")
    student_id = models.BigIntegerField(
        null=True, blank=True, help_text="The destroyed Insights id, as the audit log has it."
    )
    destruction = models.ForeignKey(Destruction, on_delete=models.PROTECT, related_name="tombstones")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by_id = models.BigIntegerField(null=True, blank=True)
    lifted_by_email = models.CharField(max_length=254, blank=True)
    lift_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["local_id_hash"], condition=Q(lifted_at__isnull=True), name="tombstone_one_standing_per_id"
            )
        ]

    def __str__(self):
        return f"Tombstone #{self.pk}"


class LegalHold(models.Model):
    """A litigation or investigation hold: the student's record may not be destroyed while it stands."""

    student = models.ForeignKey("students.Student", on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(max_length=300)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        default_permissions = ("view",)

    def __str__(self):
        return f"Legal hold #{self.pk}"


class ExitExport(models.Model):
    """The district's whole data as one zip, built by a job; its file is handed out by a one-time link."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    include_restricted = models.BooleanField(
        default=False, help_text="Include restricted note text (decrypted). Only when the district asks for it."
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    tables = models.JSONField(default=dict, blank=True, help_text="Rows written per file.")
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    progress_stage = models.CharField(max_length=80, blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)

    def __str__(self):
        return f"Exit export #{self.pk}"

    @property
    def progress_percent(self) -> int:
        if self.status not in (self.Status.QUEUED, self.Status.RUNNING):
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class RetentionSweep(models.Model):
    """One run of the retention rules: what was due (a dry run stops there) and the destruction it made."""

    dry_run = models.BooleanField()
    ran_at = models.DateTimeField(auto_now_add=True)
    actor_email = models.CharField(max_length=254, blank=True, help_text="Empty for the scheduled run.")
    found = models.JSONField(default=dict, help_text="Per category: what was due, what was held back and why.")
    destruction = models.ForeignKey(Destruction, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-ran_at", "-id"]
        default_permissions = ("view",)

    def __str__(self):
        return f"Retention sweep #{self.pk}"
