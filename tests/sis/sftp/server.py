"""A real SFTP server on 127.0.0.1 for the pull tests: asyncssh's server, in a thread with its own event loop.

It serves one folder (chrooted), has its own freshly generated host key, and accepts one user by
password or by public key — what a district's server does, on a port the system picks.
"""

import asyncio
import threading
from pathlib import Path

import asyncssh

USERNAME = "insights"


class _Login(asyncssh.SSHServer):
    def __init__(self, password: str | None):
        self.password = password

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return self.password is not None

    def validate_password(self, username: str, password: str) -> bool:
        return username == USERNAME and password == self.password


class SftpServer:
    """``with SftpServer(root, password=...) as server:`` serves ``root`` at ``server.port`` until the block ends."""

    def __init__(self, root: Path, *, password: str | None = None, client_key: asyncssh.SSHKey | None = None):
        self.root = root
        self.password = password
        self.client_key = client_key
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="test-sftp-server", daemon=True)

    @property
    def host_key_line(self) -> str:
        """The line ``ssh-keyscan`` prints for this server."""
        return f"[127.0.0.1]:{self.port} {self.host_key.export_public_key().decode().strip()}"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        authorized = None
        if self.client_key is not None:
            authorized = asyncssh.import_authorized_keys(self.client_key.export_public_key().decode())
        self._listener = self._loop.run_until_complete(
            asyncssh.listen(
                "127.0.0.1",
                0,
                server_host_keys=[self.host_key],
                authorized_client_keys=authorized,
                server_factory=lambda: _Login(self.password),
                sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=str(self.root).encode()),
                allow_scp=False,
            )
        )
        self.port = self._listener.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._listener.close()
        self._loop.run_until_complete(self._listener.wait_closed())
        self._loop.close()

    def __enter__(self) -> "SftpServer":
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise RuntimeError("The test SFTP server did not start.")
        return self

    def __exit__(self, *exc_info) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
