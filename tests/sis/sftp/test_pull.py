"""Scheduled pulls from a real SFTP server on 127.0.0.1: the newest package imported through the queue,
and every way a pull can go wrong leaving a failed run that says why, a mail, and the data untouched."""

import contextlib
import datetime
import socket
import threading

import asyncssh
from django.core import mail
from django.db import connection
from django.utils import timezone

from audit.models import AccessEvent
from insights.jobs import run_worker_until_idle
from students.models import Student
from students.sis.models import ImportRun
from students.sis.sftp.models import ImportSource
from students.sis.sftp.pulls import pull_source
from students.sis.tasks import pull_due_sources
from tests.sis.conftest import SCHOOLS, STUDENTS
from tests.sis.sftp.conftest import PASSWORD, make_source, write_package
from tests.sis.sftp.server import USERNAME
from tests.sis.test_bad_input import table_checksums


def scheduled_tick(at: datetime.datetime) -> None:
    """What the periodic task does at ``at``, run by a real worker: the due pulls are deferred and run."""
    pull_due_sources.defer(timestamp=int(at.timestamp()))
    run_worker_until_idle()


def last_run() -> ImportRun:
    return ImportRun.objects.latest("id")


def test_a_scheduled_pull_imports_the_newest_package_through_the_queue(server, outbox, client_key, importer):
    write_package(outbox, "insights-2026-11-29.zip", age=datetime.timedelta(days=2), students=STUDENTS[:3])
    write_package(outbox, "insights-2026-12-01.zip", age=datetime.timedelta(hours=1))
    write_package(outbox, "notes.zip", schools=SCHOOLS)  # newer, but not matching the pattern
    now = timezone.now()
    source = make_source(
        server,
        auth=ImportSource.Auth.KEY,
        password="",
        private_key=client_key.export_private_key().decode(),
        run_at=(timezone.localtime(now) - datetime.timedelta(minutes=30)).time(),
        last_scheduled_for=now - datetime.timedelta(days=1),
    )

    scheduled_tick(now)

    run = last_run()
    assert run.status == ImportRun.Status.APPLIED, run.error
    assert run.source == "sftp nightly" and run.triggered_by is None
    assert Student.objects.count() == len(STUDENTS)
    source.refresh_from_db()
    assert source.last_pull_run == run and source.last_pull_file == "/outbox/insights-2026-12-01.zip"
    assert AccessEvent.objects.filter(action="sis_import", details__run=run.pk).exists()

    scheduled_tick(now + datetime.timedelta(minutes=5))
    assert last_run() == run, "one pull per scheduled time"

    scheduled_tick(now + datetime.timedelta(days=1))
    again = last_run()
    assert again != run and again.status == ImportRun.Status.UNCHANGED


def test_a_disabled_or_not_yet_due_source_is_not_pulled(server, outbox, importer):
    write_package(outbox, "insights-1.zip")
    now = timezone.now()
    make_source(server, name="later", run_at=(timezone.localtime(now) + datetime.timedelta(hours=2)).time())
    make_source(server, name="off", enabled=False, last_scheduled_for=now - datetime.timedelta(days=3))

    scheduled_tick(now)

    assert not ImportRun.objects.exists()


def test_an_unknown_host_key_is_refused_naming_the_host_and_the_fingerprint(server, outbox, importer):
    write_package(outbox, "insights-1.zip")
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    source = make_source(server, host_keys=other)
    mail.outbox.clear()

    run = pull_source(source)

    fingerprint = server.host_key.get_fingerprint("sha256")
    assert run.status == ImportRun.Status.FAILED and run.source == "sftp nightly"
    assert f"127.0.0.1:{server.port}" in run.error and fingerprint in run.error
    assert "not a pinned one" in run.error
    assert not Student.objects.exists()
    assert [message.to for message in mail.outbox] == [[importer.email]]
    assert fingerprint in mail.outbox[0].body


def test_a_server_without_a_key_of_the_pinned_type_is_refused_naming_the_key_it_offers(server, outbox, importer):
    write_package(outbox, "insights-1.zip")
    other_type = asyncssh.generate_private_key("ecdsa-sha2-nistp256").export_public_key().decode()

    run = pull_source(make_source(server, host_keys=other_type))

    assert run.status == ImportRun.Status.FAILED and "not a pinned one" in run.error
    assert server.host_key.get_fingerprint("sha256") in run.error and "ecdsa-sha2-nistp256 SHA256:" in run.error
    assert not Student.objects.exists()


