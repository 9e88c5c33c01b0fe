"""Files and images: upload to a room, download, thumbnails.

``POST /api/rooms/{room}/files?name=NAME`` takes the raw bytes as the body (what ``curl
--data-binary @shot.png`` sends; no multipart to parse), streams them into
:mod:`.file_storage` while hashing, and answers the file's record; a message then carries
it (``attachments: [ID, …]`` with ``POST …/messages``). The size limit is refused from
``Content-Length`` before a byte is read, and again while streaming (a chunked body), so
an upload is never held in memory. The type is sniffed from the bytes; a file that is not
one of the four safe image types is served as an attachment, with ``nosniff``.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from aiohttp import web

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import file_types, images, limits
from desktopchat.server.relay.file_storage import (
    Blob,
    BlobNotFoundError,
    BlobWriter,
    DirectoryStorage,
    FileStorage,
)
from desktopchat.server.relay.membership import readable_room
from desktopchat.server.relay.models import Attachment, Message, Room, User
from desktopchat.server.relay.ratelimit import StoreThrottle
from desktopchat.server.relay.service import RELAY, Relay, retry_seconds, too_many
from desktopchat.server.relay.store import ThumbnailRecord

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Bytes handed to the storage per write (one worker-thread hop each).
WRITE_CHUNK = 1024 * 1024
#: Bytes read from the storage per write to the client.
READ_CHUNK = 256 * 1024
#: A file id: 22 URL-safe characters (128 random bits), never the hash.
_FILE_ID_BYTES = 16
_FILE_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
#: The longest ``name`` accepted before sanitising (a path a script passes, say).
_MAX_RAW_NAME = 1024


class Files:
    """The relay's file storage, its I/O and image threads, the upload throttle."""

    def __init__(self, relay: Relay, storage: FileStorage) -> None:
        self.relay = relay
        self.storage = storage
        self._io = ThreadPoolExecutor(4, thread_name_prefix="relay-files")
        #: Decoding images: its own threads, so a burst of thumbnails never delays logins
        #: (the password hashing pool) or file I/O.
        self._images = ThreadPoolExecutor(2, thread_name_prefix="relay-images")
        self.uploads = StoreThrottle(
            relay.store, "uploads-user", limits.UPLOADS_PER_USER, limits.UPLOADS_WINDOW
        )
        #: Thumbnails being made, by blob: a burst of views of one image decodes it once.
        self._making: dict[str, asyncio.Future[ThumbnailRecord]] = {}
        #: Bytes of each user's uploads still streaming in: a burst of uploads at once
        #: must not each see the quota as it was before any of them landed.
        self._reserved: dict[int, int] = {}
        #: One lock per user around "count the bytes stored, then record one more file".
        self._quota_locks: dict[int, asyncio.Lock] = {}

    def reserved(self, user_id: int) -> int:
        """Bytes of ``user_id``'s uploads in flight on this relay (declared or received)."""
        return self._reserved.get(user_id, 0)

    def reserve(self, user_id: int, size: int) -> None:
        """Count ``size`` more in-flight bytes for ``user_id`` (negative to release)."""
        left = self._reserved.get(user_id, 0) + size
        if left > 0:
            self._reserved[user_id] = left
        else:
            self._reserved.pop(user_id, None)

    def quota_lock(self, user_id: int) -> asyncio.Lock:
        """The lock that makes the quota check and the new file's record one step."""
        return self._quota_locks.setdefault(user_id, asyncio.Lock())

    async def io(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a storage call on the file threads (disk or network, never the event loop)."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._io, partial(fn, *args))
        except OSError as exc:
            if exc.errno in {errno.ENOSPC, errno.EDQUOT}:
                log.error("the relay's file storage is full: %s", exc)
                raise ApiError(507, "storage_full", "The server is out of storage") from exc
            raise

    async def image(self, fn: Callable[..., T], *args: Any) -> T:
        """Run image decoding on the image threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._images, partial(fn, *args))

    async def thumbnail_once(
        self, digest: str, make: Callable[[], Awaitable[ThumbnailRecord]]
    ) -> ThumbnailRecord:
        """``make()`` for ``digest``, shared with any request already making it."""
        future = self._making.get(digest)
        if future is None:
            future = self._making[digest] = asyncio.ensure_future(make())
            future.add_done_callback(lambda _: self._making.pop(digest, None))
        return await asyncio.shield(future)

    def close(self) -> None:
        """Wait for the file and image threads."""
        self._io.shutdown(wait=True)
        self._images.shutdown(wait=True)


FILES = web.AppKey("files", Files)


def max_file_bytes(relay: Relay) -> int:
    """The largest upload this relay takes (``GET /api/config`` says it too)."""
    return relay.config.max_file_bytes


def _in_words(size: int) -> str:
    """``25 MB`` for a limit of whole megabytes, ``2500 bytes`` below one."""
    return f"{size >> 20} MB" if size >= 1 << 20 else f"{size} bytes"


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413, "file_too_large", f"The file is over the limit of {limit} bytes ({_in_words(limit)})"
    )


def _over_quota(quota: int) -> ApiError:
    return ApiError(
        413,
        "quota_exceeded",
        f"Your files would take more than your quota of {_in_words(quota)} on this server",
    )


async def _quota_used(relay: Relay, user_id: int) -> int:
    """What counts toward ``user_id``'s quota now (see ``Store.uploaded_bytes``)."""
    since = time.time() - limits.UNATTACHED_FILE_GRACE
    return await relay.db(relay.store.uploaded_bytes, user_id, since)


def _file_name(request: web.Request) -> str:
    raw = request.query.get("name", "")
    if len(raw) > _MAX_RAW_NAME:
        raise ApiError(400, "invalid_name", f"'name' is longer than {_MAX_RAW_NAME} characters")
    return file_types.safe_name(raw)


async def post_file(request: web.Request) -> web.Response:
    """Upload: the body is the file, ``?name=`` its name → 201 ``{"file": ATTACHMENT}``."""
    relay = request.app[RELAY]
    files = request.app[FILES]
    user, _ = await relay.user_of(request)
    room = await readable_room(relay, user, request.match_info["room"])
    name = _file_name(request)
    limit, quota = max_file_bytes(relay), relay.config.file_quota_bytes
    declared = request.content_length
    if declared is not None and declared > limit:
        raise _too_large(limit)
    if declared == 0:
        raise ApiError(400, "empty_file", "The file is empty")
    used = await _quota_used(relay, user.id)
    # Checked and reserved in one step (no await between): a burst of uploads at once
    # each sees the others' declared bytes, not the quota as it was before any of them.
    if used + files.reserved(user.id) + (declared or 0) > quota:
        raise _over_quota(quota)
    files.reserve(user.id, declared or 0)
    try:
        key, now = str(user.id), time.time()
        wait = await relay.db(files.uploads.reserve, key, now)
        if wait:
            raise too_many(
                "too_many_uploads",
                f"You uploaded {files.uploads.limit} files within "
                f"{files.uploads.window / 60:.0f} minutes; retry in {retry_seconds(wait)} s",
                wait,
            )
        try:
            blob = await _receive(files, request, limit)
            # Counted again under the user's lock, stored bytes and the others still in
            # flight: a chunked body says its size only now, and others may have landed.
            async with files.quota_lock(user.id):
                others = files.reserved(user.id) - (declared or 0)
                used = await _quota_used(relay, user.id)
                if used + others + blob.size > quota:
                    raise _over_quota(quota)
                file = await _record(relay, files, room, user, name=name, blob=blob)
        except BaseException:
            await relay.db(files.uploads.cancel, key)
            raise
    finally:
        files.reserve(user.id, -(declared or 0))
    await relay.db(files.uploads.count, key, now)
    log.info("file %s (%d bytes, %s) uploaded to %s", file.id, file.size, file.type, room.name)
    return web.json_response({"file": file.to_json()}, status=201)


async def _receive(files: Files, request: web.Request, limit: int) -> Blob:
    """Stream the body into the storage, refusing it once it passes ``limit``."""
    writer: BlobWriter = await files.io(files.storage.begin)
    try:
        pending = bytearray()
        while chunk := await request.content.read(READ_CHUNK):
            if writer.size + len(pending) + len(chunk) > limit:
                raise _too_large(limit)
            pending += chunk
            if len(pending) >= WRITE_CHUNK:
                await files.io(writer.write, bytes(pending))
                pending.clear()
        if pending:
            await files.io(writer.write, bytes(pending))
        if writer.size == 0:
            raise ApiError(400, "empty_file", "The file is empty")
        return await files.io(writer.commit)
    except BaseException:
        await asyncio.shield(files.io(writer.abort))
        raise


def _inspect(storage: FileStorage, digest: str) -> tuple[int, int] | None:
    """On a worker: an image's dimensions, or None when it will not be previewed."""
    with storage.open(digest) as stream:
        try:
            return images.dimensions(stream)
        except images.NoPreviewError as exc:
            log.info("image %s has no preview: %s", digest[:12], exc)
            return None


async def _record(
    relay: Relay, files: Files, room: Room, user: User, *, name: str, blob: Blob
) -> Attachment:
    kind = file_types.sniff(blob.head)
    size = None
    if kind in file_types.SAFE_IMAGE_TYPES:
        size = await files.image(_inspect, files.storage, blob.digest)
    file = Attachment(
        id=secrets.token_urlsafe(_FILE_ID_BYTES),
        room=room.name,
        uploader_id=user.id,
        digest=blob.digest,
        name=name,
        size=blob.size,
        type=kind,
        width=None if size is None else size[0],
        height=None if size is None else size[1],
        created_at=time.time(),
    )
    await relay.db(relay.store.add_file, file)
    return file


async def _readable_file(request: web.Request) -> tuple[Relay, Files, Attachment]:
    """The file the request names, if its user may read it; 404 ``no_such_file`` if not.

    A file no message carries yet is its uploader's alone; one whose message was deleted
    is no one's.
    """
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    room = await readable_room(relay, user, request.match_info["room"])
    file_id = request.match_info["file_id"]
    file = None
    if len(file_id) <= 64 and set(file_id) <= _FILE_ID_CHARS:
        file = await relay.db(relay.store.file, room.name, file_id)
    if file is not None and file.message_id is None and file.uploader_id != user.id:
        file = None
    if file is not None and file.message_id is not None:
        message = await relay.db(relay.store.message, room.name, file.message_id)
        if message is None or message.deleted:
            file = None
    if file is None:
        raise ApiError(404, "no_such_file", "No such file")
    return relay, request.app[FILES], file


def _disposition(file: Attachment) -> str:
    """``inline`` only for a safe image the relay read; the name in RFC 6266 form."""
    inline = file.type in file_types.SAFE_IMAGE_TYPES and file.width is not None
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in file.name
    )
    return (
        f'{"inline" if inline else "attachment"}; filename="{fallback}";'
        f" filename*=UTF-8''{quote(file.name, safe='')}"
    )


