"""A private PostgreSQL cluster for development and tests, used when DATABASE_URL is unset.

`make run` and `make test` call ``python -m insights.localdb url``: it creates (once) and starts
(if stopped) a cluster under ``.local/postgres`` in the project, listening only on a unix socket,
and prints the DATABASE_URL to use. PostgreSQL refuses to run as root, so when invoked as root the
server runs as an unprivileged system user. Only the standard library is used: this runs before
the virtualenv is guaranteed to exist.
"""

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "insights"
SUPERUSER = "insights"
PORT = "5432"
# A unix socket path may not exceed 107 bytes on Linux; leave room for "/.s.PGSQL.5432".
MAX_SOCKET_DIR_LENGTH = 90
UNPRIVILEGED_USERS = ("postgres", "nobody")
# What the server writes to its log when a statement fails: the error in one line, without the
# statement (which may be SQL built with literal values), its parameters, or the DETAIL line
# ("Failing row contains (...)" quotes a whole note). Mirrors what docs/deployment.md asks of
# Heroku Postgres; applied with ALTER SYSTEM on every start, so an existing cluster gets them too.
SAFE_LOG_SETTINGS = {
    "log_min_error_statement": "panic",
    "log_error_verbosity": "terse",
    "log_parameter_max_length_on_error": "0",
    "log_parameter_max_length": "0",
}
COMMON_BIN_DIRS = ("/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin")


class LocalDatabaseError(Exception):
    """A problem the developer must fix; the message says how."""


def find_bin_dir() -> Path:
    """Locate initdb/pg_ctl: PG_BIN_DIR, `pg_config --bindir`, PATH, then the usual install paths."""
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    initdb_on_path = shutil.which("initdb")
    if initdb_on_path:
        candidates.append(Path(initdb_on_path).resolve().parent)
    versioned = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: int(Path(path).parent.name) if Path(path).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [Path(path) for path in versioned]
    candidates += [Path(path) for path in COMMON_BIN_DIRS]
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    raise LocalDatabaseError(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found.\n"
        "Install them (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql)\n"
        "or set PG_BIN_DIR to their folder, or set DATABASE_URL to use an existing server."
    )


def server_account() -> pwd.struct_passwd | None:
    """The account the server runs as: None means the current user; as root, an unprivileged one."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise LocalDatabaseError(
        "Running as root, and no unprivileged account (postgres or nobody) exists to run "
        "PostgreSQL. Create one (useradd --system postgres) or set DATABASE_URL."
    )


def can_reach(account: pwd.struct_passwd | None, path: Path) -> bool:
    """Whether the server account can traverse every folder down to ``path``."""
    if account is None:
        return True
    for folder in [path, *path.parents]:
        if not folder.exists():
            continue
        status = folder.stat()
        if status.st_uid == account.pw_uid:
            allowed = status.st_mode & 0o100
        elif status.st_gid == account.pw_gid:
            allowed = status.st_mode & 0o010
        else:
            allowed = status.st_mode & 0o001
        if not allowed:
            return False
    return True


def cluster_dir(account: pwd.struct_passwd | None) -> Path:
    """The ignored project folder holding the cluster, or a per-project /tmp folder when the
    server account cannot reach the project (e.g. a checkout under /root) or its path is too long
    for a unix socket."""
    preferred = PROJECT_DIR / ".local" / "postgres"
    if can_reach(account, PROJECT_DIR) and len(str(preferred / "socket")) <= MAX_SOCKET_DIR_LENGTH:
        return preferred
    digest = hashlib.sha256(str(PROJECT_DIR).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"insights-postgres-{digest}"


def run_as(account: pwd.struct_passwd | None, command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a PostgreSQL tool as the server account, capturing output for error messages."""
    if account is not None:
        kwargs.update(user=account.pw_uid, group=account.pw_gid, extra_groups=[])
        kwargs["env"] = {**os.environ, "HOME": account.pw_dir, "USER": account.pw_name}
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def take_ownership(account: pwd.struct_passwd | None, path: Path) -> None:
    if account is not None:
        os.chown(path, account.pw_uid, account.pw_gid)


