"""The SFTP sources' admin (write-only secrets, pinned keys, test and pull on the worker) and pull_sis_source."""

import asyncssh
import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import AccessEvent
from insights.jobs import run_worker_until_idle
from students.models import Student
from students.sis.models import ImportRun
from students.sis.sftp.models import ImportSource
from tests.factories import EducatorFactory
from tests.sis.sftp.conftest import PASSWORD, make_source, write_package
from tests.sis.sftp.server import USERNAME


def signed_in(client, educator):
    educator.is_staff = True
    educator.save()
    Authenticator.objects.create(user=educator, type=Authenticator.Type.TOTP, data={})
    client.force_login(educator)
    return client


@pytest.fixture
def admin_client(client, importer):
    return signed_in(client, importer)


def form_data(server, **changes) -> dict:
    return {
        "name": "nightly",
        "enabled": "on",
        "host": "127.0.0.1",
        "port": server.port,
        "username": USERNAME,
        "auth": "password",
        "new_password": PASSWORD,
        "new_private_key": "",
        "host_keys": server.host_key_line,
        "remote_folder": "/outbox",
        "file_pattern": "insights-*.zip",
        "max_age_days": 3,
        "run_at": "02:00",
    } | changes


def test_an_admin_adds_a_source_whose_secret_is_never_shown_back(admin_client, server):
    response = admin_client.post(reverse("admin:sis_importsource_add"), form_data(server))
    assert response.status_code == 302, response.content.decode()
    source = ImportSource.objects.get()
    assert source.password == PASSWORD

    page = admin_client.get(reverse("admin:sis_importsource_change", args=[source.pk])).content.decode()
    assert PASSWORD not in page and "A password is stored" in page
    assert server.host_key.get_fingerprint("sha256") in page

    kept = admin_client.post(
        reverse("admin:sis_importsource_change", args=[source.pk]), form_data(server, new_password="")
    )
    assert kept.status_code == 302
    source.refresh_from_db()
    assert source.password == PASSWORD

    events = AccessEvent.objects.filter(action="sis_source_change").order_by("id")
    assert [event.details["created"] for event in events] == [True, False]
    assert "new_password" in events[0].details["fields"] and PASSWORD not in str(events[0].details)

    admin_client.post(reverse("admin:sis_importsource_delete", args=[source.pk]), {"post": "yes"})
    assert not ImportSource.objects.exists()
    assert AccessEvent.objects.filter(action="sis_source_delete", details__source="nightly").exists()


def test_a_key_login_shows_only_the_public_half(admin_client, server, client_key):
    private = client_key.export_private_key().decode()
    data = form_data(server, auth="key", new_password="", new_private_key=private)
    assert admin_client.post(reverse("admin:sis_importsource_add"), data).status_code == 302
    source = ImportSource.objects.get()
    assert source.password == "" and source.private_key.strip() == private.strip()

    page = admin_client.get(reverse("admin:sis_importsource_change", args=[source.pk])).content.decode()
    public = client_key.export_public_key().decode().split()[1]
    assert public in page and private.splitlines()[1] not in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"host_keys": "not a key"}, "host_keys", "is not an SSH public key"),
        ({"auth": "key", "new_password": ""}, "new_private_key", "Paste the private key"),
        ({"auth": "key", "new_private_key": "-----BEGIN NONSENSE-----"}, "new_private_key", "not an SSH private key"),
        ({"new_password": ""}, "new_password", "Enter the password"),
    ],
)
def test_the_form_refuses_what_cannot_work(admin_client, server, changes, field, message):
    response = admin_client.post(reverse("admin:sis_importsource_add"), form_data(server, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not ImportSource.objects.exists()


def test_a_passphrase_protected_key_is_refused_with_its_reason(admin_client, server, client_key):
    locked = client_key.export_private_key("pkcs8-pem", passphrase="secret").decode()
    data = form_data(server, auth="key", new_password="", new_private_key=locked)
    response = admin_client.post(reverse("admin:sis_importsource_add"), data)
    assert "protected by a passphrase" in " ".join(response.context["adminform"].form.errors["new_private_key"])


def test_test_connection_runs_on_the_worker_and_reports_the_newest_file(admin_client, server, outbox):
    write_package(outbox, "insights-1.zip")
    source = make_source(server)

    response = admin_client.post(reverse("admin:sis_importsource_test", args=[source.pk]))
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.last_test_at is None, "the request only queues the test"
    run_worker_until_idle()

    source.refresh_from_db()
    assert source.last_test_ok is True and "the newest insights-1.zip" in source.last_test_message
    page = admin_client.get(reverse("admin:sis_importsource_change", args=[source.pk])).content.decode()
    assert "the newest insights-1.zip" in page


def test_test_connection_of_an_unpinned_server_shows_its_fingerprint(admin_client, server):
    source = make_source(server, host_keys="")
    admin_client.post(reverse("admin:sis_importsource_test", args=[source.pk]))
    run_worker_until_idle()
    source.refresh_from_db()
    assert source.last_test_ok is False
    assert server.host_key.get_fingerprint("sha256") in source.last_test_message
    assert not ImportRun.objects.exists()


def test_pull_now_imports_on_the_worker_as_the_admin(admin_client, importer, server, outbox):
    write_package(outbox, "insights-1.zip")
    source = make_source(server)

    admin_client.post(reverse("admin:sis_importsource_pull", args=[source.pk]))
    assert not ImportRun.objects.exists()
    run_worker_until_idle()

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.APPLIED and run.triggered_by == importer
    page = admin_client.get(reverse("admin:sis_importsource_changelist")).content.decode()
    assert f"Import run #{run.pk}" in page


def test_the_source_pages_need_the_import_permission(client, transactional_db, server):
    source = make_source(server)
    signed_in(client, EducatorFactory(email="staff@district.example"))
    assert client.get(reverse("admin:sis_importsource_changelist")).status_code == 403
    assert client.get(reverse("admin:sis_importsource_change", args=[source.pk])).status_code == 403
    assert client.post(reverse("admin:sis_importsource_pull", args=[source.pk])).status_code == 403
    assert client.post(reverse("admin:sis_importsource_test", args=[source.pk])).status_code == 403
    run_worker_until_idle()
    assert not ImportRun.objects.exists()


def test_the_command_pulls_a_source_now(importer, server, outbox, capsys):
    write_package(outbox, "insights-1.zip")
    make_source(server)

    call_command("pull_sis_source", "nightly", "--actor", importer.email)

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.APPLIED and run.triggered_by == importer
    assert Student.objects.exists()
    assert f"Import run #{run.pk}: Applied" in capsys.readouterr().out


def test_the_command_fails_loudly(importer, server):
    make_source(server, host_keys=asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode())
    with pytest.raises(CommandError, match="not a pinned one"):
        call_command("pull_sis_source", "nightly", "--actor", importer.email)
    with pytest.raises(CommandError, match=r"No import source is named 'weekly' \(sources: nightly\)"):
        call_command("pull_sis_source", "weekly", "--actor", importer.email)
    outsider = EducatorFactory(email="outsider@district.example")
    with pytest.raises(CommandError, match="run_imports"):
        call_command("pull_sis_source", "nightly", "--actor", outsider.email)
