"""The files part of the PostgreSQL store (:class:`~.store.Store`'s ``# --- files ---``).

A mixin of :class:`~.postgres_store.PostgresStore`, kept apart so the message store stays
readable; it takes connections from the store's pool (``_connection``).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager

import psycopg
from psycopg.rows import TupleRow

from desktopchat.server.relay import file_records
from desktopchat.server.relay.models import Attachment
from desktopchat.server.relay.store import AttachmentTakenError, ThumbnailRecord

#: The files tables (the PostgreSQL store's migration 2).
MIGRATION = """
    CREATE TABLE files (
        id TEXT PRIMARY KEY,
        room TEXT COLLATE "C" NOT NULL,
        uploader_id BIGINT NOT NULL REFERENCES users(id),
        digest TEXT NOT NULL,
        name TEXT NOT NULL,
        size BIGINT NOT NULL,
        type TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        created_at DOUBLE PRECISION NOT NULL,
        message_id BIGINT,
        position INTEGER
    );
    CREATE INDEX files_by_uploader ON files (uploader_id);
    CREATE INDEX files_by_message ON files (room, message_id, position);
    CREATE TABLE thumbnails (
        digest TEXT PRIMARY KEY,
        thumb_digest TEXT,
        type TEXT NOT NULL,
        reason TEXT NOT NULL
    );
"""

_COLUMNS = file_records.COLUMNS
Connection = psycopg.Connection[TupleRow]


class PostgresFiles:
    """Files and thumbnails in PostgreSQL."""

    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # pragma: no cover - PostgresStore's

    def add_file(self, file: Attachment) -> None:
        with self._connection() as conn:
            conn.execute(
                f"INSERT INTO files ({_COLUMNS})"  # noqa: S608 - constant
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                file_records.values(file),
            )

    def file(self, room: str, file_id: str) -> Attachment | None:
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM files WHERE id = %s AND room = %s",  # noqa: S608 - constant
                (file_id, room),
            ).fetchone()
        return None if row is None else file_records.attachment(row)

    def uploaded_bytes(self, user_id: int, unattached_since: float) -> int:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT coalesce(sum(size), 0) FROM files WHERE uploader_id = %s"
                " AND (message_id IS NOT NULL OR created_at >= %s)",
                (user_id, unattached_since),
            ).fetchone()
        return 0 if row is None else int(row[0])

    def attach_files(
        self, room: str, message_id: int, uploader_id: int, file_ids: Sequence[str]
    ) -> None:
        with self._connection() as conn, conn.transaction():
            self._attach_files_in(conn, room, message_id, uploader_id, file_ids)

    @staticmethod
    def _attach_files_in(
        conn: Connection, room: str, message_id: int, uploader_id: int, file_ids: Sequence[str]
    ) -> None:
        """:meth:`attach_files` inside the caller's transaction (rolled back on error)."""
        for position, file_id in enumerate(file_ids):
            changed = conn.execute(
                "UPDATE files SET message_id = %s, position = %s"
                " WHERE id = %s AND room = %s AND uploader_id = %s"
                " AND (message_id IS NULL OR message_id = %s)",
                (message_id, position, file_id, room, uploader_id, message_id),
            ).rowcount
            if not changed:
                raise AttachmentTakenError(file_id)

    def attachments(self, room: str, message_ids: Sequence[int]) -> dict[int, list[Attachment]]:
        found: dict[int, list[Attachment]] = {}
        ids = list(message_ids)
        if not ids:
            return found
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM files WHERE room = %s AND message_id = ANY(%s)"  # noqa: S608 - constant
                " ORDER BY message_id, position",
                (room, ids),
            ).fetchall()
        for file in map(file_records.attachment, rows):
            assert file.message_id is not None  # noqa: S101 - selected by it
            found.setdefault(file.message_id, []).append(file)
        return found

    def thumbnail(self, digest: str) -> ThumbnailRecord | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT digest, thumb_digest, type, reason FROM thumbnails WHERE digest = %s",
                (digest,),
            ).fetchone()
        return None if row is None else ThumbnailRecord(*row)

    def set_thumbnail(self, record: ThumbnailRecord) -> None:
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO thumbnails (digest, thumb_digest, type, reason)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (record.digest, record.thumb_digest, record.type, record.reason),
            )