async def _stream_blob(
    request: web.Request, files: Files, digest: str, headers: dict[str, str]
) -> web.StreamResponse:
    try:
        stream = await files.io(files.storage.open, digest)
    except BlobNotFoundError:
        log.error("blob %s is in the store but not in the file storage", digest[:12])
        raise ApiError(404, "no_such_file", "The file's bytes are gone from the server") from None
    try:
        response = web.StreamResponse(
            headers={
                **headers,
                "X-Content-Type-Options": "nosniff",
                # Opened in a browser, the file runs nothing and loads nothing.
                "Content-Security-Policy": "default-src 'none'; sandbox",
                # Blobs never change: a client may keep its copy (privately) for good.
                "Cache-Control": "private, max-age=31536000, immutable",
                "ETag": f'"{digest}"',
            }
        )
        if request.headers.get("If-None-Match") == f'"{digest}"':
            response.set_status(304)
            await response.prepare(request)
            return response
        await response.prepare(request)
        while chunk := await files.io(stream.read, READ_CHUNK):
            await response.write(chunk)
        await response.write_eof()
        return response
    finally:
        await files.io(stream.close)


async def get_file(request: web.Request) -> web.StreamResponse:
    """Download a file (to those who may read its room): its sniffed type, ``nosniff``."""
    _, files, file = await _readable_file(request)
    headers = {
        "Content-Type": file.type,
        "Content-Length": str(file.size),
        "Content-Disposition": _disposition(file),
    }
    return await _stream_blob(request, files, file.digest, headers)


