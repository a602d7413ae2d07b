"""One-time downloads of the files privacy operations make: encrypted at rest, for one person, once, within a day.

A family's record or a breach package holds many students' data, so the file is kept encrypted
under the field keys (insights.encryption), only the person who asked for it may download it, it
can be downloaded once (its data is wiped as it is served), and after ``LINK_LIFETIME`` it is
gone. The link carries a signature of the link's id (SECRET_KEY), so an id alone opens nothing
and the owner's list of downloads can show the link again. Each download is an audit event that
names the students in the file as exported.
"""

import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.recorder import record_details, record_objects, record_students
from insights.encryption import cipher
from privacy.models import DownloadChunk, DownloadLink

LINK_LIFETIME = datetime.timedelta(hours=24)
CHUNK_BYTES = 4 * 1024 * 1024  # a large file is kept (and served) in pieces this size, each encrypted on its own
_SIGNER_SALT = "privacy.download"


@dataclass(frozen=True)
class PackageFile:
    """A file an operation built, and the students whose data it holds."""

    filename: str
    content_type: str
    content: bytes
    student_ids: list[int]

    @classmethod
    def zipped(cls, *, filename: str, files: dict[str, bytes], student_ids: list[int]) -> "PackageFile":
        """A package of several files (by name), as one zip."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in files.items():
                archive.writestr(name, content)
        return cls(
            filename=filename, content_type="application/zip", content=buffer.getvalue(), student_ids=student_ids
        )


class DownloadUnavailable(Exception):
    """The link is unknown, someone else's, used or expired: all answered alike, as missing."""


def store_download(
    *, owner, purpose: str, filename: str, content_type: str, content: bytes, student_ids: list[int]
) -> DownloadLink:
    """Keep ``content`` encrypted for ``owner`` to download once within LINK_LIFETIME."""
    return DownloadLink.objects.create(
        owner=owner,
        purpose=purpose,
        filename=filename,
        content_type=content_type,
        size=len(content),
        data=cipher().encrypt(content),
        student_ids=sorted(set(student_ids)),
        expires_at=timezone.now() + LINK_LIFETIME,
    )


def store_download_stream(
    *, owner, purpose: str, filename: str, content_type: str, source: BinaryIO, student_ids: list[int]
) -> DownloadLink:
    """Like ``store_download`` for a file of any size, read from ``source`` one chunk at a time."""
    with transaction.atomic():
        link = store_download(
            owner=owner,
            purpose=purpose,
            filename=filename,
            content_type=content_type,
            content=b"",
            student_ids=student_ids,
        )
        link.data = b""
        size = index = 0
        while piece := source.read(CHUNK_BYTES):
            DownloadChunk.objects.create(link=link, index=index, data=cipher().encrypt(piece))
            size += len(piece)
            index += 1
        link.size = size
        link.save(update_fields=["data", "size"])
    return link


def download_path(link: DownloadLink) -> str:
    """The link's address on this site (signed, so it cannot be guessed from the id)."""
    token = signing.Signer(salt=_SIGNER_SALT).sign(str(link.pk)).rpartition(":")[2]
    return reverse("admin:privacy_download", kwargs={"link_id": link.pk, "token": token})


def _valid_token(link_id: int, token: str) -> bool:
    try:
        signing.Signer(salt=_SIGNER_SALT).unsign(f"{link_id}:{token}")
    except signing.BadSignature:
        return False
    return True


def available_link(*, link_id: int, token: str, user) -> DownloadLink:
    """The link if ``user`` may download it now; raises DownloadUnavailable otherwise."""
    link = DownloadLink.objects.filter(pk=link_id).defer("data").first() if _valid_token(link_id, token) else None
    if link is None or link.owner_id != user.pk or not link.is_available:
        raise DownloadUnavailable
    return link


def claim_download(*, link_id: int, token: str, user) -> tuple[DownloadLink, bytes]:
    """Serve the file once: wipe it, mark the link used and record the students it holds as exported."""
    with transaction.atomic():
        available_link(link_id=link_id, token=token, user=user)
        link = DownloadLink.objects.select_for_update().get(pk=link_id)
        if not link.is_available:  # downloaded by a concurrent request meanwhile
            raise DownloadUnavailable
        content = cipher().decrypt(bytes(link.data)) if link.data else b""
        link.data = b""
        link.downloaded_at = timezone.now()
        link.save(update_fields=["data", "downloaded_at"])
        record_students(link.student_ids, kind="exported")
        record_objects("download", [link.pk])
        record_details(download=link.purpose, size=link.size)
    return link, content


def is_chunked(link: DownloadLink, content: bytes) -> bool:
    """Whether a claimed link's file was stored in chunks (``store_download_stream``): serve ``stored_chunks``."""
    return link.size > 0 and not content


def stored_chunks(link: DownloadLink) -> Iterator[bytes]:
    """A chunked file's content after ``claim_download``, one decrypted chunk at a time, each deleted once read:
    neither the file nor the copy served is ever whole in memory."""
    pieces = DownloadChunk.objects.filter(link=link).order_by("index").values_list("pk", "data")
    for pk, data in pieces.iterator(chunk_size=1):
        yield cipher().decrypt(bytes(data))
        DownloadChunk.objects.filter(pk=pk).delete()


def wipe_downloads_of(student_ids: list[int]) -> int:
    """Wipe the not yet downloaded files holding any of these students (their record is being destroyed)."""
    pending = DownloadLink.objects.filter(student_ids__overlap=student_ids, downloaded_at=None)
    DownloadChunk.objects.filter(link__in=pending)._raw_delete(DownloadChunk.objects.db)
    return pending.exclude(data=b"").update(data=b"")


def purge_expired_downloads(*, now: datetime.datetime | None = None) -> int:
    """Wipe the files of links that expired unused; the links stay as the record that a file was made."""
    now = now or timezone.now()
    DownloadChunk.objects.filter(link__expires_at__lte=now)._raw_delete(DownloadChunk.objects.db)
    expired = DownloadLink.objects.filter(expires_at__lte=now).exclude(data=b"")
    return expired.update(data=b"")


def notify_ready(link: DownloadLink) -> None:
    """Mail the owner that the file is ready; the mail holds the link and no student data."""
    send_mail(
        subject=f"Insights: your {link.purpose} is ready",
        message=(
            f"The {link.purpose} you asked for is ready to download once, until "
            f"{timezone.localtime(link.expires_at):%Y-%m-%d %H:%M}:\n\n{settings.SITE_URL}{download_path(link)}\n\n"
            "Only you can open this link, after signing in. It also appears in the admin under "
            "Privacy operations > Downloads."
        ),
        from_email=None,
        recipient_list=[link.owner.email],
    )
