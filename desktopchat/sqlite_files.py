"""Opening an SQLite file that another process may be opening at the same moment.

Both the relay's store and the client's local database live in files that two processes
can create together (two clients each starting the embedded hub; a `tail` beside the
window). Each migration runs under a write lock with the schema version read again inside
it, and the switch to WAL, which is refused while another connection holds a lock, waits
for that lock and tries again. Plain Python: the hub and the client both use it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Sequence
from pathlib import Path

#: Attempts at the WAL switch; each waits up to the connection's busy timeout (5 s).
WAL_ATTEMPTS = 10


def open_database(
    path: Path, migrations: Sequence[str], *, check_same_thread: bool = True
) -> sqlite3.Connection:
    """Connect to ``path`` (created owner-only), bring its schema up to date, use WAL.

    ``migrations`` are SQL scripts applied in order; ``PRAGMA user_version`` records how
    many ran. Statements are split where SQLite says one is complete, so a ``;`` inside a
    literal or a trigger's body stays in its statement.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    make_private(path)
    db = sqlite3.connect(path, check_same_thread=check_same_thread, isolation_level=None)
    for _ in range(WAL_ATTEMPTS):
        try:
            db.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError:
            db.execute("BEGIN IMMEDIATE")  # wait (busy timeout) for the other's lock
            db.execute("COMMIT")
    else:
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for number, script in enumerate(migrations, start=1):
        db.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(db) < number:
                for statement in _statements(script):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={number}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite already rolled back after a full disk
                db.execute("ROLLBACK")
            raise
    return db


def _statements(script: str) -> list[str]:
    """``script``'s statements, each complete (``sqlite3.complete_statement``)."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                statements.append(pending)
            pending = ""
    if pending.strip(" \n\t;"):  # a last statement without its ";"
        statements.append(pending.rstrip(";"))
    return statements


#: What SQLite keeps beside a database in WAL mode; it gives them the database's own mode.
_COMPANIONS = ("-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """Create ``path`` owner-only (0600) if missing; narrow it and its WAL files if wider.

    The directory may be one the user made, readable by all (0755): the files must not
    depend on it. SQLite creates the ``-wal`` and ``-shm`` files with the database's mode,
    so a private database keeps them private too; ones left from before are narrowed here.
    """
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError as exc:  # a directory in its place, no permission: what SQLite would say
        raise sqlite3.OperationalError(
            f"unable to open database file: {exc.strerror or exc}"
        ) from exc
    for file in (path, *(path.with_name(path.name + suffix) for suffix in _COMPANIONS)):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            file.chmod(mode & 0o700)


def schema_version(db: sqlite3.Connection) -> int:
    """How many migrations have run on ``db``."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])
