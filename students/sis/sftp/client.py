"""Reading a district's SFTP server: pinned host keys, the newest matching file, a bounded download.

asyncssh speaks SSH and SFTP; this module runs it to completion from synchronous code (the worker's
jobs and the commands run in threads without an event loop) and turns its errors into messages an
admin can act on — which host, which key fingerprint, what was refused. A host key is trusted only
if it is one of the source's pinned keys: an unknown or changed key ends the connection before a
password or key is sent, and the error names the key the server presented.
"""

import asyncio
import concurrent.futures
import datetime
import fnmatch
import posixpath
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

from students.sis.sftp.keys import describe_key, parse_host_keys, parse_private_key
from students.sis.sftp.remote import Endpoint, Listing, PullError, RemoteFile

T = TypeVar("T")
CONNECT_TIMEOUT_SECONDS = 30


class _HostKeyWitness(asyncssh.SSHClient):
    """Remembers the host key a server presented when it was not one of the pinned keys (never trusts it)."""

    def __init__(self):
        self.presented: asyncssh.SSHKey | None = None

    def validate_host_public_key(self, host, addr, port, key) -> bool:
        self.presented = key
        return False


def _host_key_message(endpoint: Endpoint, pinned: list, presented: asyncssh.SSHKey | None) -> str:
    shown = describe_key(presented) if presented else "a key of a type that is not pinned"
    if not pinned:
        return (
            f"No host key is pinned for {endpoint.address}; it presented {shown}. Confirm that fingerprint with "
            "the server's administrator, then paste the key (ssh-keyscan's line) into the source's host keys."
        )
    return (
        f"The host key of {endpoint.address} is not a pinned one: it presented {shown}, pinned are "
        f"{', '.join(describe_key(key) for key in pinned)}. The server may have been rebuilt, or another "
        "machine may be answering in its place; nothing was sent or downloaded."
    )


async def _offered_host_key(endpoint: Endpoint) -> asyncssh.SSHKey | None:
    """The host key the server offers when not asked for a pinned type (only to name it in the error)."""
    try:
        return await asyncio.wait_for(
            asyncssh.get_server_host_key(endpoint.host, endpoint.port, config=[]), CONNECT_TIMEOUT_SECONDS
        )
    except (OSError, asyncssh.Error):  # TimeoutError is an OSError
        return None


async def _connection_failure(endpoint: Endpoint, pinned: list, problem: asyncssh.Error) -> str:
    """Why the connection failed. A server with no key of a pinned type may drop the connection before
    either side says why (whichever notices first), so a lost connection names the key the server
    offers when that key is not pinned."""
    if isinstance(problem, asyncssh.ConnectionLost):
        offered = await _offered_host_key(endpoint)
        if offered is not None and offered.public_data not in {key.public_data for key in pinned}:
            return _host_key_message(endpoint, pinned, offered)
    return f"The SSH connection to {endpoint.address} failed: {problem.reason}"


async def _session(endpoint: Endpoint, work):
    pinned = parse_host_keys(endpoint.host_keys)
    witness = _HostKeyWitness()
    auth: dict = {"client_keys": None, "password": None, "kbdint_auth": False}
    if endpoint.private_key:
        auth["client_keys"] = [parse_private_key(endpoint.private_key)]
    else:
        auth["password"] = endpoint.password
    try:
        connection, _ = await asyncssh.create_connection(
            lambda: witness,
            endpoint.host,
            endpoint.port,
            username=endpoint.username,
            known_hosts=(pinned, [], []),
            x509_trusted_certs=None,
            agent_path=None,
            config=[],
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            login_timeout=CONNECT_TIMEOUT_SECONDS,
            **auth,
        )
    except asyncssh.HostKeyNotVerifiable:
        raise PullError(_host_key_message(endpoint, pinned, witness.presented)) from None
    except asyncssh.KeyExchangeFailed:  # the server has no key of a pinned type: learn which key it offers
        raise PullError(_host_key_message(endpoint, pinned, await _offered_host_key(endpoint))) from None
    except asyncssh.PermissionDenied:
        raise PullError(
            f"{endpoint.address} refused the login of user {endpoint.username!r}: the password or key is wrong, "
            "or the account may not use it."
        ) from None
    except ConnectionRefusedError:
        raise PullError(
            f"{endpoint.address} refused the connection: is the SFTP server up, and the port right?"
        ) from None
    except TimeoutError:
        raise PullError(f"Connecting to {endpoint.address} timed out after {CONNECT_TIMEOUT_SECONDS} s.") from None
    except asyncssh.Error as problem:
        raise PullError(await _connection_failure(endpoint, pinned, problem)) from None
    except OSError as problem:
        raise PullError(f"Could not reach {endpoint.address}: {problem.strerror or type(problem).__name__}.") from None
    async with connection:
        try:
            async with connection.start_sftp_client() as sftp:
                return await work(sftp)
        except asyncssh.SFTPPermissionDenied:
            raise PullError(
                f"User {endpoint.username!r} may not read the source's folder on {endpoint.address}."
            ) from None
        except asyncssh.Error as problem:
            raise PullError(f"The SFTP session with {endpoint.address} failed: {problem.reason}") from None


async def _list(sftp, folder: str, pattern: str, address: str) -> Listing:
    try:
        entries = await sftp.readdir(folder)
    except asyncssh.SFTPNoSuchFile:
        raise PullError(f"The folder {folder!r} does not exist on {address}.") from None
    matches = [
        RemoteFile(
            path=posixpath.join(folder, entry.filename),
            size=entry.attrs.size or 0,
            modified=datetime.datetime.fromtimestamp(entry.attrs.mtime or 0, tz=datetime.UTC),
        )
        for entry in entries
        if entry.attrs.type == asyncssh.FILEXFER_TYPE_REGULAR and fnmatch.fnmatchcase(entry.filename, pattern)
    ]
    matches.sort(key=lambda remote: (remote.modified, remote.path), reverse=True)
    return Listing(folder=folder, matches=matches)


def _run(session: Coroutine[Any, Any, T]) -> T:
    """Run an SSH session to the end on an event loop of its own, in a thread of its own.

    asyncssh needs a loop, and the calling thread may already run one (an async caller, or
    Playwright's sync API in the browser tests), where ``asyncio.run`` refuses to start another.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sftp") as thread:
        return thread.submit(asyncio.run, session).result()


def list_matches(endpoint: Endpoint, *, folder: str, pattern: str) -> Listing:
    """Connect and list the files matching ``pattern`` in ``folder`` (the admin's "test connection")."""
    return _run(_session(endpoint, lambda sftp: _list(sftp, folder, pattern, endpoint.address)))


def download_newest(endpoint: Endpoint, *, folder: str, pattern: str, accept, into: Path) -> tuple[RemoteFile, Path]:
    """Download the newest matching file into the folder ``into``, after ``accept(remote)`` (which may raise)."""

    async def work(sftp):
        listing = await _list(sftp, folder, pattern, endpoint.address)
        if listing.newest is None:
            raise PullError(f"No file matching {pattern!r} is in the folder {folder!r} on {endpoint.address}.")
        accept(listing.newest)
        local = into / listing.newest.name
        await sftp.get(listing.newest.path, str(local), preserve=False)
        return listing.newest, local

    return _run(_session(endpoint, work))
