"""The relay's store in SQLite: WAL journal, versioned migrations, one connection.

One connection used from one worker thread at a time keeps ids strictly monotonic per room
without locking games; WAL lets readers (backups, a second tool) see committed data.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Collection, Sequence
from pathlib import Path

from desktopchat.search_syntax import Query, QueryError, fts5_match
from desktopchat.server.relay import avatars, ratelimit, sqlite_file_store, sqlite_replies
from desktopchat.server.relay.models import Dm, Message, Room, User
from desktopchat.server.relay.search_results import SearchCursor, SearchPage
from desktopchat.server.relay.store import (
    AlreadyExistsError,
    ChangePage,
    Credentials,
    DmPage,
    NotFoundError,
    Page,
    ReadMark,
    RoomPage,
)
from desktopchat.sqlite_files import open_database, schema_version

#: Schema versions, applied in order; PRAGMA user_version records how many ran.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        email TEXT,
        password_hash TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at REAL NOT NULL
    );
    CREATE TABLE rooms (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        topic TEXT NOT NULL DEFAULT '',
        created_by INTEGER REFERENCES users(id),
        last_message_id INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE messages (
        room_id INTEGER NOT NULL REFERENCES rooms(id),
        id INTEGER NOT NULL,
        client_id TEXT NOT NULL,
        author_id INTEGER NOT NULL REFERENCES users(id),
        text TEXT NOT NULL,
        sent_at REAL NOT NULL,
        edited_at REAL,
        deleted INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (room_id, id),
        UNIQUE (room_id, author_id, client_id)
    ) WITHOUT ROWID;
    INSERT INTO rooms (name, topic) VALUES ('general', 'Everyone, everything');
    """,
    # 2: a per-room change counter, so clients that were offline learn of edits and deletes.
    """
    ALTER TABLE rooms ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN changed_seq INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX messages_by_change ON messages (room_id, changed_seq);
    """,
    # 3: single-use proofs (local-login signatures), kept until they would expire anyway.
    """
    CREATE TABLE used_once (key TEXT PRIMARY KEY, expires_at REAL NOT NULL) WITHOUT ROWID;
    CREATE INDEX used_once_by_expiry ON used_once (expires_at);
    """,
    # 4: throttled attempts (failed logins, room creations), kept in the store rather than
    # in the process: a restart no longer resets them, as with several relays on PostgreSQL.
    """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        pending INTEGER NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX attempts_by_key ON attempts (scope, key, pending);
    CREATE INDEX attempts_by_time ON attempts (scope, at);
    """,
    # 5: uploaded files and their thumbnails (the blobs themselves are in file storage).
    sqlite_file_store.MIGRATION,
    # 6: direct messages: a room is a DM when it has members, and only they may read it.
    """
    CREATE TABLE dm_members (
        room_id INTEGER NOT NULL REFERENCES rooms(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (room_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX dm_members_by_user ON dm_members (user_id, room_id);
    """,
    # 7: replies (which message answers which) and reactions, in tables of their own.
    sqlite_replies.MIGRATION,
    # 8: mentions (who a message names, by id) and read marks (how far each user has
    # read each room, shared by all of that user's devices).
    """
    CREATE TABLE message_mentions (
        room_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (room_id, message_id, user_id),
        FOREIGN KEY (room_id, message_id) REFERENCES messages(room_id, id)
    ) WITHOUT ROWID;
    CREATE TABLE read_marks (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        room_id INTEGER NOT NULL REFERENCES rooms(id),
        message_id INTEGER NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (user_id, room_id)
    ) WITHOUT ROWID;
    """,
    # 9: full-text search. A table of its own, kept by triggers in the same transaction as
    # every insert, edit and delete (a deleted message's text is blank, so it drops out);
    # its rowid packs (room_id, id), as messages has no rowid of its own.
    """
    CREATE VIRTUAL TABLE message_search USING fts5(
        text, tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER message_search_added AFTER INSERT ON messages BEGIN
        INSERT INTO message_search (rowid, text)
        VALUES (NEW.room_id * 4294967296 + NEW.id, NEW.text);
    END;
    CREATE TRIGGER message_search_changed AFTER UPDATE OF text ON messages BEGIN
        DELETE FROM message_search WHERE rowid = OLD.room_id * 4294967296 + OLD.id;
        INSERT INTO message_search (rowid, text)
        SELECT NEW.room_id * 4294967296 + NEW.id, NEW.text WHERE NOT NEW.deleted;
    END;
    CREATE TRIGGER message_search_removed AFTER DELETE ON messages BEGIN
        DELETE FROM message_search WHERE rowid = OLD.room_id * 4294967296 + OLD.id;
    END;
    INSERT INTO message_search (rowid, text)
    SELECT room_id * 4294967296 + id, text FROM messages WHERE NOT deleted;
    """,
)