@contextlib.contextmanager
def dropping_the_first_connection(port: int):
    """A relay on 127.0.0.1 to ``port`` that drops its first connection unanswered, as a server with no
    key of the type asked for may do before either side says why; later connections reach the server."""
    listener = socket.create_server(("127.0.0.1", 0))
    relayed: list[socket.socket] = []

    def relay(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    def serve() -> None:
        with contextlib.suppress(OSError):
            with listener.accept()[0] as first:  # it reads what the client sends, answers nothing and closes
                first.settimeout(5)
                first.recv(65536)
                first.shutdown(socket.SHUT_WR)
                while first.recv(65536):
                    pass
            while True:
                incoming = listener.accept()[0]
                upstream = socket.create_connection(("127.0.0.1", port))
                relayed.extend((incoming, upstream))
                for ends in ((incoming, upstream), (upstream, incoming)):
                    threading.Thread(target=relay, args=ends, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.shutdown(socket.SHUT_RDWR)
        for end in [listener, *relayed]:
            end.close()


def test_a_server_dropping_the_connection_over_a_key_type_not_pinned_is_refused_naming_its_key(server, importer):
    other_type = asyncssh.generate_private_key("ecdsa-sha2-nistp256").export_public_key().decode()
    with dropping_the_first_connection(server.port) as port:
        run = pull_source(make_source(server, port=port, host_keys=other_type))

    assert run.status == ImportRun.Status.FAILED and "not a pinned one" in run.error
    assert server.host_key.get_fingerprint("sha256") in run.error


def test_a_connection_lost_to_a_server_with_a_pinned_key_says_only_that(server, importer):
    with dropping_the_first_connection(server.port) as port:
        run = pull_source(make_source(server, port=port))

    assert run.status == ImportRun.Status.FAILED
    assert "failed: Connection lost" in run.error and "pinned" not in run.error


def test_a_source_with_no_pinned_key_refuses_every_server(server, outbox, importer):
    write_package(outbox, "insights-1.zip")

    run = pull_source(make_source(server, host_keys=""))

    assert run.status == ImportRun.Status.FAILED
    assert "No host key is pinned" in run.error and server.host_key.get_fingerprint("sha256") in run.error
    assert not Student.objects.exists()


def test_a_file_older_than_the_maximum_age_is_refused_and_the_importers_are_emailed(server, outbox, importer):
    write_package(outbox, "insights-old.zip", age=datetime.timedelta(days=4))
    mail.outbox.clear()

    run = pull_source(make_source(server))

    assert run.status == ImportRun.Status.FAILED
    assert "insights-old.zip" in run.error and "4 days ago" in run.error and "older than 3 days" in run.error
    assert not run.files.exists() and not Student.objects.exists()
    assert len(mail.outbox) == 1 and "older than 3 days" in mail.outbox[0].body


def test_no_matching_file_is_a_failed_run(server, outbox, importer):
    write_package(outbox, "roster.zip")

    run = pull_source(make_source(server))

    assert run.status == ImportRun.Status.FAILED
    assert run.error == f"No file matching 'insights-*.zip' is in the folder '/outbox' on 127.0.0.1:{server.port}."


def test_a_missing_folder_is_named(server, importer):
    run = pull_source(make_source(server, remote_folder="/inbox"))

    assert run.error == f"The folder '/inbox' does not exist on 127.0.0.1:{server.port}."


def test_a_wrong_password_is_refused(server, outbox, importer):
    write_package(outbox, "insights-1.zip")

    run = pull_source(make_source(server, password="not the password"))

    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith(f"127.0.0.1:{server.port} refused the login of user 'insights'")
    assert "not the password" not in run.error


def test_a_refused_connection_is_a_failed_run(importer):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    source = ImportSource.objects.create(
        name="down", host="127.0.0.1", port=closed_port, username=USERNAME, auth="password", password=PASSWORD
    )

    run = pull_source(source)

    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith(f"127.0.0.1:{closed_port} refused the connection")


def test_a_failed_import_of_a_pulled_package_leaves_the_database_as_it_was(server, outbox, importer):
    write_package(outbox, "insights-1.zip", age=datetime.timedelta(hours=2))
    source = make_source(server)
    assert pull_source(source).status == ImportRun.Status.APPLIED
    before = table_checksums()
    write_package(outbox, "insights-2.zip", manifest={"district.key": "another-district"})
    mail.outbox.clear()

    run = pull_source(source)

    assert run.status == ImportRun.Status.FAILED and "district" in run.error
    assert table_checksums() == before
    assert len(mail.outbox) == 1


def test_the_secret_is_encrypted_at_rest(server, importer):
    source = make_source(server)
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM sis_importsource WHERE id = %s", [source.pk])
        (stored,) = cursor.fetchone()
    assert PASSWORD not in stored and stored.startswith("gAAAA")
    assert ImportSource.objects.get(pk=source.pk).password == PASSWORD


def test_a_pulled_package_that_trips_a_guard_is_held_for_approval(server, outbox, importer, settings):
    settings.SIS_IMPORT = {**settings.SIS_IMPORT, "GUARD_MISSING_MIN": 1, "GUARD_MISSING_PERCENT": 1}
    write_package(outbox, "insights-1.zip", age=datetime.timedelta(hours=2))
    source = make_source(server)
    assert pull_source(source).status == ImportRun.Status.APPLIED
    write_package(outbox, "insights-2.zip", schools=SCHOOLS, students=STUDENTS[2:])
    mail.outbox.clear()

    held = pull_source(source)

    assert held.status == ImportRun.Status.HELD and held.source == "sftp nightly"
    assert not Student.objects.filter(missing_from_last_export=True).exists()
    assert len(mail.outbox) == 1 and "held" in mail.outbox[0].subject.lower()
