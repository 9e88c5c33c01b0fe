"""Copy a SQLite relay database into PostgreSQL (``desktopchat relay migrate-sqlite``).

A team moving from one relay to several copies everything a relay keeps: accounts with
their password hashes, sessions (so nobody has to log in again), rooms, messages with
their ids and edit/delete counters, used local-login proofs, and the records of uploaded
files and thumbnails (their bytes stay in the relay's ``files/`` directory: copy or share it
with the new relays). Throttled attempts are not copied: they only matter for minutes.

The source is read from a snapshot (SQLite's backup API, safe while a relay still runs on
it), migrated to the current schema there, so the original file is never written. The
target must hold no accounts and no messages yet; the copy is one transaction, so a
failure leaves it as it was.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

from desktopchat.server.relay import postgres_schema, postgres_store, sqlite_store
from desktopchat.server.relay.database import PostgresSettings
from desktopchat.sqlite_files import open_database

#: The tables copied and their columns, the same in both schemas, parents first.
TABLES: dict[str, tuple[str, ...]] = {
    "users": ("id", "username", "display_name", "email", "password_hash", "created_at"),
    "sessions": ("token_hash", "user_id", "expires_at"),
    "rooms": ("id", "name", "topic", "created_by", "last_message_id", "change_seq"),
    "messages": (
        "room_id",
        "id",
        "client_id",
        "author_id",
        "text",
        "sent_at",
        "edited_at",
        "deleted",
        "changed_seq",
    ),
    "used_once": ("key", "expires_at"),
    "files": (
        "id",
        "room",
        "uploader_id",
        "digest",
        "name",
        "size",
        "type",
        "width",
        "height",
        "created_at",
        "message_id",
        "position",
    ),
    "thumbnails": ("digest", "thumb_digest", "type", "reason"),
    "dm_members": ("room_id", "user_id"),
    "replies": ("room_id", "message_id", "reply_to"),
    "reactions": ("room_id", "message_id", "emoji", "user_id", "created_at"),
    "message_mentions": ("room_id", "message_id", "user_id"),
    "read_marks": ("user_id", "room_id", "message_id", "updated_at"),
}
#: Tables with generated ids, whose sequences must continue after the copied ids.
_IDENTITIES = ("users", "rooms")


class MigrationError(Exception):
    """The copy cannot be made; the message says why (and nothing was written)."""


@dataclass(frozen=True, slots=True)
class Copied:
    """Rows copied per table."""

    rows: dict[str, int]

    def summary(self) -> str:
        """``3 users, 2 sessions, …`` for the command's report."""
        return ", ".join(f"{count} {table}" for table, count in self.rows.items())


def _snapshot(source: Path, into: Path) -> sqlite3.Connection:
    """A migrated copy of ``source`` at ``into`` (``source`` is only read)."""
    if not source.is_file():
        raise MigrationError(f"no SQLite database at {source}")
    try:
        original = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(into)
            original.backup(copy)
            copy.close()
        finally:
            original.close()
        return open_database(into, sqlite_store.MIGRATIONS)
    except sqlite3.Error as exc:
        raise MigrationError(f"cannot read {source} as a relay database: {exc}") from exc


def copy(source: Path, target: PostgresSettings) -> Copied:
    """Copy the relay database at ``source`` into the (empty) database ``target``."""
    with tempfile.TemporaryDirectory(prefix="desktopchat-migrate-") as scratch:
        snapshot = _snapshot(source, Path(scratch) / "relay.sqlite3")
        try:
            return _copy_rows(snapshot, target)
        except psycopg.Error as exc:  # libpq's messages never include the password
            raise MigrationError(f"cannot copy into {target.display}: {exc}") from exc
        finally:
            snapshot.close()


def _copy_rows(snapshot: sqlite3.Connection, target: PostgresSettings) -> Copied:
    with postgres_store.connect(target) as conn:
        postgres_schema.migrate(conn)
        with conn.transaction():
            # Whoever else starts on the target meanwhile waits for the copy to finish.
            conn.execute("LOCK TABLE users, rooms, messages IN EXCLUSIVE MODE")
            row = conn.execute(
                "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM messages)"
            ).fetchone()
            if row is not None and (row[0] or row[1]):
                raise MigrationError(
                    f"{target.display} already holds {row[0]} accounts and {row[1]} messages; "
                    "copy into a new, empty database"
                )
            conn.execute("DELETE FROM rooms")  # the default room; the source has its own
            rows: dict[str, int] = {}
            for table, columns in TABLES.items():
                names = ", ".join(columns)
                source_rows = snapshot.execute(f"SELECT {names} FROM {table}")  # noqa: S608
                count = 0
                with conn.cursor().copy(f"COPY {table} ({names}) FROM STDIN".encode()) as pipe:
                    for values in source_rows:
                        pipe.write_row(_converted(table, values))
                        count += 1
                rows[table] = count
            for table in _IDENTITIES:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                    f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)".encode()
                )
    return Copied(rows)


def _converted(table: str, values: tuple[object, ...]) -> tuple[object, ...]:
    """SQLite's 0/1 ``deleted`` as PostgreSQL's boolean; everything else as it is."""
    if table != "messages":
        return values
    deleted = TABLES["messages"].index("deleted")
    return (*values[:deleted], bool(values[deleted]), *values[deleted + 1 :])
