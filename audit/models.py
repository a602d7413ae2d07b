"""The audit tables: who touched which student's data, who signed in, and who changed whose access.

Rows are append-only in the database (triggers, audit/migrations/0003, reject UPDATE and TRUNCATE
and any DELETE of a row younger than a year, whatever a session sets) and chained by hash so that
an edit made behind the triggers' back is detectable (audit/chain.py), also against checkpoints
kept outside the database (audit/checkpoints.py). No foreign keys:
actors and educators are plain ids plus a snapshot, so deleting an account never touches history.
The event tables are partitioned by month in the database (audit/migrations/0004, audit/partitions.py);
Django sees plain tables with ``id`` as their key, which is all the code needs (docs/audit.md).
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex, GinIndex
from django.db import models


class ChainedEvent(models.Model):
    """Columns every audit table shares: the time, and the two links of the hash chain."""

    occurred_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64, editable=False)
    row_hash = models.CharField(max_length=64, editable=False)

    # The columns covered by row_hash (besides prev_hash, which prefixes it), in a fixed order.
    CHAINED_FIELDS: tuple[str, ...] = ("id", "occurred_at")

    class Meta:
        abstract = True
        ordering = ["-id"]
        default_permissions = ()


class Outcome(models.TextChoices):
    OK = "ok", "Shown or changed"
    DENIED = "denied", "Denied (looked missing)"
    ERROR = "error", "Failed with an error"


class AccessEvent(ChainedEvent):
    """One request or command run that read or wrote student data, was denied, or ran an audit report."""

    Outcome = Outcome

    actor_id = models.BigIntegerField(null=True, blank=True, help_text="The educator's id; not a foreign key.")
    actor_email = models.CharField(max_length=254, blank=True)
    actor_name = models.CharField(max_length=200, blank=True)
    actor_roles = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    action = models.CharField(max_length=200, help_text="The URL route name or the command name.")
    path = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10, blank=True, help_text="Empty for a management command.")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    student_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, help_text="Every student touched.")
    changed_student_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    exported_student_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    object_ids = models.JSONField(default=dict, blank=True, help_text='Other records touched, e.g. {"note": [4]}.')
    details = models.JSONField(default=dict, blank=True, help_text="Report parameters, purge results.")
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    session_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the session key.")

    CHAINED_FIELDS = (
        *ChainedEvent.CHAINED_FIELDS,
        "actor_id",
        "actor_email",
        "actor_name",
        "actor_roles",
        "action",
        "path",
        "method",
        "status",
        "outcome",
        "student_ids",
        "changed_student_ids",
        "exported_student_ids",
        "object_ids",
        "details",
        "client_ip",
        "user_agent",
        "request_id",
        "session_hash",
    )

    class Meta(ChainedEvent.Meta):
        permissions = [("view_audit_reports", "May read the audit log and run audit reports")]
        indexes = [
            BrinIndex(fields=["occurred_at"], name="access_event_time_brin", autosummarize=True),
            models.Index(fields=["actor_id", "occurred_at"], name="access_event_actor_time_idx"),
            GinIndex(fields=["student_ids"], name="access_event_students_gin"),
            models.Index(fields=["client_ip"], name="access_event_client_ip_idx"),
        ]

    def __str__(self):
        return f"Access event #{self.pk}"


class SignInEvent(ChainedEvent):
    """A sign-in attempt (successful or not) or a sign-out."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Sign-in"
        SIGN_OUT = "sign_out", "Sign-out"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    identity = models.CharField(max_length=254, help_text="The email (or other identity) that was given.")
    educator_id = models.BigIntegerField(null=True, blank=True)
    succeeded = models.BooleanField()
    reason = models.CharField(max_length=200, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    session_hash = models.CharField(max_length=64, blank=True)

    CHAINED_FIELDS = (
        *ChainedEvent.CHAINED_FIELDS,
        "kind",
        "identity",
        "educator_id",
        "succeeded",
        "reason",
        "client_ip",
        "user_agent",
        "request_id",
        "session_hash",
    )

    class Meta(ChainedEvent.Meta):
        indexes = [
            BrinIndex(fields=["occurred_at"], name="sign_in_event_time_brin", autosummarize=True),
            models.Index(fields=["educator_id", "occurred_at"], name="sign_in_event_educator_idx"),
        ]

    def __str__(self):
        return f"Sign-in event #{self.pk}"


class GrantChangeEvent(ChainedEvent):
    """An access grant given, changed or taken away: who did it, to whom, why, and before/after."""

    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    educator_id = models.BigIntegerField(help_text="The educator whose access changed.")
    educator_email = models.CharField(max_length=254)
    grant_kind = models.CharField(max_length=60)
    object_label = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    CHAINED_FIELDS = (
        *ChainedEvent.CHAINED_FIELDS,
        "actor_id",
        "actor_email",
        "educator_id",
        "educator_email",
        "grant_kind",
        "object_label",
        "before",
        "after",
        "reason",
    )

    class Meta(ChainedEvent.Meta):
        indexes = [
            BrinIndex(fields=["occurred_at"], name="grant_change_time_brin", autosummarize=True),
            models.Index(fields=["educator_id", "occurred_at"], name="grant_change_educator_idx"),
        ]

    def __str__(self):
        return f"Grant change #{self.pk}"


class Checkpoint(models.Model):
    """A chained table's size and head at one moment, also sent out of the database (log stream, mail).

    ``audit_checkpoint`` writes one per chained table on a schedule; ``audit_verify`` then fails
    if a table's chain no longer reaches a checkpoint's head (newest rows deleted, or the chain
    rewritten). Append-only like the audit tables; the copies outside the database are what
    count when someone with the database's own credentials has been at the tables.
    """

    occurred_at = models.DateTimeField()
    table = models.CharField(max_length=63)
    row_count = models.BigIntegerField()
    first_id = models.BigIntegerField(null=True, blank=True, help_text="The chain's first row; none if empty.")
    last_id = models.BigIntegerField(null=True, blank=True, help_text="The chain's head row; none if empty.")
    head_hash = models.CharField(max_length=64)
    head_occurred_at = models.DateTimeField(null=True, blank=True, help_text="When the head row was written.")

    class Meta:
        ordering = ["-id"]
        default_permissions = ()

    def __str__(self):
        return f"Checkpoint #{self.pk}"


# Every chained table, in the order audit_verify and audit_purge walk them.
CHAINED_MODELS: tuple[type[ChainedEvent], ...] = (AccessEvent, SignInEvent, GrantChangeEvent)

# Who may read the audit tables and run the reports (the admin pages and the report commands).
REPORT_PERMISSION = "audit.view_audit_reports"
