"""Handing a file to the person who asked for it: the privacy app's one-time download link (privacy/downloads.py).

The link keeps the file encrypted, opens only for the requester, once, within 24 hours, and each
download is recorded; the requester is mailed that it is ready. This module is the one place
destruction calls it from.
"""

from pathlib import Path

from privacy.downloads import notify_ready, store_download, store_download_stream


def deliver_bytes(*, requester, content: bytes, filename: str, content_type: str, purpose: str):
    """A one-time link to ``content`` (a certificate) for ``requester``, who is mailed it; returns the DownloadLink."""
    link = store_download(
        owner=requester,
        purpose=purpose[:60],
        filename=filename[:120],
        content_type=content_type,
        content=content,
        student_ids=[],
    )
    notify_ready(link)
    return link


def deliver_file(*, requester, path: Path, filename: str, content_type: str, purpose: str, student_ids: list[int]):
    """A one-time link to the file at ``path`` (an exit export), stored chunk by chunk; returns the DownloadLink."""
    with path.open("rb") as source:
        link = store_download_stream(
            owner=requester,
            purpose=purpose[:60],
            filename=filename[:120],
            content_type=content_type,
            source=source,
            student_ids=student_ids,
        )
    notify_ready(link)
    return link