def ensure_cluster(database: str = DATABASE_NAME) -> str:
    """Create and start the cluster if needed, create the database, and return its URL."""
    bin_dir = find_bin_dir()
    account = server_account()
    base = cluster_dir(account)
    data_dir, socket_dir, log_file = base / "data", base / "socket", base / "server.log"
    base.mkdir(parents=True, exist_ok=True)
    for folder in (base, socket_dir):
        folder.mkdir(exist_ok=True)
        take_ownership(account, folder)
    os.chmod(base, 0o700)

    if not (data_dir / "PG_VERSION").exists():
        result = run_as(
            account,
            [
                str(bin_dir / "initdb"),
                "--pgdata",
                str(data_dir),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
            ],
        )
        if result.returncode != 0:
            raise LocalDatabaseError(f"initdb failed:\n{result.stdout}{result.stderr}")

    status = run_as(account, [str(bin_dir / "pg_ctl"), "status", "--pgdata", str(data_dir)])
    if status.returncode != 0:
        if not log_file.exists():
            log_file.touch()
            take_ownership(account, log_file)
        options = f"-c listen_addresses='' -c unix_socket_directories='{socket_dir}' -p {PORT} -c fsync=off"
        result = run_as(
            account,
            [
                str(bin_dir / "pg_ctl"),
                "start",
                "--pgdata",
                str(data_dir),
                "--log",
                str(log_file),
                "--options",
                options,
                "--wait",
                "--timeout",
                "60",
            ],
        )
        if result.returncode != 0:
            log_tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
            raise LocalDatabaseError(f"PostgreSQL did not start:\n{result.stderr}\n{log_tail}")

    ensure_database(bin_dir, account, socket_dir, database)
    return f"postgres://{SUPERUSER}@/{database}?host={socket_dir}&port={PORT}"


def ensure_database(bin_dir: Path, account: pwd.struct_passwd | None, socket_dir: Path, database: str) -> None:
    psql = bin_dir / "psql"
    if not psql.exists():
        psql = Path(shutil.which("psql") or "psql")
    connection = ["-h", str(socket_dir), "-p", PORT, "-U", SUPERUSER, "-d", "postgres", "-tA"]
    for _attempt in range(30):
        exists = run_as(
            account,
            [str(psql), *connection, "-c", f"SELECT 1 FROM pg_database WHERE datname = '{database}'"],
        )
        if exists.returncode == 0:
            break
        time.sleep(0.5)  # the server accepts connections a moment after pg_ctl returns
    else:
        raise LocalDatabaseError(f"Cannot connect to the local PostgreSQL server:\n{exists.stderr}")
    settings = [f"ALTER SYSTEM SET {name} = '{value}'" for name, value in SAFE_LOG_SETTINGS.items()]
    commands = [argument for sql in [*settings, "SELECT pg_reload_conf()"] for argument in ("-c", sql)]
    configured = run_as(account, [str(psql), *connection, *commands])
    if configured.returncode != 0:
        raise LocalDatabaseError(f"Could not configure the server's logging:\n{configured.stderr}")
    if exists.stdout.strip() != "1":
        created = run_as(account, [str(psql), *connection, "-c", f"CREATE DATABASE {database}"])
        if created.returncode != 0:
            raise LocalDatabaseError(f"Could not create the database:\n{created.stderr}")


def stop_cluster() -> None:
    account = server_account()
    data_dir = cluster_dir(account) / "data"
    if (data_dir / "PG_VERSION").exists():
        run_as(account, [str(find_bin_dir() / "pg_ctl"), "stop", "--pgdata", str(data_dir), "--mode", "fast"])


def print_url(database: str = DATABASE_NAME) -> None:
    print(ensure_cluster(database))


def main(argv: list[str]) -> int:
    """``url [DATABASE]`` prints the URL of the (created, started) database; ``stop`` stops the server."""
    if argv[:1] == ["url"] and len(argv) <= 2 and all(name.isidentifier() for name in argv[1:]):
        action, arguments = print_url, argv[1:]
    elif argv == ["stop"]:
        action, arguments = stop_cluster, []
    else:
        print("usage: python -m insights.localdb {url [DATABASE]|stop}", file=sys.stderr)
        return 2
    try:
        action(*arguments)
    except LocalDatabaseError as error:
        print(f"insights.localdb: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
