"""The exit export on the real queue: the worker builds the zip, the officer downloads it once, streamed in chunks.

Its own test package: the worker reads through its own connection, so these rows are committed
(transactional_db), which the demo district's package-wide transaction would not allow.
"""

import io
import zipfile

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission
from django.urls import reverse

from destruction.exits import request_exit_export
from destruction.models import ExitExport
from insights.jobs import run_worker_until_idle
from privacy import downloads
from privacy.models import DownloadChunk, DownloadLink
from tests.destruction.test_exit_export import rows
from tests.factories import EducatorFactory, StudentFactory


@pytest.fixture
def officer_alone(transactional_db):
    """A privacy officer in a district of three students, committed so the worker's own connection sees it."""
    officer = EducatorFactory(email="officer@district.example", is_staff=True)
    officer.user_permissions.add(Permission.objects.get(codename="privacy_operations"))
    StudentFactory.create_batch(3)
    return officer


def test_the_worker_builds_it_and_the_officer_downloads_it_once_streamed_in_chunks(officer_alone, client, monkeypatch):
    monkeypatch.setattr(downloads, "CHUNK_BYTES", 4096)
    export = request_exit_export(actor=officer_alone, include_restricted=False)
    assert ExitExport.objects.get(pk=export.pk).status == ExitExport.Status.QUEUED
    run_worker_until_idle()
    export.refresh_from_db()
    assert export.status == ExitExport.Status.DONE
    link = DownloadLink.objects.get(owner=officer_alone)
    assert DownloadChunk.objects.filter(link=link).count() > 1
    assert bytes(DownloadChunk.objects.filter(link=link).first().data).startswith(b"gAAAAA")

    Authenticator.objects.create(user=officer_alone, type=Authenticator.Type.TOTP, data={})
    client.force_login(officer_alone)
    response = client.post(downloads.download_path(link))
    content = b"".join(response.streaming_content)
    assert len(content) == link.size == export.size
    assert len(rows(zipfile.ZipFile(io.BytesIO(content)), "tables/students_student.csv")) == 3
    assert not DownloadChunk.objects.filter(link=link).exists()
    assert client.post(downloads.download_path(link)).status_code == 404
    page = client.get(reverse("admin:destruction_exitexport_change", args=[export.pk])).content.decode()
    assert "Done" in page
