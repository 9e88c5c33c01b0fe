"""The client's local database, one per server and user: messages seen, and the outbox.

It lives in the data dir, not the cache dir: the outbox holds messages the user wrote
that the relay does not have yet, and clearing a cache must never lose those. Messages
are stored as the relay's JSON so a restart shows history at once and fetches only what
is newer than the last id here.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from desktopchat.client.domain import Message
from desktopchat.sqlite_files import open_database

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE messages (
        room TEXT NOT NULL,
        id INTEGER NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (room, id)
    ) WITHOUT ROWID;
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        client_id TEXT NOT NULL UNIQUE,
        room TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at REAL NOT NULL,
        failed TEXT
    );
    """,
    # 2: how far each room's edits and deletes have been followed (the relay's counter).
    """
    CREATE TABLE sync_state (
        room TEXT PRIMARY KEY,
        change_seq INTEGER NOT NULL
    )
    """,
)


def database_path(data_dir: Path, server_url: str, username: str) -> Path:
    """One file per server and user, named by a hash (URLs make poor file names)."""
    digest = hashlib.sha256(f"{server_url}\n{username}".encode()).hexdigest()[:20]
    return data_dir / "servers" / f"{digest}.sqlite3"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A message written but not yet stored by the relay. ``failed`` says why it stopped."""

    client_id: str
    room: str
    text: str
    created_at: float
    failed: str | None


class LocalDatabase:
    """SQLite in WAL mode; used from the GUI thread (writes are small and batched)."""

    def __init__(self, path: Path) -> None:
        # Another client (a second `tail`, the window) may open the same file at once.
        self._db = open_database(path, _MIGRATIONS)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    # ---------------------------------------------------------------------- messages

    def last_id(self, room: str) -> int | None:
        """The highest message id stored for ``room``, if any."""
        row = self._db.execute("SELECT MAX(id) FROM messages WHERE room = ?", (room,)).fetchone()
        return None if row[0] is None else int(row[0])

    def recent(self, room: str, limit: int, before: int | None = None) -> list[Message]:
        """Up to ``limit`` messages of ``room`` (before id ``before``), oldest first."""
        rows = self._db.execute(
            "SELECT json FROM messages WHERE room = ? AND id < ? ORDER BY id DESC LIMIT ?",
            (room, before if before is not None else 2**62, limit),
        ).fetchall()
        return [Message.from_json(json.loads(row[0])) for row in reversed(rows)]

    def store(self, messages: Iterable[Message]) -> None:
        """Insert or replace messages (edits and deletes replace the stored version)."""
        rows = [(m.room, m.id, json.dumps(m.to_json(), ensure_ascii=False)) for m in messages]
        if rows:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO messages VALUES (?, ?, ?)", rows)
            self._db.execute("COMMIT")

    def change_seq(self, room: str) -> int | None:
        """The relay's change counter up to which ``room``'s edits are applied here."""
        row = self._db.execute(
            "SELECT change_seq FROM sync_state WHERE room = ?", (room,)
        ).fetchone()
        return None if row is None else int(row[0])

    def set_change_seq(self, room: str, seq: int) -> None:
        """Remember that ``room``'s edits up to ``seq`` are applied."""
        self._db.execute("INSERT OR REPLACE INTO sync_state VALUES (?, ?)", (room, seq))

    # ------------------------------------------------------------------------ outbox

    def outbox_add(self, client_id: str, room: str, text: str) -> OutboxRow:
        """Persist a message to send, before any attempt is made."""
        now = time.time()
        self._db.execute(
            "INSERT INTO outbox (client_id, room, text, created_at) VALUES (?, ?, ?, ?)",
            (client_id, room, text, now),
        )
        return OutboxRow(client_id, room, text, now, None)

    def outbox(self) -> list[OutboxRow]:
        """Everything waiting, in the order it was written."""
        rows = self._db.execute(
            "SELECT client_id, room, text, created_at, failed FROM outbox ORDER BY seq"
        ).fetchall()
        return [OutboxRow(*row) for row in rows]

    def outbox_failed(self, client_id: str, reason: str | None) -> None:
        """Mark an item failed for good (``reason``) or pending again (None)."""
        self._db.execute("UPDATE outbox SET failed = ? WHERE client_id = ?", (reason, client_id))

    def outbox_remove(self, client_id: str) -> None:
        """The relay has it (or the user discarded it)."""
        self._db.execute("DELETE FROM outbox WHERE client_id = ?", (client_id,))
