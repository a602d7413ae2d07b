"""A configured import source: the district's SFTP server, what to fetch from it, and when.

The password or private key is stored encrypted with the field keys (insights.encryption) and
never shown back; the host keys are pinned, so a pull talks only to the server the district named.
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from insights.encryption import EncryptedTextField
from students.sis.sftp.remote import Endpoint


def _two_in_the_morning() -> datetime.time:
    return datetime.time(2, 0)


class ImportSource(models.Model):
    """Where the SIS drops its nightly package, and how Insights logs in to fetch it."""

    class Auth(models.TextChoices):
        PASSWORD = "password", "Password"
        KEY = "key", "Private key"

    name = models.SlugField(
        max_length=30, unique=True, help_text="A short name for the import history and the pull_sis_source command."
    )
    enabled = models.BooleanField(default=True, help_text="Pull on the schedule. Pull now works either way.")
    host = models.CharField(max_length=255, help_text="The SFTP server's host name or address.")
    port = models.PositiveIntegerField(default=22, validators=[MinValueValidator(1), MaxValueValidator(65535)])
    username = models.CharField(max_length=100)
    auth = models.CharField("authentication", max_length=10, choices=Auth.choices, default=Auth.KEY)
    password = EncryptedTextField(blank=True)
    private_key = EncryptedTextField(blank=True, help_text="An OpenSSH or PEM private key without a passphrase.")
    host_keys = models.TextField(
        "pinned host keys",
        blank=True,
        help_text="The server's public host keys, one a line, as `ssh-keyscan -p PORT HOST` prints them. "
        "A server presenting any other key is refused.",
    )
    remote_folder = models.CharField(max_length=500, default=".", help_text="The folder on the server, e.g. /outbox.")
    file_pattern = models.CharField(
        max_length=200,
        default="*.zip",
        help_text="Which files are packages, e.g. insights-*.zip; the newest is pulled.",
    )
    max_age_days = models.PositiveSmallIntegerField(
        "maximum age (days)",
        default=3,
        validators=[MinValueValidator(1)],
        help_text="A newest file older than this is refused and the importers are emailed: the SIS export has stopped.",
    )
    run_at = models.TimeField(
        "runs at", default=_two_in_the_morning, help_text="The time of day (district time) of the scheduled pull."
    )
    last_scheduled_for = models.DateTimeField(
        default=timezone.now, editable=False, help_text="The latest scheduled time a pull was started for."
    )
    last_pull_run = models.ForeignKey(
        "sis.ImportRun", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    last_pull_file = models.CharField(max_length=500, blank=True, editable=False)
    last_test_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_test_ok = models.BooleanField(null=True, editable=False)
    last_test_message = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "SFTP import source"

    def __str__(self):
        return self.name

    @property
    def run_label(self) -> str:
        """What the import history's "source" column says for this source's runs."""
        return f"sftp {self.name}"

    def endpoint(self) -> Endpoint:
        secret = {"password": self.password} if self.auth == self.Auth.PASSWORD else {"private_key": self.private_key}
        return Endpoint(host=self.host, port=self.port, username=self.username, host_keys=self.host_keys, **secret)

    def latest_scheduled_time(self, now: datetime.datetime) -> datetime.datetime:
        """The most recent scheduled time at or before ``now`` (today's run time, or yesterday's if not reached)."""
        local_now = timezone.localtime(now)
        today = timezone.make_aware(datetime.datetime.combine(local_now.date(), self.run_at))
        if today <= local_now:
            return today
        return timezone.make_aware(
            datetime.datetime.combine(local_now.date() - datetime.timedelta(days=1), self.run_at)
        )

    def next_scheduled_time(self, now: datetime.datetime) -> datetime.datetime:
        latest = self.latest_scheduled_time(now)
        if latest > self.last_scheduled_for:
            return latest
        following = latest.date() + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(following, self.run_at))
