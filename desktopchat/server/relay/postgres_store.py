"""The relay's store in PostgreSQL: one database shared by any number of relay processes.

Every relay keeps a small connection pool (psycopg 3) and nothing else, so a load balancer
may send any request to any relay. What must hold across relays is the database's work:

* Message ids are 1, 2, 3… per room with no gap: one statement bumps the room's counter
  (``UPDATE … RETURNING``), which row-locks the room until it commits, and inserts the
  message under the new id, so concurrent inserts into one room take their turns and
  commit in id order. A retry with a known ``client_id`` fails the unique constraint, and
  with it the whole statement, counter included; the stored message is returned instead.
* The login throttle is one transaction per reservation under a per-key advisory lock.
* Statements run in autocommit unless they must go together (``conn.transaction()``).

A database that cannot be reached raises :class:`~.store.UnavailableError` (the relay
answers 503); the pool replaces broken connections, so service resumes when it is back.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg.errors
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolTimeout

from desktopchat.search_syntax import Query, QueryError, tsquery
from desktopchat.server.relay import (
    avatars,
    postgres_file_store,
    postgres_replies,
    postgres_schema,
    ratelimit,
)
from desktopchat.server.relay.database import PostgresSettings
from desktopchat.server.relay.models import Dm, Message, Room, User
from desktopchat.server.relay.search_results import SearchCursor, SearchPage
from desktopchat.server.relay.store import (
    AlreadyExistsError,
    ChangePage,
    Credentials,
    DmPage,
    FullError,
    NotFoundError,
    Page,
    ReadMark,
    RoomPage,
    UnavailableError,
)

log = logging.getLogger(__name__)

Connection = psycopg.Connection[TupleRow]

_MESSAGE_COLUMNS = """
    m.id, r.name, m.client_id, m.text, m.sent_at, m.edited_at, m.deleted,
    u.id, u.username, u.display_name, u.email,
    ARRAY(SELECT mm.user_id FROM message_mentions mm
          WHERE mm.room_id = m.room_id AND mm.message_id = m.id ORDER BY mm.user_id)
"""
_MESSAGE_FROM = """
    FROM messages m JOIN rooms r ON r.id = m.room_id JOIN users u ON u.id = m.author_id
"""
#: Store a message: bump the room's counter (locking the room) and insert under the new id.
#: A ``client_id`` already stored fails the unique constraint, and so the whole statement:
#: no gap (``ON CONFLICT DO NOTHING`` would keep the bumped counter).
_ADD_MESSAGE = """
    WITH room AS (
        UPDATE rooms SET last_message_id = last_message_id + 1 WHERE name = %(room)s
        RETURNING id, name, last_message_id
    ), added AS (
        INSERT INTO messages (room_id, id, client_id, author_id, text, sent_at)
        SELECT id, last_message_id, %(client_id)s, %(author)s, %(text)s, %(now)s FROM room
        RETURNING id, client_id, author_id, text, sent_at, edited_at, deleted
    )
    SELECT a.id, room.name, a.client_id, a.text, a.sent_at, a.edited_at, a.deleted,
           u.id, u.username, u.display_name, u.email, ARRAY[]::bigint[]
    FROM added a CROSS JOIN room JOIN users u ON u.id = a.author_id
"""
#: Edit or delete: bump the room's change counter and stamp the message with it.
_CHANGE_MESSAGE = """
    WITH room AS (
        UPDATE rooms SET change_seq = change_seq + 1 WHERE name = %(room)s
        RETURNING id, name, change_seq
    ), changed AS (
        UPDATE messages m SET {assignments}, changed_seq = room.change_seq
        FROM room WHERE m.room_id = room.id AND m.id = %(id)s
        RETURNING m.id, m.client_id, m.author_id, m.text, m.sent_at, m.edited_at, m.deleted
    )
    SELECT c.id, room.name, c.client_id, c.text, c.sent_at, c.edited_at, c.deleted,
           u.id, u.username, u.display_name, u.email,
           ARRAY(SELECT mm.user_id FROM message_mentions mm
                 WHERE mm.room_id = room.id AND mm.message_id = c.id ORDER BY mm.user_id)
    FROM changed c CROSS JOIN room JOIN users u ON u.id = c.author_id
