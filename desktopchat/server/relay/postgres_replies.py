"""Replies and reactions in the PostgreSQL store (mixed into ``PostgresStore``).

The same tables as SQLite's (:mod:`.sqlite_replies`). Each write is one transaction that
row-locks the room first (``UPDATE rooms … RETURNING``), as sending does, so concurrent
reactions on several relays take turns: the distinct-emoji cap holds and every change
gets its own step of the room's change counter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

import psycopg
import psycopg.errors
from psycopg.rows import TupleRow

from desktopchat.server.relay import avatars
from desktopchat.server.relay.models import Message, Reaction, ReplyRef, User
from desktopchat.server.relay.store import CapError, DeletedError, NotFoundError

Connection = psycopg.Connection[TupleRow]

#: Migration 2 of :data:`~.postgres_schema.MIGRATIONS`.
MIGRATION = """
    CREATE TABLE replies (
        room_id BIGINT NOT NULL,
        message_id BIGINT NOT NULL,
        reply_to BIGINT NOT NULL,
        PRIMARY KEY (room_id, message_id),
        FOREIGN KEY (room_id, message_id) REFERENCES messages (room_id, id),
        FOREIGN KEY (room_id, reply_to) REFERENCES messages (room_id, id)
    );
    CREATE INDEX replies_by_original ON replies (room_id, reply_to);
    CREATE TABLE reactions (
        room_id BIGINT NOT NULL,
        message_id BIGINT NOT NULL,
        emoji TEXT NOT NULL,
        user_id BIGINT NOT NULL REFERENCES users (id),
        created_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (room_id, message_id, emoji, user_id),
        FOREIGN KEY (room_id, message_id) REFERENCES messages (room_id, id)
    );
"""

_LOCK_ROOM = "SELECT id FROM rooms WHERE name = %s FOR UPDATE"
_BUMP = """
    WITH room AS (
        UPDATE rooms SET change_seq = change_seq + 1 WHERE id = %(room_id)s RETURNING change_seq
    )
    UPDATE messages SET changed_seq = room.change_seq FROM room
    WHERE room_id = %(room_id)s AND id = %(id)s
