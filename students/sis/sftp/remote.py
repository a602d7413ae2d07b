"""What a pull reads and reports (the endpoint, a folder's listing, a remote file, why a pull failed).

These live apart from the SSH client (client.py) so that the models, the admin and the job
registry can name them without loading asyncssh, which only a pull or a connection test needs.
"""

import datetime
import posixpath
from dataclasses import dataclass


class PullError(Exception):
    """The source could not be read; the message says why, for the import history and the importers' mail."""


@dataclass(frozen=True)
class Endpoint:
    """Where and how to connect: what a configured source holds, decrypted."""

    host: str
    port: int
    username: str
    host_keys: str
    password: str = ""
    private_key: str = ""

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class RemoteFile:
    path: str
    size: int
    modified: datetime.datetime

    @property
    def name(self) -> str:
        return posixpath.basename(self.path)


@dataclass(frozen=True)
class Listing:
    """What a folder holds that matches the pattern, newest first."""

    folder: str
    matches: list[RemoteFile]

    @property
    def newest(self) -> RemoteFile | None:
        return self.matches[0] if self.matches else None
