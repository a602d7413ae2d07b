"""One-time download links: the file is encrypted at rest, opens once, for its owner only, for 24 hours."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AccessEvent
from privacy.downloads import (
    LINK_LIFETIME,
    DownloadUnavailable,
    claim_download,
    download_path,
    notify_ready,
    purge_expired_downloads,
    store_download,
)
from privacy.models import DownloadLink
from privacy.tasks import purge_expired_downloads_job

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.7 the family's record of a fictional student"


@pytest.fixture
def link(demo, officer):
    return store_download(
        owner=officer,
        purpose="family's record",
        filename="family-record-1.zip",
        content_type="application/zip",
        content=CONTENT,
        student_ids=[demo.student("mateo").pk],
    )


def test_the_file_is_stored_encrypted_and_expires_a_day_later(link):
    stored = bytes(DownloadLink.objects.get(pk=link.pk).data)
    assert CONTENT not in stored
    assert stored.startswith(b"gAAAAA")  # a Fernet token
    assert link.expires_at - link.created_at == pytest.approx(LINK_LIFETIME, abs=datetime.timedelta(seconds=5))


def test_the_owner_downloads_it_once_and_the_download_is_recorded(client_for, link, demo):
    client = client_for("privacy")
    page = client.get(download_path(link))
    assert page.status_code == 200
    assert "once" in page.content.decode()
    response = client.post(download_path(link))
    assert response.status_code == 200
    assert response.content == CONTENT
    assert response["Content-Disposition"] == 'attachment; filename="family-record-1.zip"'
    event = AccessEvent.objects.latest("id")
    assert event.action == "admin:privacy_download"
    assert event.exported_student_ids == [demo.student("mateo").pk]
    assert event.object_ids == {"download": [link.pk]}
    link.refresh_from_db()
    assert link.downloaded_at is not None
    assert bytes(link.data) == b""
    assert client.post(download_path(link)).status_code == 404
    assert client.get(download_path(link)).status_code == 404


def test_someone_elses_link_answers_404_and_is_recorded_as_denied(client_for, demo, link):
    other = demo.educator("admin")
    other.user_permissions.add(*demo.educator("privacy").user_permissions.all())
    client = client_for("admin")
    assert client.post(download_path(link)).status_code == 404
    assert AccessEvent.objects.latest("id").outcome == "denied"
    link.refresh_from_db()
    assert link.downloaded_at is None


def test_an_educator_without_the_permission_gets_404_even_for_their_own_link(client_for, demo):
    teacher = demo.educator("principal.baker")
    teacher.is_staff = True
    teacher.save()
    own = store_download(
        owner=teacher, purpose="x", filename="x.csv", content_type="text/csv", content=b"a", student_ids=[]
    )
    assert client_for("principal.baker").post(download_path(own)).status_code == 404


def test_a_wrong_signature_opens_nothing(client_for, link):
    path = download_path(link)
    forged = re.sub(r"/download/[^/]+/$", "/download/forged/", path)
    assert client_for("privacy").post(forged).status_code == 404


def test_an_expired_link_answers_404_and_the_hourly_sweep_wipes_its_file(client_for, link):
    DownloadLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert client_for("privacy").post(download_path(link)).status_code == 404
    assert purge_expired_downloads() == 1
    assert bytes(DownloadLink.objects.get(pk=link.pk).data) == b""
    assert purge_expired_downloads() == 0


def test_the_sweep_keeps_files_that_are_still_valid(link):
    assert purge_expired_downloads() == 0
    assert bytes(DownloadLink.objects.get(pk=link.pk).data) != b""


def test_a_second_claim_after_the_first_is_refused(officer, link):
    token = download_path(link).rstrip("/").rpartition("/")[2]
    claim_download(link_id=link.pk, token=token, user=officer)
    with pytest.raises(DownloadUnavailable):
        claim_download(link_id=link.pk, token=token, user=officer)


def test_the_ready_mail_holds_the_link_and_no_student_data(link, demo):
    notify_ready(link)
    (message,) = mail.outbox
    assert message.to == [link.owner.email]
    assert download_path(link) in message.body
    mateo = demo.student("mateo")
    assert mateo.last_name not in message.body and mateo.local_id not in message.body


def test_the_downloads_list_shows_only_ones_own_files(client_for, link, demo):
    store_download(
        owner=demo.educator("admin"),
        purpose="other",
        filename="other.csv",
        content_type="text/csv",
        content=b"a",
        student_ids=[],
    )
    page = client_for("privacy").get("/admin/privacy/downloadlink/").content.decode()
    assert "family-record-1.zip" in page and "other.csv" not in page
    assert download_path(link) in page


def test_the_hourly_job_runs_the_sweep(link):
    DownloadLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    assert purge_expired_downloads_job(timestamp=0) == 1
