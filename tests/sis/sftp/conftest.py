"""A real SFTP server for each test (tests/sis/sftp/server.py), packages on it, and sources pointing at it."""

import datetime
import os
import zipfile

import asyncssh
import pytest
from django.utils import timezone

from students.sis.sftp.models import ImportSource
from tests.sis.conftest import EDUCATORS, SCHOOLS, STUDENTS, csv_text, make_importer, manifest_text
from tests.sis.sftp.server import USERNAME, SftpServer

PASSWORD = "correct horse battery staple"


def write_package(folder, name: str, *, age: datetime.timedelta = datetime.timedelta(0), manifest=None, **files):
    """A zip package on the server, its modification time set ``age`` in the past."""
    files = files or {"schools": SCHOOLS, "educators": EDUCATORS, "students": STUDENTS}
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.csv", manifest_text(list(files), **(manifest or {})))
        for file_name, rows in files.items():
            archive.writestr(f"{file_name}.csv", csv_text(rows))
    changed = (timezone.now() - age).timestamp()
    os.utime(path, (changed, changed))
    return path


@pytest.fixture
def outbox(tmp_path):
    folder = tmp_path / "sftp-root" / "outbox"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def client_key():
    return asyncssh.generate_private_key("ssh-ed25519")


@pytest.fixture
def server(outbox, client_key):
    with SftpServer(outbox.parent, password=PASSWORD, client_key=client_key) as running:
        yield running


@pytest.fixture
def importer(transactional_db):
    return make_importer()


def make_source(server, **fields) -> ImportSource:
    values = {
        "name": "nightly",
        "host": "127.0.0.1",
        "port": server.port,
        "username": USERNAME,
        "auth": ImportSource.Auth.PASSWORD,
        "password": PASSWORD,
        "host_keys": server.host_key_line,
        "remote_folder": "/outbox",
        "file_pattern": "insights-*.zip",
    } | fields
    return ImportSource.objects.create(**values)
