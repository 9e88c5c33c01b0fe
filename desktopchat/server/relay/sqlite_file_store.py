"""The files part of the SQLite store (:class:`~.store.Store`'s ``# --- files ---``).

A mixin of :class:`~.sqlite_store.SqliteStore`, kept apart so the message store stays
readable; it uses the store's one connection and lock (``_db``, ``_lock``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

from desktopchat.server.relay import file_records
from desktopchat.server.relay.models import Attachment
from desktopchat.server.relay.store import AttachmentTakenError, ThumbnailRecord

#: The files tables (the SQLite store's migration 5).
MIGRATION = """
    CREATE TABLE files (
        id TEXT PRIMARY KEY,
        room TEXT NOT NULL,
        uploader_id INTEGER NOT NULL REFERENCES users(id),
        digest TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        type TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        created_at REAL NOT NULL,
        message_id INTEGER,
        position INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX files_by_uploader ON files (uploader_id);
    CREATE INDEX files_by_message ON files (room, message_id, position);
    CREATE TABLE thumbnails (
        digest TEXT PRIMARY KEY,
        thumb_digest TEXT,
        type TEXT NOT NULL,
        reason TEXT NOT NULL
    ) WITHOUT ROWID;
"""

_COLUMNS = file_records.COLUMNS


class SqliteFiles:
    """Files and thumbnails in SQLite."""

    _db: sqlite3.Connection
    _lock: threading.Lock

    def _rollback(self) -> None:
        raise NotImplementedError  # pragma: no cover - SqliteStore's

    def add_file(self, file: Attachment) -> None:
        with self._lock:
            self._db.execute(
                f"INSERT INTO files ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - constant
                file_records.values(file),
            )

    def file(self, room: str, file_id: str) -> Attachment | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM files WHERE id = ? AND room = ?",  # noqa: S608 - constant
                (file_id, room),
            ).fetchone()
        return None if row is None else file_records.attachment(row)

    def uploaded_bytes(self, user_id: int, unattached_since: float) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT coalesce(sum(size), 0) FROM files WHERE uploader_id = ?"
                " AND (message_id IS NOT NULL OR created_at >= ?)",
                (user_id, unattached_since),
            ).fetchone()
        return int(row[0])

    def attach_files(
        self, room: str, message_id: int, uploader_id: int, file_ids: Sequence[str]
    ) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._attach_files_unlocked(room, message_id, uploader_id, file_ids)
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _attach_files_unlocked(
        self, room: str, message_id: int, uploader_id: int, file_ids: Sequence[str]
    ) -> None:
        """:meth:`attach_files` inside the caller's transaction (rolled back on error)."""
        for position, file_id in enumerate(file_ids):
            changed = self._db.execute(
                "UPDATE files SET message_id = ?, position = ?"
                " WHERE id = ? AND room = ? AND uploader_id = ?"
                " AND (message_id IS NULL OR message_id = ?)",
                (message_id, position, file_id, room, uploader_id, message_id),
            ).rowcount
            if not changed:
                raise AttachmentTakenError(file_id)

    def attachments(self, room: str, message_ids: Sequence[int]) -> dict[int, list[Attachment]]:
        found: dict[int, list[Attachment]] = {}
        ids = list(message_ids)
        if not ids:
            return found
        marks = ", ".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM files WHERE room = ? AND message_id IN ({marks})"  # noqa: S608 - placeholders
                " ORDER BY message_id, position",
                (room, *ids),
            ).fetchall()
        for row in rows:
            file = file_records.attachment(row)
            assert file.message_id is not None  # noqa: S101 - selected by it
            found.setdefault(file.message_id, []).append(file)
        return found

    def thumbnail(self, digest: str) -> ThumbnailRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT digest, thumb_digest, type, reason FROM thumbnails WHERE digest = ?",
                (digest,),
            ).fetchone()
        return None if row is None else ThumbnailRecord(*row)

    def set_thumbnail(self, record: ThumbnailRecord) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO thumbnails (digest, thumb_digest, type, reason)"
                " VALUES (?, ?, ?, ?)",
                (record.digest, record.thumb_digest, record.type, record.reason),
            )