"""
#: What a message's text is searched as: the expression of the index ``messages_search``.
SEARCH_VECTOR = (
    "to_tsvector('simple'::regconfig,"
    " regexp_replace(m.text, '[[:punct:][:space:][:cntrl:]]+', ' ', 'g'))"
)
_EDIT = "text = %(text)s, edited_at = %(now)s"
_DELETE = "text = '', deleted = true, edited_at = %(now)s"


def _user(row: tuple[Any, ...]) -> User:
    user_id, username, display_name, email = row
    return User(
        int(user_id), str(username), str(display_name), email, avatars.avatar_url(user_id, email)
    )


def _message(row: tuple[Any, ...]) -> Message:
    message_id, room, client_id, text, sent_at, edited_at, deleted = row[:7]
    return Message(
        id=int(message_id),
        room=str(room),
        client_id=str(client_id),
        author=_user(row[7:11]),
        text=str(text),
        sent_at=float(sent_at),
        edited_at=None if edited_at is None else float(edited_at),
        deleted=bool(deleted),
        mentions=tuple(int(i) for i in row[11] or ()),
    )


def connect_kwargs(settings: PostgresSettings) -> dict[str, Any]:
    """What every connection is opened with, beside the URL (the password kept apart)."""
    kwargs: dict[str, Any] = {
        "autocommit": True,
        "application_name": "desktopchat-relay",
        # A host that drops packets would otherwise hold a connection attempt for minutes.
        "connect_timeout": max(2, round(settings.pool_timeout)),
    }
    if settings.password is not None:
        kwargs["password"] = settings.password
    return kwargs


def pool_kwargs(settings: PostgresSettings) -> dict[str, Any]:
    """What a request's connections are opened with: :func:`connect_kwargs` and a statement
    timeout. Migrations and ``relay migrate-sqlite`` (:func:`connect`) may run longer."""
    milliseconds = max(1, round(settings.statement_timeout * 1000))
    return {**connect_kwargs(settings), "options": f"-c statement_timeout={milliseconds}"}


def connect(settings: PostgresSettings) -> Connection:
    """One connection outside any pool (migrations, ``relay migrate-sqlite``)."""
    return psycopg.connect(settings.url, **connect_kwargs(settings))


class PostgresStore(
    postgres_file_store.PostgresFiles, postgres_replies.PostgresRepliesAndReactions
):
    """:class:`~desktopchat.server.relay.store.Store` on a PostgreSQL database."""

    def __init__(self, settings: PostgresSettings) -> None:
        self.settings = settings
        self.workers = settings.pool_size
        try:  # fails at once, in one clear line, if the database is not there
            with connect(settings) as conn:
                self.schema_version = postgres_schema.migrate(conn)
        except psycopg.Error as exc:  # libpq's messages never include the password
            reason = " ".join(str(exc).split())
            raise UnavailableError(f"cannot use the database {settings.display}: {reason}") from exc
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            settings.url,
            kwargs=pool_kwargs(settings),
            min_size=1,
            max_size=settings.pool_size,
            timeout=settings.pool_timeout,
            name="desktopchat-relay",
            open=False,
        )
        try:
            self._pool.open(wait=True, timeout=settings.pool_timeout)
        except PoolTimeout as exc:
            self._pool.close()
            raise UnavailableError(f"cannot use the database {settings.display}: {exc}") from exc
        log.info("relay storing in PostgreSQL at %s", settings.display)

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.close()

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A pooled connection; database outages become :class:`UnavailableError`."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            raise UnavailableError(f"no database connection: {exc}") from exc
        except psycopg.errors.DiskFull as exc:
            log.error("the relay's database is full: %s", exc)
            raise FullError(str(exc)) from exc
        except (psycopg.OperationalError, psycopg.errors.ReadOnlySqlTransaction) as exc:
            log.error("the relay's database is unavailable: %s", exc)
            # The other idle connections most likely broke too (a restart): drop them now
            # rather than fail one request each.
            self._pool.check()
            raise UnavailableError(str(exc)) from exc

    def ping(self) -> None:
        with self._connection() as conn:
            conn.execute("SELECT 1")

    # ------------------------------------------------------------------------ accounts

    def create_user(
        self, username: str, password_hash: str, display_name: str, email: str | None
    ) -> User:
        with self._connection() as conn:
            try:
                row = conn.execute(
                    "INSERT INTO users (username, display_name, email, password_hash, created_at)"
                    " VALUES (%s, %s, %s, %s, extract(epoch FROM now())) RETURNING id",
                    (username, display_name, email, password_hash),
                ).fetchone()
            except psycopg.errors.UniqueViolation:
                raise AlreadyExistsError(f"username {username!r} is taken") from None
        assert row is not None  # noqa: S101 - INSERT … RETURNING returns the row
        return _user((row[0], username, display_name, email))

    def credentials(self, username: str) -> Credentials | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT id, username, display_name, email, password_hash FROM users"
                " WHERE lower(username) = lower(%s)",
                (username,),
            ).fetchone()
        return None if row is None else Credentials(_user(row[:4]), str(row[4]))

    def set_display_name(self, user_id: int, display_name: str) -> User:
        with self._connection() as conn:
            row = conn.execute(
                "UPDATE users SET display_name = %s WHERE id = %s"
                " RETURNING id, username, display_name, email",
                (display_name, user_id),
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no user {user_id}")
        return _user(row)

    def create_session(self, user_id: int, token_hash: str, expires_at: float, now: float) -> None:
        with self._connection() as conn:
            conn.execute(
                "DELETE FROM sessions WHERE user_id = %s AND expires_at <= %s", (user_id, now)
            )
            conn.execute(
                "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (%s, %s, %s)",
                (token_hash, user_id, expires_at),
            )

    def session_user(self, token_hash: str, now: float) -> User | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT u.id, u.username, u.display_name, u.email FROM sessions s"
                " JOIN users u ON u.id = s.user_id WHERE s.token_hash = %s AND s.expires_at > %s",
                (token_hash, now),
            ).fetchone()
        return None if row is None else _user(row)

    def delete_session(self, token_hash: str) -> None:
        with self._connection() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = %s", (token_hash,))

    def use_once(self, key: str, expires_at: float, now: float) -> bool:
        with self._connection() as conn:
            conn.execute("DELETE FROM used_once WHERE expires_at <= %s", (now,))
            cursor = conn.execute(
                "INSERT INTO used_once (key, expires_at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (key, expires_at),
            )
        return cursor.rowcount == 1

    # ------------------------------------------------------------------------ throttles

    def reserve_attempt(self, scope: str, key: str, limit: int, window: float, now: float) -> float:
        with self._connection() as conn, conn.transaction():
            # One reservation of a key at a time, whichever relay makes it.
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{scope}\n{key}",)
            )
            conn.execute(
                "DELETE FROM attempts WHERE scope = %s AND at <= %s", (scope, now - window)
            )
            conn.execute(
                "DELETE FROM attempts WHERE scope = %s AND key = %s AND pending AND at <= %s",
                (scope, key, now - ratelimit.PENDING_SECONDS),
            )
            row = conn.execute(
                "SELECT count(*), min(at) FILTER (WHERE NOT pending) FROM attempts"
                " WHERE scope = %s AND key = %s",
                (scope, key),
            ).fetchone()
            assert row is not None  # noqa: S101 - an aggregate always returns a row
            wait = ratelimit.wait_for(int(row[0]), row[1], limit, window, now)
            if not wait:
                conn.execute(
                    "INSERT INTO attempts (scope, key, pending, at) VALUES (%s, %s, true, %s)",
                    (scope, key, now),
                )
        return wait

    def settle_attempt(self, scope: str, key: str, now: float, *, counted: bool) -> None:
        with self._connection() as conn:
            if counted:
                changed = conn.execute(
                    "UPDATE attempts SET pending = false, at = %(now)s WHERE id = ("
                    " SELECT id FROM attempts WHERE scope = %(scope)s AND key = %(key)s"
                    " AND pending ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)",
                    {"now": now, "scope": scope, "key": key},
                ).rowcount
                if not changed:  # its reservation expired: count it all the same
                    conn.execute(
                        "INSERT INTO attempts (scope, key, pending, at) VALUES (%s, %s, false, %s)",
                        (scope, key, now),
                    )
            else:
                conn.execute(
                    "DELETE FROM attempts WHERE id = ("
                    " SELECT id FROM attempts WHERE scope = %s AND key = %s AND pending"
                    " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)",
                    (scope, key),
                )

    def forgive_attempts(self, scope: str, key: str) -> None:
        with self._connection() as conn:
            conn.execute(
                "DELETE FROM attempts WHERE scope = %s AND key = %s AND NOT pending", (scope, key)
            )

    # --------------------------------------------------------------------------- rooms

    def rooms(self, *, after: str, limit: int) -> RoomPage:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT name, topic FROM rooms WHERE name > %s"
                " AND NOT EXISTS (SELECT 1 FROM dm_members d WHERE d.room_id = rooms.id)"
                " ORDER BY name LIMIT %s",
                (after, limit + 1),
            ).fetchall()
        rooms = [Room(str(name), str(topic)) for name, topic in rows[:limit]]
        return RoomPage(rooms, has_more=len(rows) > limit)

    def room(self, name: str) -> Room | None:
        with self._connection() as conn:
            row = conn.execute("SELECT name, topic FROM rooms WHERE name = %s", (name,)).fetchone()
        return None if row is None else Room(str(row[0]), str(row[1]))

    def create_room(self, name: str, topic: str, created_by: int | None) -> Room:
        with self._connection() as conn:
            try:
                conn.execute(
                    "INSERT INTO rooms (name, topic, created_by) VALUES (%s, %s, %s)",
                    (name, topic, created_by),
                )
            except psycopg.errors.UniqueViolation:
                raise AlreadyExistsError(f"room {name!r} exists") from None
        return Room(name, topic)

    def set_topic(self, name: str, topic: str) -> Room:
        with self._connection() as conn:
            changed = conn.execute(
                "UPDATE rooms SET topic = %s WHERE name = %s", (topic, name)
            ).rowcount
        if not changed:
            raise NotFoundError(f"room {name!r}")
        return Room(name, topic)

    # ------------------------------------------------------------------------ messages

    def add_message(
        self, room: str, author_id: int, client_id: str, text: str, now: float
    ) -> tuple[Message, bool]:
        values = {"room": room, "client_id": client_id, "author": author_id, "text": text}
        with self._connection() as conn:
            try:
                # One statement in autocommit: the room stays locked only while it runs.
                row = conn.execute(_ADD_MESSAGE, {**values, "now": now}).fetchone()
            except psycopg.errors.UniqueViolation:
                row = None  # a retry: the statement failed whole, the counter with it
            else:
                if row is None:
                    raise NotFoundError(f"no room {room!r}")
                return _message(row), True
            existing = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} {_MESSAGE_FROM}"
                " WHERE r.name = %s AND m.author_id = %s AND m.client_id = %s",
                (room, author_id, client_id),
            ).fetchone()
        if existing is None:  # cannot be: the constraint saw it, and messages stay
            raise NotFoundError(f"no message {client_id!r} in {room!r}")
        return _message(existing), False

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
        with self._connection() as conn, conn.transaction():
            room_id = self._locked_room(conn, room)
            message_id, created = self._insert_in(
                conn, room, room_id, author_id, client_id, text=text, now=now, reply_to=reply_to
            )
            if mentions is not None:
                self._set_mentions_in(conn, room_id, message_id, mentions, counted=not created)
            self._attach_files_in(conn, room, message_id, author_id, file_ids)
        return self._stored(room, message_id), created

    def message(self, room: str, message_id: int) -> Message | None:
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} {_MESSAGE_FROM} WHERE r.name = %s AND m.id = %s",
                (room, message_id),
            ).fetchone()
        return None if row is None else _message(row)

    def update_message(
        self,
        room: str,
        message_id: int,
        text: str,
        now: float,
        mentions: Collection[int] | None = None,
    ) -> Message:
        return self._change(room, message_id, _EDIT, {"text": text, "now": now}, mentions=mentions)

    def delete_message(self, room: str, message_id: int, now: float) -> Message:
        return self._change(room, message_id, _DELETE, {"now": now})

    def _change(
        self,
        room: str,
        message_id: int,
        assignments: str,
        values: dict[str, object],
        *,
        mentions: Collection[int] | None = None,
    ) -> Message:
        query = _CHANGE_MESSAGE.format(assignments=assignments).encode()
        with self._connection() as conn:
            with conn.transaction():
                row = conn.execute(query, {**values, "room": room, "id": message_id}).fetchone()
                if row is None:  # keep the change counter as it was
                    raise psycopg.Rollback
                if mentions is not None:  # counted with the edit: one change, one seq
                    # The UPDATE of rooms above holds the room's row lock.
                    head = conn.execute("SELECT id FROM rooms WHERE name = %s", (room,)).fetchone()
                    assert head is not None  # noqa: S101 - updated just above
                    self._set_mentions_in(conn, head[0], message_id, mentions, counted=False)
                    row = conn.execute(
                        f"SELECT {_MESSAGE_COLUMNS} {_MESSAGE_FROM}"
                        " WHERE r.name = %s AND m.id = %s",
                        (room, message_id),
                    ).fetchone()
            if row is None:
                raise NotFoundError(f"no message {message_id} in {room!r}")
        return _message(row)

    def changes(self, room: str, since: int | None, limit: int) -> ChangePage:
        with self._connection() as conn:
            # The counter first: a change committed in between is sent again, never missed.
            head = conn.execute("SELECT change_seq FROM rooms WHERE name = %s", (room,)).fetchone()
            if head is None:
                raise NotFoundError(f"no room {room!r}")
            current = int(head[0])
            if since is None or since >= current:
                return ChangePage([], current, has_more=False)
            rows = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS}, m.changed_seq {_MESSAGE_FROM}"
                " WHERE r.name = %s AND m.changed_seq > %s AND m.changed_seq <= %s"
                " ORDER BY m.changed_seq LIMIT %s",
                (room, since, current, limit + 1),
            ).fetchall()
        has_more = len(rows) > limit
        rows = rows[:limit]
        until = int(rows[-1][-1]) if has_more else current
        return ChangePage([_message(r[:-1]) for r in rows], until, has_more)

    def history(self, room: str, *, after: int | None, before: int | None, limit: int) -> Page:
        if after is not None:
            where, order, bound = "m.id > %s", "ASC", after
        else:
            where, order, bound = "m.id < %s", "DESC", before if before is not None else 2**62
        query = (
            f"SELECT {_MESSAGE_COLUMNS} {_MESSAGE_FROM}"
            f" WHERE r.name = %s AND {where} ORDER BY m.id {order} LIMIT %s"
        )
        with self._connection() as conn:
            rows = conn.execute(query.encode(), (room, bound, limit + 1)).fetchall()
        has_more = len(rows) > limit
        messages = [_message(row) for row in rows[:limit]]
        if order == "DESC":
            messages.reverse()
        return Page(messages, has_more)

    # ----------------------------------------------------------------- direct messages

    def user(self, user_id: int) -> User | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT id, username, display_name, email FROM users WHERE id = %s", (user_id,)
            ).fetchone()
        return None if row is None else _user(row)

    def user_named(self, username: str) -> User | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT id, username, display_name, email FROM users"
                " WHERE lower(username) = lower(%s)",
                (username,),
            ).fetchone()
        return None if row is None else _user(row)

    def create_dm(self, name: str, member_ids: frozenset[int], created_by: int) -> tuple[Dm, bool]:
        with self._connection() as conn:
            with conn.transaction():
                # Of two relays creating one DM at once, one inserts; the other waits on the
                # unique name, then finds the room and its members committed.
                row = conn.execute(
                    "INSERT INTO rooms (name, topic, created_by) VALUES (%s, '', %s)"
                    " ON CONFLICT (name) DO NOTHING RETURNING id",
                    (name, created_by),
                ).fetchone()
                created = row is not None
                if row is not None:
                    with conn.cursor() as cursor:
                        cursor.executemany(
                            "INSERT INTO dm_members (room_id, user_id) VALUES (%s, %s)",
                            [(row[0], user_id) for user_id in sorted(member_ids)],
                        )
            dm = self._dm(conn, name)
        if dm is None:
            raise AlreadyExistsError(f"room {name!r} exists and is not a DM")
        return dm, created

    def dm(self, name: str) -> Dm | None:
        with self._connection() as conn:
            return self._dm(conn, name)

    @staticmethod
    def _dm(conn: Connection, name: str) -> Dm | None:
        rows = conn.execute(
            "SELECT r.created_by, u.id, u.username, u.display_name, u.email FROM rooms r"
            " JOIN dm_members d ON d.room_id = r.id JOIN users u ON u.id = d.user_id"
            " WHERE r.name = %s ORDER BY u.id",
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
        with self._connection() as conn:
            names = conn.execute(
                "SELECT r.name FROM dm_members d JOIN rooms r ON r.id = d.room_id"
                " WHERE d.user_id = %s AND r.name > %s ORDER BY r.name LIMIT %s",
                (user_id, after, limit + 1),
            ).fetchall()
            dms = [self._dm(conn, str(row[0])) for row in names[:limit]]
        return DmPage([dm for dm in dms if dm is not None], has_more=len(names) > limit)

    # --- mentions + read state ---

    def existing_users(self, user_ids: Collection[int]) -> set[int]:
        wanted = sorted(set(user_ids))
        if not wanted:
            return set()
        with self._connection() as conn:
            rows = conn.execute("SELECT id FROM users WHERE id = ANY(%s)", (wanted,)).fetchall()
        return {int(row[0]) for row in rows}

    @staticmethod
    def _set_mentions_in(
        conn: Connection, room_id: int, message_id: int, user_ids: Collection[int], *, counted: bool
    ) -> None:
        """The mentions of a message, inside the caller's transaction (which holds the
        room's row lock); a change moves the room's change counter if ``counted`` (not for
        a message stored in the same transaction)."""
        wanted = sorted(set(user_ids))
        stored = conn.execute(
            "SELECT user_id FROM message_mentions WHERE room_id = %s AND message_id = %s"
            " ORDER BY user_id",
            (room_id, message_id),
        ).fetchall()
        if [int(r[0]) for r in stored] == wanted:
            return
        conn.execute(
            "DELETE FROM message_mentions WHERE room_id = %s AND message_id = %s",
            (room_id, message_id),
        )
        conn.execute(
            "INSERT INTO message_mentions (room_id, message_id, user_id)"
            " SELECT %s, %s, unnest(%s::bigint[])",
            (room_id, message_id, wanted),
        )
        if counted:
            conn.execute(
                "WITH room AS (UPDATE rooms SET change_seq = change_seq + 1"
                " WHERE id = %(room)s RETURNING change_seq)"
                " UPDATE messages SET changed_seq = room.change_seq FROM room"
                " WHERE room_id = %(room)s AND id = %(id)s",
                {"room": room_id, "id": message_id},
            )

    def mark_read(self, user_id: int, room: str, message_id: int, now: float) -> tuple[int, bool]:
        with self._connection() as conn:
            head = conn.execute(
                "SELECT id, last_message_id FROM rooms WHERE name = %s", (room,)
            ).fetchone()
            if head is None or message_id > head[1]:
                raise NotFoundError(f"no message {message_id} in {room!r}")
            # One statement: of two devices marking at once, the higher mark wins.
            moved = conn.execute(
                "INSERT INTO read_marks (user_id, room_id, message_id, updated_at)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (user_id, room_id) DO UPDATE"
                " SET message_id = excluded.message_id, updated_at = excluded.updated_at"
                " WHERE excluded.message_id > read_marks.message_id",
                (user_id, head[0], message_id, now),
            ).rowcount
            mark = conn.execute(
                "SELECT message_id FROM read_marks WHERE user_id = %s AND room_id = %s",
                (user_id, head[0]),
            ).fetchone()
        assert mark is not None  # noqa: S101 - the upsert above left a row
        return int(mark[0]), moved == 1

    def read_marks(self, user_id: int) -> list[ReadMark]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT r.name, k.message_id FROM read_marks k JOIN rooms r ON r.id = k.room_id"
                " WHERE k.user_id = %s ORDER BY r.name",
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
        where = [f"{SEARCH_VECTOR} @@ to_tsquery('simple', %(q)s)"]
        params: dict[str, object] = {"q": tsquery(query), "limit": limit + 1}
        if rooms is not None:
            where.append("r.name = ANY(%(rooms)s)")
            params["rooms"] = rooms
        if before is not None:
            where.append("(m.sent_at, r.name, m.id) < (%(at)s, %(room)s, %(id)s)")
            params.update(at=before.sent_at, room=before.room, id=before.message_id)
        sql = (
            f"SELECT {_MESSAGE_COLUMNS} {_MESSAGE_FROM} WHERE {' AND '.join(where)}"
            " ORDER BY m.sent_at DESC, r.name DESC, m.id DESC LIMIT %(limit)s"
        )
        with self._connection() as conn:
            try:
                rows = conn.execute(sql.encode(), params).fetchall()
            except psycopg.errors.SyntaxError as exc:  # cannot happen: every word is quoted
                raise QueryError("invalid_query", f"The search could not be run: {exc}") from exc
        return SearchPage([_message(row) for row in rows[:limit]], has_more=len(rows) > limit)