"""


class PostgresRepliesAndReactions:
    """The replies-and-reactions half of the Store protocol, on the store's pool."""

    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # provided by PostgresStore

    def message(self, room: str, message_id: int) -> Message | None:
        raise NotImplementedError  # provided by PostgresStore

    def add_message(
        self, room: str, author_id: int, client_id: str, text: str, now: float
    ) -> tuple[Message, bool]:
        raise NotImplementedError  # provided by PostgresStore

    def _stored(self, room: str, message_id: int) -> Message:
        message = self.message(room, message_id)
        if message is None:  # cannot be: messages are never removed
            raise NotFoundError(f"no message {message_id} in {room!r}")
        return message

    @staticmethod
    def _locked_room(conn: Connection, room: str) -> int:
        row = conn.execute(_LOCK_ROOM, (room,)).fetchone()
        if row is None:
            raise NotFoundError(f"no room {room!r}")
        return int(row[0])

    @staticmethod
    def _insert_in(
        conn: Connection,
        room: str,
        room_id: int,
        author_id: int,
        client_id: str,
        *,
        text: str,
        now: float,
        reply_to: int | None,
    ) -> tuple[int, bool]:
        """``(id, created)`` of a new message (answering ``reply_to``), or of the one this
        author already sent with ``client_id``; inside the caller's transaction, which
        holds the room's row lock (:meth:`_locked_room`)."""
        existing = conn.execute(
            "SELECT id FROM messages WHERE room_id = %s AND author_id = %s AND client_id = %s",
            (room_id, author_id, client_id),
        ).fetchone()
        if existing is not None:
            return int(existing[0]), False
        if (
            reply_to is not None
            and not conn.execute(
                "SELECT 1 FROM messages WHERE room_id = %s AND id = %s", (room_id, reply_to)
            ).fetchone()
        ):
            raise NotFoundError(f"no message {reply_to} in {room!r}")
        row = conn.execute(
            "UPDATE rooms SET last_message_id = last_message_id + 1 WHERE id = %s"
            " RETURNING last_message_id",
            (room_id,),
        ).fetchone()
        assert row is not None  # noqa: S101 - the room is locked, so it exists
        message_id = int(row[0])
        conn.execute(
            "INSERT INTO messages (room_id, id, client_id, author_id, text, sent_at)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (room_id, message_id, client_id, author_id, text, now),
        )
        if reply_to is not None:
            conn.execute(
                "INSERT INTO replies (room_id, message_id, reply_to) VALUES (%s, %s, %s)",
                (room_id, message_id, reply_to),
            )
        return message_id, True

    def touch_replies(self, room: str, message_id: int) -> int:
        with self._connection() as conn, conn.transaction():
            room_id = self._locked_room(conn, room)
            replies = conn.execute(
                "SELECT message_id FROM replies WHERE room_id = %s AND reply_to = %s"
                " ORDER BY message_id",
                (room_id, message_id),
            ).fetchall()
            for (reply_id,) in replies:  # one counter step each: a page may end between them
                conn.execute(_BUMP, {"room_id": room_id, "id": reply_id})
        return len(replies)

    def _reactable(self, conn: Connection, room: str, message_id: int) -> int:
        room_id = self._locked_room(conn, room)
        row = conn.execute(
            "SELECT deleted FROM messages WHERE room_id = %s AND id = %s", (room_id, message_id)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no message {message_id} in {room!r}")
        if row[0]:
            raise DeletedError(f"message {message_id} in {room!r} was deleted")
        return room_id

    def react(
        self, room: str, message_id: int, user_id: int, emoji: str, now: float, *, cap: int
    ) -> tuple[Message, bool]:
        with self._connection() as conn, conn.transaction():
            room_id = self._reactable(conn, room, message_id)
            emojis = {
                str(e)
                for (e,) in conn.execute(
                    "SELECT DISTINCT emoji FROM reactions WHERE room_id = %s AND message_id = %s",
                    (room_id, message_id),
                )
            }
            if emoji not in emojis and len(emojis) >= cap:
                raise CapError(f"message {message_id} has {len(emojis)} distinct reactions")
            changed = conn.execute(
                "INSERT INTO reactions (room_id, message_id, emoji, user_id, created_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (room_id, message_id, emoji, user_id, now),
            ).rowcount
            if changed:
                conn.execute(_BUMP, {"room_id": room_id, "id": message_id})
        return self._stored(room, message_id), bool(changed)

    def unreact(self, room: str, message_id: int, user_id: int, emoji: str) -> tuple[Message, bool]:
        with self._connection() as conn, conn.transaction():
            room_id = self._reactable(conn, room, message_id)
            changed = conn.execute(
                "DELETE FROM reactions WHERE room_id = %s AND message_id = %s AND emoji = %s"
                " AND user_id = %s",
                (room_id, message_id, emoji, user_id),
            ).rowcount
            if changed:
                conn.execute(_BUMP, {"room_id": room_id, "id": message_id})
        return self._stored(room, message_id), bool(changed)

    def with_extras(self, messages: list[Message]) -> list[Message]:
        by_room: dict[str, list[int]] = defaultdict(list)
        for message in messages:
            by_room[message.room].append(message.id)
        refs: dict[tuple[str, int], ReplyRef] = {}
        reactions: dict[tuple[str, int], dict[str, list[int]]] = defaultdict(dict)
        with self._connection() as conn:
            for room, ids in by_room.items():
                for row in _rows(
                    conn,
                    "SELECT rp.message_id, o.id, o.text, o.deleted,"
                    " u.id, u.username, u.display_name, u.email"
                    " FROM replies rp JOIN rooms r ON r.id = rp.room_id"
                    " JOIN messages o ON o.room_id = rp.room_id AND o.id = rp.reply_to"
                    " JOIN users u ON u.id = o.author_id"
                    " WHERE r.name = %s AND rp.message_id = ANY(%s)",
                    (room, ids),
                ):
                    refs[room, int(row[0])] = ReplyRef(
                        int(row[1]), _user(row[4:]), str(row[2]), bool(row[3])
                    )
                for message_id, emoji, user_id in _rows(
                    conn,
                    "SELECT x.message_id, x.emoji, x.user_id FROM reactions x"
                    " JOIN rooms r ON r.id = x.room_id"
                    " WHERE r.name = %s AND x.message_id = ANY(%s)"
                    " ORDER BY x.created_at, x.user_id",
                    (room, ids),
                ):
                    reactions[room, int(message_id)].setdefault(str(emoji), []).append(int(user_id))
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


def _rows(conn: Connection, query: str, params: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    yield from conn.execute(query.encode(), params).fetchall()


def _user(row: tuple[Any, ...]) -> User:
    user_id, username, display_name, email = row
    return User(
        int(user_id), str(username), str(display_name), email, avatars.avatar_url(user_id, email)
    )