def _make_thumbnail(storage: FileStorage, digest: str) -> images.Thumbnail:
    with storage.open(digest) as stream:
        return images.thumbnail(stream)


async def get_thumbnail(request: web.Request) -> web.StreamResponse:
    """A previewable image's thumbnail, made once (on a worker) and kept; 404 ``no_preview``
    with the reason for an image that cannot have one (a bomb, truncated, corrupt)."""
    relay, files, file = await _readable_file(request)
    if file.width is None:
        raise ApiError(404, "no_preview", "This file has no preview")
    record = await relay.db(relay.store.thumbnail, file.digest)
    if record is None:
        record = await files.thumbnail_once(
            file.digest, partial(_new_thumbnail, relay, files, file.digest)
        )
    if record.thumb_digest is None:
        raise ApiError(404, "no_preview", f"This image has no preview: {record.reason}")
    headers = {"Content-Type": record.type, "Content-Disposition": "inline"}
    return await _stream_blob(request, files, record.thumb_digest, headers)


async def _new_thumbnail(relay: Relay, files: Files, digest: str) -> ThumbnailRecord:
    try:
        thumb = await files.image(_make_thumbnail, files.storage, digest)
    except images.NoPreviewError as exc:
        log.info("image %s has no thumbnail: %s", digest[:12], exc)
        record = ThumbnailRecord(digest, None, "", str(exc))
    else:
        writer = await files.io(files.storage.begin)
        try:
            await files.io(writer.write, thumb.data)
            blob = await files.io(writer.commit)
        except BaseException:
            await files.io(writer.abort)
            raise
        record = ThumbnailRecord(digest, blob.digest, thumb.type, "")
    await relay.db(relay.store.set_thumbnail, record)
    return await relay.db(relay.store.thumbnail, digest) or record


