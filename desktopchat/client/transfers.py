"""Streaming files to and from the relay: progress, cancel, and verified saves.

An upload is read from disk in chunks as ``requests`` sends it (its length known, so the
relay can refuse an oversized file from ``Content-Length`` before a byte is sent); a
download is written to a temporary file and renamed into place only once its SHA-256
matches the relay's, so the cache never holds half a file under a real name.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO

from desktopchat.client.domain import Attachment
from desktopchat.client.errors import DesktopChatError, ProtocolError

if TYPE_CHECKING:
    import requests

Progress = Callable[[int, int], None]
"""``(bytes done, bytes in all)``; called from the thread doing the transfer."""
Cancel = Callable[[], bool]
"""Asked between chunks: True stops the transfer."""

#: Bytes per read from disk or from the network.
CHUNK = 256 * 1024


class TransferCancelledError(DesktopChatError):
    """The user cancelled an upload or a download."""


class FileTooLargeError(DesktopChatError):
    """A file is over the relay's ``max_file_bytes``: it could never be uploaded."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(f"{path.name} is {size} bytes, over the server's limit of {limit}")
        self.size = size
        self.limit = limit


class ProgressReader:
    """A file opened for ``requests`` to send: reports progress, honours cancel.

    ``len()`` gives requests the Content-Length (so the body is not chunked).
    """

    def __init__(self, path: Path, progress: Progress | None, cancel: Cancel | None) -> None:
        self._file: BinaryIO = path.open("rb")
        self._total = os.fstat(self._file.fileno()).st_size
        self._done = 0
        self._progress = progress
        self._cancel = cancel

    def __len__(self) -> int:
        return self._total

    def read(self, size: int = -1) -> bytes:
        """The next chunk (at most :data:`CHUNK` bytes), after checking for cancel."""
        if self._cancel is not None and self._cancel():
            raise TransferCancelledError("upload cancelled")
        chunk = self._file.read(CHUNK if size < 0 else min(size, CHUNK))
        self._done += len(chunk)
        if self._progress is not None and chunk:
            self._progress(self._done, self._total)
        return chunk

    def __enter__(self) -> ProgressReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._file.close()


def download_dir(cache_dir: Path) -> Path:
    """Where downloaded files are kept: ``files/`` in the app's cache dir (safe to clear)."""
    return cache_dir / "files"


def cached_path(directory: Path, attachment: Attachment) -> Path:
    """Where ``attachment`` is kept in a download cache: ``directory/HASH/NAME``.

    The relay sanitises names; this checks again (a single plain part) rather than trust it.
    """
    if len(attachment.hash) != 64 or not all(c in "0123456789abcdef" for c in attachment.hash):
        raise ProtocolError("the relay sent an attachment with a malformed hash")
    name = unicodedata.normalize("NFC", attachment.name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip(" .") or "file"
    return directory / attachment.hash / name[:200]


def save_verified(
    response: requests.Response,
    attachment: Attachment,
    target: Path,
    progress: Progress | None,
    cancel: Cancel | None,
) -> Path:
    """Write ``response``'s body to ``target`` if its SHA-256 is the attachment's hash."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{secrets.token_hex(8)}.part")
    digest, done = hashlib.sha256(), 0
    try:
        with temp.open("xb") as out:
            for chunk in response.iter_content(CHUNK):
                if cancel is not None and cancel():
                    raise TransferCancelledError("download cancelled")
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, attachment.size)
        if digest.hexdigest() != attachment.hash:
            raise ProtocolError(f"{attachment.name}: the bytes do not match the file's hash")
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)
    return target
