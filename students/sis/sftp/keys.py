"""SSH keys as an admin pastes them: the host keys to pin and the key Insights logs in with.

asyncssh, with the FIDO and X.509 code it brings, adds about 11 MiB and 0.3 s to a process. Only a
pull, a connection test or a source's admin page needs it, so it is imported here when a key is
first read, and every web worker and command starts without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncssh


def parse_host_keys(text: str) -> list[asyncssh.SSHKey]:
    """Public keys, one a line, as ``ssh-keyscan`` prints them (``host type base64``) or bare (``type base64``)."""
    import asyncssh

    keys = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        for start in (0, 1):
            try:
                keys.append(asyncssh.import_public_key(" ".join(fields[start : start + 2])))
                break
            except (asyncssh.KeyImportError, ValueError):
                continue
        else:
            raise ValueError(
                f"Line {number} of the host keys is not an SSH public key (expected e.g. 'ssh-ed25519 AAAA…')."
            )
    return keys


def parse_private_key(text: str) -> asyncssh.SSHKey:
    """An unencrypted private key in OpenSSH or PEM form (stored encrypted at rest by Insights itself)."""
    import asyncssh

    try:
        return asyncssh.import_private_key(text.strip() + "\n")
    except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError, ValueError) as problem:
        if "passphrase" in str(problem).lower() or isinstance(problem, asyncssh.KeyEncryptionError):
            raise ValueError("The private key is protected by a passphrase; paste it without one.") from None
        raise ValueError("This is not an SSH private key in OpenSSH or PEM form.") from None


def describe_key(key: asyncssh.SSHKey) -> str:
    return f"{key.get_algorithm()} {key.get_fingerprint('sha256')}"