# ---------------------------------------------------------------- messages' attachments


def attachment_ids(body: dict[str, Any]) -> list[str]:
    """``attachments`` of a message body: up to :data:`~.limits.MAX_ATTACHMENTS` file ids."""
    raw = body.get("attachments", [])
    if not isinstance(raw, list) or not all(isinstance(i, str) for i in raw):
        raise ApiError(400, "invalid_attachments", "'attachments' must be a list of file ids")
    if len(raw) > limits.MAX_ATTACHMENTS:
        raise ApiError(
            400, "too_many_attachments", f"At most {limits.MAX_ATTACHMENTS} files per message"
        )
    if len(set(raw)) != len(raw):
        raise ApiError(400, "invalid_attachments", "A file is attached twice")
    return raw


async def check_attachable(relay: Relay, room: Room, user: User, file_ids: list[str]) -> None:
    """Refuse (400 ``invalid_attachment``, nothing stored) a file that is not the user's
    upload to this room, before the message is stored."""
    for file_id in file_ids:
        file = await relay.db(relay.store.file, room.name, file_id)
        if file is None or file.uploader_id != user.id:
            raise ApiError(
                400, "invalid_attachment", f"No file {file_id[:64]!r} of yours in {room.name}"
            )


async def with_attachments(relay: Relay, room: str, messages: list[Message]) -> list[Message]:
    """``messages`` with the files each carries (one store call for the lot)."""
    ids = [m.id for m in messages if not m.deleted]
    found = await relay.db(relay.store.attachments, room, ids) if ids else {}
    return [replace(m, attachments=tuple(found.get(m.id, ()))) for m in messages]


async def _close(app: web.Application) -> None:
    app[FILES].close()


def add_routes(app: web.Application) -> None:
    """Mount the file endpoints, with their storage in the relay's data dir."""
    relay = app[RELAY]
    app[FILES] = Files(relay, DirectoryStorage(relay.config.data_dir / "files"))
    app.on_cleanup.append(_close)
    app.router.add_post("/api/rooms/{room}/files", post_file)
    app.router.add_get("/api/rooms/{room}/files/{file_id}", get_file)
    app.router.add_get("/api/rooms/{room}/files/{file_id}/thumbnail", get_thumbnail)
