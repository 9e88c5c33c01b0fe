"""Replies and reactions in the SQLite store (mixed into :class:`~.sqlite_store.SqliteStore`).

Both live in tables of their own beside ``messages``: a reply's quote is read from its
original every time (so an edit or delete of the original shows), and a reaction is a row
per (message, emoji, user), so adding one twice is the same as once.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from desktopchat.server.relay import avatars
from desktopchat.server.relay.models import Message, Reaction, ReplyRef, User
from desktopchat.server.relay.store import CapError, DeletedError, NotFoundError

#: Migration 5 of :data:`~.sqlite_store.MIGRATIONS`.
MIGRATION = """
    CREATE TABLE replies (
        room_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        reply_to INTEGER NOT NULL,
        PRIMARY KEY (room_id, message_id),
        FOREIGN KEY (room_id, message_id) REFERENCES messages (room_id, id),
        FOREIGN KEY (room_id, reply_to) REFERENCES messages (room_id, id)
    ) WITHOUT ROWID;
    CREATE INDEX replies_by_original ON replies (room_id, reply_to);
    CREATE TABLE reactions (
        room_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        emoji TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users (id),
        created_at REAL NOT NULL,
        PRIMARY KEY (room_id, message_id, emoji, user_id),
        FOREIGN KEY (room_id, message_id) REFERENCES messages (room_id, id)
    ) WITHOUT ROWID;
"""

#: The originals quoted by replies among some messages of one room (``marks``: ``?``s).
_QUOTES = """
    SELECT rp.message_id, o.id, o.text, o.deleted, u.id, u.username, u.display_name, u.email
    FROM replies rp JOIN rooms r ON r.id = rp.room_id
    JOIN messages o ON o.room_id = rp.room_id AND o.id = rp.reply_to
    JOIN users u ON u.id = o.author_id
    WHERE r.name = ? AND rp.message_id IN ({marks})
"""
#: Reactions on some messages of one room, oldest first (chips keep the order they came).
_REACTIONS = """
    SELECT x.message_id, x.emoji, x.user_id FROM reactions x JOIN rooms r ON r.id = x.room_id
    WHERE r.name = ? AND x.message_id IN ({marks}) ORDER BY x.created_at, x.user_id
