"""A real PostgreSQL server for the tests, started by the test session itself.

Debian's ``postgresql`` package (installed by ``.ci/test``) provides the binaries under
``/usr/lib/postgresql/VERSION/bin``. The server runs from a temporary directory: ``initdb``
as an unprivileged user (PostgreSQL refuses to run as root, and CI runs as root), a free
loopback port, its Unix socket in the same directory, password authentication over TCP
(so the relay's password handling is what the tests use), and no fsync (the tests need no
durability across power loss). Each test gets a fresh database copied from a template that
already has the relay's schema, which takes milliseconds.

``postgres`` (session-wide) is registered for the whole suite in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from desktopchat.server.relay import postgres_schema
from desktopchat.server.relay.database import PostgresSettings

#: The superuser initdb creates, and the role the relays connect as.
ROLE = "desktopchat"
TEMPLATE = "relay_template"
#: The database the relay's API suite reuses, emptied before each test.
SHARED = "relay_tests"
#: What emptying it takes: every table, ids from 1 again, and the room a new relay has.
_RESET = """
    TRUNCATE users, sessions, rooms, messages, used_once, attempts, files, thumbnails
        RESTART IDENTITY CASCADE;
    INSERT INTO rooms (name, topic) VALUES ('general', 'Everyone, everything');
"""
#: Server settings for tests: fast rather than durable.
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "32MB",
}


def bin_dir() -> Path:
    """Where ``initdb`` and ``pg_ctl`` are: Debian's newest version, else the PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    if found is None:
        raise RuntimeError(
            "PostgreSQL's initdb was not found (Debian: apt-get install postgresql; "
            ".ci/test installs it)"
        )
    return Path(found).parent


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> tuple[int, int] | None:
    """The (uid, gid) to run the server as when we are root: ``postgres`` or ``nobody``."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
    raise RuntimeError("running as root, and neither a postgres nor a nobody user exists")


class PostgresServer:
    """One PostgreSQL cluster in a temporary directory; :meth:`stop` and :meth:`start`
    may be called again (a database outage and its end)."""

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.settings_used = {**SETTINGS, **(settings or {})}
        self.bin = bin_dir()
        self._owner = _server_user()
        # The server's user must reach its directory: not under a root-only $TMPDIR.
        parent = "/tmp" if self._owner is not None and Path("/tmp").is_dir() else None  # noqa: S108
        self.root = Path(tempfile.mkdtemp(prefix="desktopchat-pg-", dir=parent))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.password = secrets.token_urlsafe(16)
        self._names = itertools.count(1)
        self._shared = False
        self.root.chmod(0o755)
        (self.root / "pwfile").write_text(self.password + "\n")
        if self._owner is not None:
            for path in (self.root, self.root / "pwfile"):
                os.chown(path, *self._owner)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            ROLE,
            "--pwfile",
            str(self.root / "pwfile"),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )

    def _run(self, program: str, *args: str) -> None:
        owner = self._owner
        result = subprocess.run(
            [str(self.bin / program), *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=self.root,
            user=owner[0] if owner else None,
            group=owner[1] if owner else None,
            extra_groups=[] if owner else None,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"},
        )
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({result.returncode}): {result.stderr}{result.stdout}\n{log}"
            )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = " ".join(f"-c {name}={value}" for name, value in self.settings_used.items())
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-o",
            f"-p {self.port} -k {self.root} {options}",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: disconnect every client now; ``immediate``: crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        """Stop the server if it runs and delete its directory."""
        with contextlib.suppress(RuntimeError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def pids(self) -> list[int]:
        """The server's processes: the postmaster and its children (for CPU readings)."""
        try:
            postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    children.append(int(stat.parent.name))
        return [postmaster, *children]

    def url(self, database: str) -> str:
        """A URL to ``database`` over TCP, without the password (as relays are given it)."""
        return f"postgresql://{ROLE}@127.0.0.1:{self.port}/{database}"

    def settings(self, database: str) -> PostgresSettings:
        """What a relay needs to use ``database``."""
        return PostgresSettings(self.url(database), password=self.password)

    def admin(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """A superuser connection over the Unix socket (autocommit)."""
        return psycopg.connect(
            host=str(self.root), port=self.port, user=ROLE, dbname=database, autocommit=True
        )

    def create_template(self) -> None:
        """The template every test database is copied from: the relay's schema, migrated."""
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        with self.admin(TEMPLATE) as conn:
            postgres_schema.migrate(conn)

    def new_database(self, *, empty: bool = False) -> str:
        """A fresh database (the relay's schema, unless ``empty``); returns its name."""
        name = f"test_{next(self._names)}"
        template = "template0" if empty else TEMPLATE
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    def emptied_database(self) -> str:
        """The shared test database as a new relay finds it (faster than a new database).

        For tests whose relays are all stopped by the next test's start, as fixtures do.
        """
        if not self._shared:
            with self.admin() as conn:
                conn.execute(f"CREATE DATABASE {SHARED} TEMPLATE {TEMPLATE}")
            self._shared = True
        else:
            with self.admin(SHARED) as conn:
                conn.execute(_RESET.encode())
        return SHARED


def start_server(settings: dict[str, str] | None = None) -> PostgresServer:
    """A started server (``settings`` over :data:`SETTINGS`) with the template database;
    remove() it when done."""
    server = PostgresServer(settings)
    try:
        server.start()
        server.create_template()
    except BaseException:
        server.remove()
        raise
    return server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (started on first use, removed at the end)."""
    server = start_server()
    yield server
    server.remove()