_MESSAGE_COLUMNS = """
    m.id, r.name, m.client_id, m.text, m.sent_at, m.edited_at, m.deleted,
    u.id, u.username, u.display_name, u.email,
    (SELECT group_concat(mm.user_id) FROM message_mentions mm
     WHERE mm.room_id = m.room_id AND mm.message_id = m.id)
"""
_MESSAGE_FROM = """
    FROM messages m JOIN rooms r ON r.id = m.room_id JOIN users u ON u.id = m.author_id
"""


def _user(row: sqlite3.Row | tuple[object, ...]) -> User:
    user_id, username, display_name, email = row
    assert isinstance(user_id, int)  # noqa: S101 - the schema guarantees it; narrows for mypy
    email = email if isinstance(email, str) else None
    return User(
        user_id, str(username), str(display_name), email, avatars.avatar_url(user_id, email)
    )


def _message(row: tuple[object, ...]) -> Message:
    message_id, room, client_id, text, sent_at, edited_at, deleted = row[:7]
    return Message(
        id=int(message_id),  # type: ignore[call-overload]
        room=str(room),
        client_id=str(client_id),
        author=_user(row[7:11]),
        text=str(text),
        sent_at=float(sent_at),  # type: ignore[arg-type]
        edited_at=None if edited_at is None else float(edited_at),  # type: ignore[arg-type]
        deleted=bool(deleted),
        mentions=_ids(row[11]),
    )


def _ids(joined: object) -> tuple[int, ...]:
    """``group_concat`` of user ids ("3,5", or NULL for none) as sorted ids."""
    return tuple(sorted(int(i) for i in joined.split(","))) if isinstance(joined, str) else ()


