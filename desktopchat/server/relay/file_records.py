"""The files table's columns and rows, shared by the SQLite and PostgreSQL stores.

Both stores keep one row per upload (``files``: who, which room, which blob, what name
and type, which message carries it) and one per blob tried for a thumbnail
(``thumbnails``), with the same column order, so a row becomes an
:class:`~.models.Attachment` the same way in each.
"""

from __future__ import annotations

from typing import Any

from desktopchat.server.relay.models import Attachment

#: The columns of an attachment, in :class:`Attachment`'s field order.
COLUMNS = "id, room, uploader_id, digest, name, size, type, width, height, created_at, message_id"


def attachment(row: tuple[Any, ...]) -> Attachment:
    """An :class:`Attachment` from a row of :data:`COLUMNS`."""
    file_id, room, uploader, digest, name, size, kind, width, height, created, message = row
    return Attachment(
        id=str(file_id),
        room=str(room),
        uploader_id=int(uploader),
        digest=str(digest),
        name=str(name),
        size=int(size),
        type=str(kind),
        width=None if width is None else int(width),
        height=None if height is None else int(height),
        created_at=float(created),
        message_id=None if message is None else int(message),
    )


def values(file: Attachment) -> tuple[Any, ...]:
    """``file``'s values in the order of :data:`COLUMNS`."""
    return (
        file.id,
        file.room,
        file.uploader_id,
        file.digest,
        file.name,
        file.size,
        file.type,
        file.width,
        file.height,
        file.created_at,
        file.message_id,
    )
