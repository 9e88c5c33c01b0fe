"""The client's local database, one per server and user: messages seen, and the outbox.

It lives in the data dir, not the cache dir: the outbox holds messages the user wrote
that the relay does not have yet, and clearing a cache must never lose those. Messages
are stored as the relay's JSON so a restart shows history at once and fetches only what
is newer than the last id here. The room list and the last session's user and server
configuration are kept too, so the window opens at once (local-first) even when the
server cannot be reached.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from desktopchat.client import search_index
from desktopchat.client.direct import DirectMessage
from desktopchat.client.domain import Message, Room, ServerInfo, User
from desktopchat.client.errors import ProtocolError
from desktopchat.search_syntax import Query
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
    # 3: local-first start (rooms, who we are, how to connect) and offline edits/deletes.
    """
    CREATE TABLE rooms (
        name TEXT PRIMARY KEY,
        json TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE session_info (
        key TEXT PRIMARY KEY,
        json TEXT NOT NULL
    ) WITHOUT ROWID;
    ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'send';
    ALTER TABLE outbox ADD COLUMN message_id INTEGER;
    """,
    # 4: files a waiting message will upload and carry (a JSON list of local paths).
    """
    ALTER TABLE outbox ADD COLUMN files TEXT NOT NULL DEFAULT '[]';
    """,
    # 5: whom a waiting message mentions, and read marks (the relay's, and ours not yet
    # sent: marking a room read offline reaches the relay when the connection returns).
    """
    CREATE TABLE outbox_mentions (
        client_id TEXT PRIMARY KEY,
        user_ids TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE read_marks (
        room TEXT PRIMARY KEY,
        message_id INTEGER NOT NULL,
        pending INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
    # 6: full-text search offline (see search_index.py). Index what is already cached.
    *search_index.MIGRATION,
)

#: What an outbox row asks the relay to do.
SEND, EDIT, DELETE = "send", "edit", "delete"
#: A reply (``message_id`` is the message it answers), and a reaction put on or taken back
#: (``text`` is the emoji, ``message_id`` the message): new kinds, the same table.
REPLY, REACT, UNREACT = "reply", "react", "unreact"


def database_path(data_dir: Path, server_url: str, username: str) -> Path:
    """One file per server and user, named by a hash (URLs make poor file names)."""
    digest = hashlib.sha256(f"{server_url}\n{username}".encode()).hexdigest()[:20]
    return data_dir / "servers" / f"{digest}.sqlite3"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A message written (or an edit or delete of one) that the relay has not stored yet.

    ``failed`` says why it stopped; ``kind`` is :data:`SEND`, :data:`EDIT` or :data:`DELETE`,
    and ``message_id`` names the stored message an edit or delete applies to.
    """

    client_id: str
    room: str
    text: str
    created_at: float
    failed: str | None
    kind: str = SEND
    message_id: int | None = None
    #: Local paths of files to upload and attach, in order (a message with attachments).
    files: tuple[str, ...] = ()


def _files(raw: str) -> tuple[str, ...]:
    try:
        paths = json.loads(raw)
    except ValueError:
        return ()
    return tuple(p for p in paths if isinstance(p, str)) if isinstance(paths, list) else ()


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
        messages_list = list(messages)
        rows = [(m.room, m.id, json.dumps(m.to_json(), ensure_ascii=False)) for m in messages_list]
        if rows:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO messages VALUES (?, ?, ?)", rows)
            search_index.update(self._db, messages_list)
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

    def after(self, room: str, after: int, limit: int) -> list[Message]:
        """The newest ``limit`` messages of ``room`` with ids above ``after``, oldest first."""
        rows = self._db.execute(
            "SELECT json FROM messages WHERE room = ? AND id > ? ORDER BY id DESC LIMIT ?",
            (room, after, limit),
        ).fetchall()
        return [Message.from_json(json.loads(row[0])) for row in reversed(rows)]

    def message(self, room: str, message_id: int) -> Message | None:
        """One stored message (to restore it when an offline edit is refused)."""
        row = self._db.execute(
            "SELECT json FROM messages WHERE room = ? AND id = ?", (room, message_id)
        ).fetchone()
        return None if row is None else Message.from_json(json.loads(row[0]))

    def search(self, query: Query, *, room: str | None, limit: int) -> tuple[list[Message], bool]:
        """Cached messages matching ``query`` (in ``room``), newest first; and whether more do."""
        rows = search_index.search(self._db, query, room=room, limit=limit)
        return [Message.from_json(json.loads(text)) for text in rows[:limit]], len(rows) > limit

    # ------------------------------------------------------------------ rooms, login

    def rooms(self) -> list[Room]:
        """The rooms as last listed by the relay (shown before it answers, or offline)."""
        rows = self._db.execute("SELECT json FROM rooms ORDER BY name").fetchall()
        rooms = []
        for (text,) in rows:
            try:
                rooms.append(Room.from_json(json.loads(text)))
            except (ProtocolError, ValueError):
                continue  # a row from a future version: the relay's list replaces it
        return rooms

    def set_rooms(self, rooms: Iterable[Room], *, complete: bool) -> None:
        """Remember rooms; with ``complete`` they are the whole list (others are gone)."""
        rows = [(r.name, json.dumps(r.to_json(), ensure_ascii=False)) for r in rooms]
        self._db.execute("BEGIN")
        if complete:
            self._db.execute("DELETE FROM rooms")
        self._db.executemany("INSERT OR REPLACE INTO rooms VALUES (?, ?)", rows)
        self._db.execute("COMMIT")

    def save_login(self, user: User, server: ServerInfo) -> None:
        """Who we are and how to connect, as of the last session the relay accepted."""
        rows = [
            ("user", json.dumps(user.to_json(), ensure_ascii=False)),
            ("server", json.dumps(server.to_json(), ensure_ascii=False)),
        ]
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO session_info VALUES (?, ?)", rows)
        self._db.execute("COMMIT")

    def saved_login(self) -> tuple[User, ServerInfo] | None:
        """What :meth:`save_login` kept, if anything (and still readable)."""
        rows = dict(self._db.execute("SELECT key, json FROM session_info").fetchall())
        try:
            return (
                User.from_json(json.loads(rows["user"])),
                ServerInfo.from_json(json.loads(rows["server"])),
            )
        except (KeyError, ValueError, ProtocolError):
            return None

    def direct_messages(self) -> list[DirectMessage]:
        """The DMs as last listed by the relay (the sidebar shows them before it answers)."""
        row = self._db.execute(
            "SELECT json FROM session_info WHERE key = 'direct_messages'"
        ).fetchone()
        try:
            return [DirectMessage.from_json(d) for d in json.loads(row[0])] if row else []
        except (ProtocolError, ValueError, TypeError):
            return []  # from a future version: the relay's list replaces it

    def set_direct_messages(self, dms: Iterable[DirectMessage]) -> None:
        """Remember every DM (the whole list)."""
        text = json.dumps([d.to_json() for d in dms], ensure_ascii=False)
        self._db.execute(
            "INSERT OR REPLACE INTO session_info VALUES ('direct_messages', ?)", (text,)
        )

    # ------------------------------------------------------------------------ outbox

    def outbox_add(
        self,
        client_id: str,
        room: str,
        text: str,
        *,
        kind: str = SEND,
        message_id: int | None = None,
        files: tuple[str, ...] = (),
    ) -> OutboxRow:
        """Persist a message to send (or an edit or delete), before any attempt is made."""
        now = time.time()
        self._db.execute(
            "INSERT INTO outbox (client_id, room, text, created_at, kind, message_id, files)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (client_id, room, text, now, kind, message_id, json.dumps(list(files))),
        )
        return OutboxRow(client_id, room, text, now, None, kind, message_id, files)

    def outbox(self) -> list[OutboxRow]:
        """Everything waiting, in the order it was written."""
        rows = self._db.execute(
            "SELECT client_id, room, text, created_at, failed, kind, message_id, files"
            " FROM outbox ORDER BY seq"
        ).fetchall()
        return [
            OutboxRow(client_id, room, text, created, failed, kind, message_id, _files(files))
            for client_id, room, text, created, failed, kind, message_id, files in rows
        ]

    def outbox_revise(self, client_id: str, text: str) -> None:
        """A failed message, edited by its author: new text, pending again."""
        self._db.execute(
            "UPDATE outbox SET text = ?, failed = NULL WHERE client_id = ?", (text, client_id)
        )

    def outbox_failed(self, client_id: str, reason: str | None) -> None:
        """Mark an item failed for good (``reason``) or pending again (None)."""
        self._db.execute("UPDATE outbox SET failed = ? WHERE client_id = ?", (reason, client_id))

    def outbox_remove(self, client_id: str) -> None:
        """The relay has it (or the user discarded it)."""
        self._db.execute("DELETE FROM outbox WHERE client_id = ?", (client_id,))
        self._db.execute("DELETE FROM outbox_mentions WHERE client_id = ?", (client_id,))

    def outbox_set_mentions(self, client_id: str, user_ids: tuple[int, ...]) -> None:
        """Whom a waiting message mentions (kept beside its row, removed with it)."""
        self._db.execute(
            "INSERT OR REPLACE INTO outbox_mentions VALUES (?, ?)",
            (client_id, json.dumps(list(user_ids))),
        )

    def outbox_mentions(self) -> dict[str, tuple[int, ...]]:
        """Whom each waiting message mentions, by client_id."""
        rows = self._db.execute(
            "SELECT m.client_id, m.user_ids FROM outbox_mentions m"
            " JOIN outbox o ON o.client_id = m.client_id"
        ).fetchall()
        return {str(cid): tuple(int(i) for i in json.loads(ids)) for cid, ids in rows}

    # -------------------------------------------------------------------- read marks

    def read_marks(self) -> dict[str, tuple[int, bool]]:
        """Each room's read mark and whether it still has to reach the relay."""
        rows = self._db.execute("SELECT room, message_id, pending FROM read_marks").fetchall()
        return {str(room): (int(mark), bool(pending)) for room, mark, pending in rows}

    def set_read_mark(self, room: str, message_id: int, *, pending: bool) -> None:
        """Remember ``room``'s mark (never lowering it); ``pending``: not sent yet."""
        self._db.execute(
            "INSERT INTO read_marks VALUES (?, ?, ?) ON CONFLICT (room) DO UPDATE"
            " SET message_id = max(message_id, excluded.message_id),"
            " pending = CASE WHEN excluded.message_id >= message_id THEN excluded.pending"
            " ELSE pending END",
            (room, message_id, int(pending)),
        )