class SqliteStore(sqlite_file_store.SqliteFiles, sqlite_replies.SqliteRepliesAndReactions):
    """:class:`~desktopchat.server.relay.store.Store` on one SQLite file."""

    #: One writer at a time is all SQLite allows; one thread keeps ids in commit order.
    workers = 1

    def __init__(self, path: Path) -> None:
        # Two hubs starting on one data dir may open the same file at once.
        self._db = open_database(path, MIGRATIONS, check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.Lock()
        #: SQLite's own cap on the file (in pages), which :meth:`limit_size` can lower.
        self._max_pages = int(self._db.execute("PRAGMA max_page_count").fetchone()[0])

    @property
    def schema_version(self) -> int:
        """How many migrations have run."""
        return schema_version(self._db)

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite)."""
        with self._lock:
            self._db.close()

    def _rollback(self) -> None:
        """Undo the open transaction, if SQLite has not already (it has, on a full disk)."""
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def ping(self) -> None:
        """Read the schema version: the file is open and readable."""
        with self._lock:
            schema_version(self._db)

    def limit_size(self, max_bytes: int | None) -> None:
        """Cap the database file at ``max_bytes`` (None: SQLite's own maximum).

        Past the cap writes fail exactly as on a full disk while reads go on; raising it is
        like space coming back. Not persistent: it holds for this connection only.
        """
        with self._lock:
            page_size = int(self._db.execute("PRAGMA page_size").fetchone()[0])
            pages = self._max_pages if max_bytes is None else max(1, max_bytes // page_size)
            self._db.execute(f"PRAGMA max_page_count={pages}")

    def size(self) -> int:
        """Bytes the database's pages take now."""
        with self._lock:
            pages = int(self._db.execute("PRAGMA page_count").fetchone()[0])
            return pages * int(self._db.execute("PRAGMA page_size").fetchone()[0])

    # ------------------------------------------------------------------------ accounts

    def create_user(
        self, username: str, password_hash: str, display_name: str, email: str | None
    ) -> User:
        with self._lock:
            try:
                cursor = self._db.execute(
                    "INSERT INTO users (username, display_name, email, password_hash, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (username, display_name, email, password_hash, time.time()),
                )
            except sqlite3.IntegrityError:
                raise AlreadyExistsError(f"username {username!r} is taken") from None
            user_id = cursor.lastrowid
            assert user_id is not None  # noqa: S101 - an INSERT always sets it
            return _user((user_id, username, display_name, email))

    def credentials(self, username: str) -> Credentials | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, username, display_name, email, password_hash FROM users"
                " WHERE username = ?",
                (username,),
            ).fetchone()
        return None if row is None else Credentials(_user(row[:4]), str(row[4]))

    def set_display_name(self, user_id: int, display_name: str) -> User:
        with self._lock:
            self._db.execute(
                "UPDATE users SET display_name = ? WHERE id = ?", (display_name, user_id)
            )
            row = self._db.execute(
                "SELECT id, username, display_name, email FROM users WHERE id = ?", (user_id,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no user {user_id}")
        return _user(row)

    def create_session(self, user_id: int, token_hash: str, expires_at: float, now: float) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?", (user_id, now)
            )
            self._db.execute(
                "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
                (token_hash, user_id, expires_at),
            )

    def session_user(self, token_hash: str, now: float) -> User | None:
        with self._lock:
            row = self._db.execute(
                "SELECT u.id, u.username, u.display_name, u.email FROM sessions s"
                " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
                (token_hash, now),
            ).fetchone()
        return None if row is None else _user(row)

    def delete_session(self, token_hash: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def use_once(self, key: str, expires_at: float, now: float) -> bool:
        # Two autocommit statements, each atomic: a replay racing the first use loses.
        with self._lock:
            self._db.execute("DELETE FROM used_once WHERE expires_at <= ?", (now,))
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO used_once (key, expires_at) VALUES (?, ?)",
                (key, expires_at),
            )
        return cursor.rowcount == 1

    # ------------------------------------------------------------------------ throttles

    def reserve_attempt(self, scope: str, key: str, limit: int, window: float, now: float) -> float:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "DELETE FROM attempts WHERE scope = ? AND at <= ?", (scope, now - window)
                )
                self._db.execute(
                    "DELETE FROM attempts WHERE scope = ? AND key = ? AND pending = 1 AND at <= ?",
                    (scope, key, now - ratelimit.PENDING_SECONDS),
                )
                taken, oldest = self._db.execute(
                    "SELECT count(*), min(CASE WHEN pending = 0 THEN at END) FROM attempts"
                    " WHERE scope = ? AND key = ?",
                    (scope, key),
                ).fetchone()
                wait = ratelimit.wait_for(int(taken), oldest, limit, window, now)
                if not wait:
                    self._db.execute(
                        "INSERT INTO attempts (scope, key, pending, at) VALUES (?, ?, 1, ?)",
                        (scope, key, now),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        return wait

    def settle_attempt(self, scope: str, key: str, now: float, *, counted: bool) -> None:
        pending = (
            "SELECT id FROM attempts WHERE scope = ? AND key = ? AND pending = 1"
            " ORDER BY id LIMIT 1"
        )
        with self._lock:
            if counted:
                changed = self._db.execute(
                    f"UPDATE attempts SET pending = 0, at = ? WHERE id = ({pending})",  # noqa: S608 - constant
                    (now, scope, key),
                ).rowcount
                if not changed:  # its reservation expired: count it all the same
                    self._db.execute(
                        "INSERT INTO attempts (scope, key, pending, at) VALUES (?, ?, 0, ?)",
                        (scope, key, now),
                    )
            else:
                self._db.execute(
                    f"DELETE FROM attempts WHERE id = ({pending})",  # noqa: S608 - constant
                    (scope, key),
                )

    def forgive_attempts(self, scope: str, key: str) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM attempts WHERE scope = ? AND key = ? AND pending = 0", (scope, key)
            )

    # --------------------------------------------------------------------------- rooms

    def rooms(self, *, after: str, limit: int) -> RoomPage:
        with self._lock:
            rows = self._db.execute(
                "SELECT name, topic FROM rooms WHERE name > ?"
                " AND NOT EXISTS (SELECT 1 FROM dm_members d WHERE d.room_id = rooms.id)"
                " ORDER BY name LIMIT ?",
                (after, limit + 1),
            ).fetchall()
        rooms = [Room(str(name), str(topic)) for name, topic in rows[:limit]]
        return RoomPage(rooms, has_more=len(rows) > limit)

    def room(self, name: str) -> Room | None:
        with self._lock:
            row = self._db.execute(
                "SELECT name, topic FROM rooms WHERE name = ?", (name,)
            ).fetchone()
        return None if row is None else Room(str(row[0]), str(row[1]))

    def create_room(self, name: str, topic: str, created_by: int | None) -> Room:
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO rooms (name, topic, created_by) VALUES (?, ?, ?)",
                    (name, topic, created_by),
                )
            except sqlite3.IntegrityError:
                raise AlreadyExistsError(f"room {name!r} exists") from None
        return Room(name, topic)

    def set_topic(self, name: str, topic: str) -> Room:
        with self._lock:
            changed = self._db.execute(
                "UPDATE rooms SET topic = ? WHERE name = ?", (topic, name)
            ).rowcount
        if not changed:
            raise NotFoundError(f"room {name!r}")
        return Room(name, topic)

    # ------------------------------------------------------------------------ messages

    def add_message(
        self, room: str, author_id: int, client_id: str, text: str, now: float
    ) -> tuple[Message, bool]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT id, last_message_id FROM rooms WHERE name = ?", (room,)
                ).fetchone()
                if row is None:
                    raise NotFoundError(f"no room {room!r}")
                room_id, last_id = row
                existing = self._db.execute(
                    "SELECT id FROM messages WHERE room_id = ? AND author_id = ? AND client_id = ?",
                    (room_id, author_id, client_id),
                ).fetchone()
                if existing is None:
                    message_id = last_id + 1
                    self._db.execute(
                        "INSERT INTO messages (room_id, id, client_id, author_id, text, sent_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (room_id, message_id, client_id, author_id, text, now),
                    )
                    self._db.execute(
                        "UPDATE rooms SET last_message_id = ? WHERE id = ?", (message_id, room_id)
                    )
                else:
                    message_id = existing[0]
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            return self._message_unlocked(room, message_id), existing is None

    def post_message(
        self,
        room: str,
        author_id: int,
        client_id: str,
        text: str,
        now: float,
        *,
        reply_to: int | None = None,
        mentions: Collection[int] | None = None,
        file_ids: Sequence[str] = (),
    ) -> tuple[Message, bool]:
        if reply_to is None and mentions is None and not file_ids:
            return self.add_message(room, author_id, client_id, text, now)
        with self._write():
            room_id = self._room_id(room)
            message_id, created = self._insert_unlocked(
                room, room_id, author_id, client_id, text, now=now, reply_to=reply_to
            )
            if mentions is not None:
                self._set_mentions_unlocked(room_id, message_id, set(mentions), counted=not created)
            self._attach_files_unlocked(room, message_id, author_id, file_ids)
        with self._lock:
            return self._message_unlocked(room, message_id), created

    def message(self, room: str, message_id: int) -> Message | None:
        with self._lock:
            try:
                return self._message_unlocked(room, message_id)
            except NotFoundError:
                return None

    def _message_unlocked(self, room: str, message_id: int) -> Message:
        row = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} {_MESSAGE_FROM} WHERE r.name = ? AND m.id = ?",
            (room, message_id),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no message {message_id} in {room!r}")
        return _message(row)

    def update_message(
        self,
        room: str,
        message_id: int,
        text: str,
        now: float,
        mentions: Collection[int] | None = None,
    ) -> Message:
        return self._change(
            room, message_id, "text = ?, edited_at = ?", (text, now), mentions=mentions
        )

    def delete_message(self, room: str, message_id: int, now: float) -> Message:
        return self._change(room, message_id, "text = '', deleted = 1, edited_at = ?", (now,))

    def _change(
        self,
        room: str,
        message_id: int,
        assignments: str,
        values: tuple[object, ...],
        *,
        mentions: Collection[int] | None = None,
    ) -> Message:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "UPDATE rooms SET change_seq = change_seq + 1 WHERE name = ?", (room,)
                )
                cursor = self._db.execute(
                    f"UPDATE messages SET {assignments},"  # noqa: S608 - assignments are constants
                    " changed_seq = (SELECT change_seq FROM rooms WHERE name = ?)"
                    " WHERE room_id = (SELECT id FROM rooms WHERE name = ?) AND id = ?",
                    (*values, room, room, message_id),
                )
                if cursor.rowcount == 0:
                    raise NotFoundError(f"no message {message_id} in {room!r}")
                if mentions is not None:  # counted with the edit: one change, one seq
                    room_id = self._db.execute(
                        "SELECT id FROM rooms WHERE name = ?", (room,)
                    ).fetchone()[0]
                    self._set_mentions_unlocked(room_id, message_id, set(mentions), counted=False)
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            return self._message_unlocked(room, message_id)

    def changes(self, room: str, since: int | None, limit: int) -> ChangePage:
        with self._lock:
            row = self._db.execute(
                "SELECT change_seq FROM rooms WHERE name = ?", (room,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no room {room!r}")
            current = int(row[0])
            if since is None or since >= current:
                return ChangePage([], current, has_more=False)
            rows = self._db.execute(
                f"SELECT {_MESSAGE_COLUMNS}, m.changed_seq {_MESSAGE_FROM}"
                " WHERE r.name = ? AND m.changed_seq > ? ORDER BY m.changed_seq LIMIT ?",
                (room, since, limit + 1),
            ).fetchall()
        has_more = len(rows) > limit
        rows = rows[:limit]
        until = int(rows[-1][-1]) if has_more else current
        return ChangePage([_message(r[:-1]) for r in rows], until, has_more)

    def history(self, room: str, *, after: int | None, before: int | None, limit: int) -> Page:
        if after is not None:
            where, order, bound = "m.id > ?", "ASC", after
        else:
            where, order, bound = "m.id < ?", "DESC", before if before is not None else 2**62
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_MESSAGE_COLUMNS} {_MESSAGE_FROM}"
                f" WHERE r.name = ? AND {where} ORDER BY m.id {order} LIMIT ?",
                (room, bound, limit + 1),
            ).fetchall()
        has_more = len(rows) > limit
        messages = [_message(row) for row in rows[:limit]]
        if order == "DESC":
            messages.reverse()
        return Page(messages, has_more)

    # ----------------------------------------------------------------- direct messages

    def user(self, user_id: int) -> User | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, username, display_name, email FROM users WHERE id = ?", (user_id,)
            ).fetchone()
        return None if row is None else _user(row)

    def user_named(self, username: str) -> User | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, username, display_name, email FROM users WHERE username = ?",
                (username,),
            ).fetchone()
        return None if row is None else _user(row)

    def create_dm(self, name: str, member_ids: frozenset[int], created_by: int) -> tuple[Dm, bool]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._db.execute(
                    "INSERT INTO rooms (name, topic, created_by) VALUES (?, '', ?)"
                    " ON CONFLICT (name) DO NOTHING",
                    (name, created_by),
                )
                created = cursor.rowcount == 1
                if created:
                    self._db.executemany(
                        "INSERT INTO dm_members (room_id, user_id)"
                        " SELECT id, ? FROM rooms WHERE name = ?",
                        [(user_id, name) for user_id in sorted(member_ids)],
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            dm = self._dm_unlocked(name)
        if dm is None:
            raise AlreadyExistsError(f"room {name!r} exists and is not a DM")
        return dm, created

    def dm(self, name: str) -> Dm | None:
        with self._lock:
            return self._dm_unlocked(name)

    def _dm_unlocked(self, name: str) -> Dm | None:
        rows = self._db.execute(
            "SELECT r.created_by, u.id, u.username, u.display_name, u.email FROM rooms r"
            " JOIN dm_members d ON d.room_id = r.id JOIN users u ON u.id = d.user_id"
            " WHERE r.name = ? ORDER BY u.id",
            (name,),
        ).fetchall()
        if not rows:
            return None
        created_by = rows[0][0]
        return Dm(
            name,
            tuple(_user(row[1:]) for row in rows),
            None if created_by is None else int(created_by),
        )

    def dms_of(self, user_id: int, *, after: str, limit: int) -> DmPage:
        with self._lock:
            names = self._db.execute(
                "SELECT r.name FROM dm_members d JOIN rooms r ON r.id = d.room_id"
                " WHERE d.user_id = ? AND r.name > ? ORDER BY r.name LIMIT ?",
                (user_id, after, limit + 1),
            ).fetchall()
            dms = [self._dm_unlocked(str(row[0])) for row in names[:limit]]
        return DmPage([dm for dm in dms if dm is not None], has_more=len(names) > limit)

    # --- mentions + read state ---

    def existing_users(self, user_ids: Collection[int]) -> set[int]:
        wanted = sorted(set(user_ids))
        if not wanted:
            return set()
        marks = ",".join("?" * len(wanted))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id FROM users WHERE id IN ({marks})",  # noqa: S608 - placeholders only
                wanted,
            ).fetchall()
        return {int(row[0]) for row in rows}

    def _set_mentions_unlocked(
        self, room_id: int, message_id: int, wanted: set[int], *, counted: bool
    ) -> None:
        """The mentions of a message, inside the caller's transaction; a change moves the
        room's change counter if ``counted`` (not for a message stored in the same one)."""
        stored = {
            int(r[0])
            for r in self._db.execute(
                "SELECT user_id FROM message_mentions WHERE room_id = ? AND message_id = ?",
                (room_id, message_id),
            )
        }
        if stored == wanted:
            return
        self._db.execute(
            "DELETE FROM message_mentions WHERE room_id = ? AND message_id = ?",
            (room_id, message_id),
        )
        self._db.executemany(
            "INSERT INTO message_mentions (room_id, message_id, user_id) VALUES (?, ?, ?)",
            [(room_id, message_id, user_id) for user_id in sorted(wanted)],
        )
        if counted:
            self._db.execute(
                "UPDATE rooms SET change_seq = change_seq + 1 WHERE id = ?", (room_id,)
            )
            self._db.execute(
                "UPDATE messages SET changed_seq = (SELECT change_seq FROM rooms"
                " WHERE id = ?) WHERE room_id = ? AND id = ?",
                (room_id, room_id, message_id),
            )

    def mark_read(self, user_id: int, room: str, message_id: int, now: float) -> tuple[int, bool]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT id, last_message_id FROM rooms WHERE name = ?", (room,)
                ).fetchone()
                if row is None or message_id > row[1]:
                    raise NotFoundError(f"no message {message_id} in {room!r}")
                moved = self._db.execute(
                    "INSERT INTO read_marks (user_id, room_id, message_id, updated_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (user_id, room_id) DO UPDATE"
                    " SET message_id = excluded.message_id, updated_at = excluded.updated_at"
                    " WHERE excluded.message_id > read_marks.message_id",
                    (user_id, row[0], message_id, now),
                ).rowcount
                mark = self._db.execute(
                    "SELECT message_id FROM read_marks WHERE user_id = ? AND room_id = ?",
                    (user_id, row[0]),
                ).fetchone()[0]
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        return int(mark), moved == 1

    def read_marks(self, user_id: int) -> list[ReadMark]:
        with self._lock:
            rows = self._db.execute(
                "SELECT r.name, k.message_id FROM read_marks k JOIN rooms r ON r.id = k.room_id"
                " WHERE k.user_id = ? ORDER BY r.name",
                (user_id,),
            ).fetchall()
        return [ReadMark(str(name), int(mark)) for name, mark in rows]

    # -------------------------------------------------------------------------- search

    def search(
        self,
        query: Query,
        *,
        rooms: list[str] | None,
        before: SearchCursor | None,
        limit: int,
    ) -> SearchPage:
        where, params = ["message_search MATCH ?"], list[object]([fts5_match(query)])
        if rooms is not None:
            if not rooms:
                return SearchPage([], has_more=False)
            where.append(f"r.name IN ({', '.join('?' * len(rooms))})")
            params += rooms
        if before is not None:
            where.append("(m.sent_at, r.name, m.id) < (?, ?, ?)")
            params += [before.sent_at, before.room, before.message_id]
        sql = (
            f"SELECT {_MESSAGE_COLUMNS} FROM message_search"  # noqa: S608 - constants only
            " JOIN messages m ON m.room_id = message_search.rowid >> 32"
            " AND m.id = message_search.rowid & 4294967295"
            " JOIN rooms r ON r.id = m.room_id JOIN users u ON u.id = m.author_id"
            f" WHERE {' AND '.join(where)}"
            " ORDER BY m.sent_at DESC, r.name DESC, m.id DESC LIMIT ?"
        )
        with self._lock:
            try:
                rows = self._db.execute(sql, (*params, limit + 1)).fetchall()
            except sqlite3.OperationalError as exc:  # cannot happen: every word is quoted
                raise QueryError("invalid_query", f"The search could not be run: {exc}") from exc
        return SearchPage([_message(row) for row in rows[:limit]], has_more=len(rows) > limit)
