"""Files privacy operations make: kept encrypted under the field keys, downloadable once, by their owner, for a day."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class DownloadLink(models.Model):
    """A file made for one person: encrypted at rest, downloadable once, until it expires."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_downloads")
    purpose = models.CharField(max_length=60, help_text='What the file is, e.g. "family\'s record".')
    filename = models.CharField(max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    data = models.BinaryField(help_text="A Fernet token under FIELD_ENCRYPTION_KEYS; emptied once downloaded.")
    student_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, help_text="Students in the file.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="download_owner_idx")]

    def __str__(self):
        return f"Download #{self.pk}"

    @property
    def is_available(self) -> bool:
        return self.downloaded_at is None and self.expires_at > timezone.now()


class DownloadChunk(models.Model):
    """One piece of a large download (an exit export), encrypted on its own: stored and served in constant memory."""

    link = models.ForeignKey(DownloadLink, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField(help_text="A Fernet token under FIELD_ENCRYPTION_KEYS.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "index"], name="download_chunk_index_unique")]

    def __str__(self):
        return f"Download #{self.link_id} chunk {self.index}"