"""


class SqliteRepliesAndReactions:
    """The replies-and-reactions half of the Store protocol, on the store's connection."""

    _db: sqlite3.Connection
    _lock: threading.Lock

    def _message_unlocked(self, room: str, message_id: int) -> Message:
        raise NotImplementedError  # provided by SqliteStore

    def _rollback(self) -> None:
        raise NotImplementedError  # provided by SqliteStore

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One immediate transaction under the store's lock, rolled back on any error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _room_id(self, room: str) -> int:
        row = self._db.execute("SELECT id FROM rooms WHERE name = ?", (room,)).fetchone()
        if row is None:
            raise NotFoundError(f"no room {room!r}")
        return int(row[0])

    def _insert_unlocked(
        self,
        room: str,
        room_id: int,
        author_id: int,
        client_id: str,
        text: str,
        *,
        now: float,
        reply_to: int | None,
    ) -> tuple[int, bool]:
        """``(id, created)`` of a new message (answering ``reply_to``), or of the one this
        author already sent with ``client_id``; inside the caller's transaction."""
        existing = self._db.execute(
            "SELECT id FROM messages WHERE room_id = ? AND author_id = ? AND client_id = ?",
            (room_id, author_id, client_id),
        ).fetchone()
        if existing is not None:
            return int(existing[0]), False
        if (
            reply_to is not None
            and not self._db.execute(
                "SELECT 1 FROM messages WHERE room_id = ? AND id = ?", (room_id, reply_to)
            ).fetchone()
        ):
            raise NotFoundError(f"no message {reply_to} in {room!r}")
        (message_id,) = self._db.execute(
            "UPDATE rooms SET last_message_id = last_message_id + 1 WHERE id = ?"
            " RETURNING last_message_id",
            (room_id,),
        ).fetchone()
        self._db.execute(
            "INSERT INTO messages (room_id, id, client_id, author_id, text, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (room_id, message_id, client_id, author_id, text, now),
        )
        if reply_to is not None:
            self._db.execute(
                "INSERT INTO replies (room_id, message_id, reply_to) VALUES (?, ?, ?)",
                (room_id, message_id, reply_to),
            )
        return int(message_id), True

    def touch_replies(self, room: str, message_id: int) -> int:
        with self._write():
            room_id = self._room_id(room)
            replies = self._db.execute(
                "SELECT message_id FROM replies WHERE room_id = ? AND reply_to = ?"
                " ORDER BY message_id",
                (room_id, message_id),
            ).fetchall()
            for (reply_id,) in replies:  # one counter step each: a page may end between them
                self._bump(room_id, int(reply_id))
        return len(replies)

    def _bump(self, room_id: int, message_id: int) -> None:
        (seq,) = self._db.execute(
            "UPDATE rooms SET change_seq = change_seq + 1 WHERE id = ? RETURNING change_seq",
            (room_id,),
        ).fetchone()
        self._db.execute(
            "UPDATE messages SET changed_seq = ? WHERE room_id = ? AND id = ?",
            (seq, room_id, message_id),
        )

    def _reactable(self, room: str, message_id: int) -> int:
        room_id = self._room_id(room)
        row = self._db.execute(
            "SELECT deleted FROM messages WHERE room_id = ? AND id = ?", (room_id, message_id)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no message {message_id} in {room!r}")
        if row[0]:
            raise DeletedError(f"message {message_id} in {room!r} was deleted")
        return room_id

    def react(
        self, room: str, message_id: int, user_id: int, emoji: str, now: float, *, cap: int
    ) -> tuple[Message, bool]:
        with self._write():
            room_id = self._reactable(room, message_id)
            emojis = {
                str(e)
                for (e,) in self._db.execute(
                    "SELECT DISTINCT emoji FROM reactions WHERE room_id = ? AND message_id = ?",
                    (room_id, message_id),
                )
            }
            if emoji not in emojis and len(emojis) >= cap:
                raise CapError(f"message {message_id} has {len(emojis)} distinct reactions")
            changed = self._db.execute(
                "INSERT OR IGNORE INTO reactions (room_id, message_id, emoji, user_id, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (room_id, message_id, emoji, user_id, now),
            ).rowcount
            if changed:
                self._bump(room_id, message_id)
        with self._lock:
            return self._message_unlocked(room, message_id), bool(changed)

    def unreact(self, room: str, message_id: int, user_id: int, emoji: str) -> tuple[Message, bool]:
        with self._write():
            room_id = self._reactable(room, message_id)
            changed = self._db.execute(
                "DELETE FROM reactions WHERE room_id = ? AND message_id = ? AND emoji = ?"
                " AND user_id = ?",
                (room_id, message_id, emoji, user_id),
            ).rowcount
            if changed:
                self._bump(room_id, message_id)
        with self._lock:
            return self._message_unlocked(room, message_id), bool(changed)

    def with_extras(self, messages: list[Message]) -> list[Message]:
        by_room: dict[str, list[int]] = defaultdict(list)
        for message in messages:
            by_room[message.room].append(message.id)
        refs: dict[tuple[str, int], ReplyRef] = {}
        reactions: dict[tuple[str, int], dict[str, list[int]]] = defaultdict(dict)
        with self._lock:
            for room, ids in by_room.items():
                marks = ",".join("?" * len(ids))
                quotes = _QUOTES.format(marks=marks)
                for row in self._db.execute(quotes, (room, *ids)):
                    refs[room, int(row[0])] = ReplyRef(
                        int(row[1]), _user(row[4:]), str(row[2]), bool(row[3])
                    )
                chips = _REACTIONS.format(marks=marks)
                for message_id, emoji, user_id in self._db.execute(chips, (room, *ids)):
                    reactions[room, int(message_id)].setdefault(str(emoji), []).append(user_id)
        return [
            replace(
                m,
                reply_to=refs.get((m.room, m.id)),
                reactions=tuple(
                    Reaction(e, tuple(users)) for e, users in reactions[m.room, m.id].items()
                ),
            )
            if (m.room, m.id) in refs or (m.room, m.id) in reactions
            else m
            for m in messages
        ]


def _user(row: tuple[object, ...]) -> User:
    user_id, username, display_name, email = row
    assert isinstance(user_id, int)  # noqa: S101 - the schema guarantees it; narrows for mypy
    email = email if isinstance(email, str) else None
    return User(
        user_id, str(username), str(display_name), email, avatars.avatar_url(user_id, email)
    )
