"""Where uploaded bytes live: content-addressed blobs behind :class:`FileStorage`.

A blob is named by the SHA-256 of its bytes and nothing else, so the same screenshot
posted twice is kept once, a name can never point outside the storage, and a blob read
back can be checked against its name. The relay keeps everything else about a file
(who uploaded it, its name, its room) in its store; the storage knows only hashes.

The interface is shaped like an object store's (S3 and the like): a multi-part put that
is committed or aborted, a streamed get, exists and delete, all by hash; no path ever
leaves it. :class:`DirectoryStorage` is the one implementation today. Its methods are
blocking: the relay runs them on worker threads, never on the event loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

#: A blob's name: the lower-case hex SHA-256 of its bytes.
DIGEST = re.compile(r"\A[0-9a-f]{64}\Z")
#: How many bytes of a blob's start a writer keeps, to tell its type without reading it again.
HEAD_BYTES = 8192
#: A partial write older than this was left by a relay that stopped mid-upload.
STALE_PART_SECONDS = 24 * 3600.0


class BlobNotFoundError(Exception):
    """No blob has this hash."""


@dataclass(frozen=True, slots=True)
class Blob:
    """A stored blob: its SHA-256 (hex), its size, and its first :data:`HEAD_BYTES` bytes."""

    digest: str
    size: int
    head: bytes


class BlobWriter(Protocol):
    """A blob being written; exactly one of :meth:`commit` or :meth:`abort` ends it."""

    @property
    def size(self) -> int:
        """Bytes written so far."""
        ...

    def write(self, chunk: bytes) -> None:
        """Append ``chunk`` (hashed as it goes)."""
        ...

    def commit(self) -> Blob:
        """Store what was written under its hash (keeping one copy if it exists already)."""
        ...

    def abort(self) -> None:
        """Throw away what was written; safe to call after :meth:`commit` or twice."""
        ...


class FileStorage(Protocol):
    """Blobs by SHA-256: put (begin, write, commit), get as a stream, exists, delete."""

    def begin(self) -> BlobWriter:
        """Start writing a blob whose hash is known once it is complete."""
        ...

    def open(self, digest: str) -> BinaryIO:
        """The blob's bytes as a readable stream (close it); :class:`BlobNotFoundError` if none."""
        ...

    def exists(self, digest: str) -> bool:
        """Whether a blob with this hash is stored."""
        ...

    def delete(self, digest: str) -> None:
        """Forget the blob (nothing happens if there is none)."""
        ...


class _DirectoryWriter:
    """Writes into a temporary file beside the blobs, renamed into place on commit."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._temp = root / "incoming" / f"{secrets.token_hex(16)}.part"
        self._file: BinaryIO | None = self._temp.open("xb")
        self._hash = hashlib.sha256()
        self._head = bytearray()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        if self._file is None:
            raise ValueError("the blob is already committed or aborted")
        self._file.write(chunk)
        self._hash.update(chunk)
        if len(self._head) < HEAD_BYTES:
            self._head += chunk[: HEAD_BYTES - len(self._head)]
        self.size += len(chunk)

    def commit(self) -> Blob:
        if self._file is None:
            raise ValueError("the blob is already committed or aborted")
        self._file.flush()
        os.fsync(self._file.fileno())  # durable before the store says the file exists
        self._file.close()
        self._file = None
        digest = self._hash.hexdigest()
        target = _blob_path(self._root, digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Atomic on one file system: a reader sees the whole blob or none. Two uploads of
        # the same bytes both land here; either copy is the right one.
        self._temp.replace(target)
        return Blob(digest, self.size, bytes(self._head))

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._temp.unlink(missing_ok=True)


def _blob_path(root: Path, digest: str) -> Path:
    if not DIGEST.match(digest):  # the one way a name could reach the file system
        raise BlobNotFoundError(digest)
    return root / "blobs" / digest[:2] / digest


class DirectoryStorage:
    """:class:`FileStorage` in a directory: ``blobs/ab/abcd…`` and ``incoming/`` for writes.

    Several relays may share it (a network file system) as they share a PostgreSQL store:
    writes go to unique temporary names and are renamed into place atomically.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "incoming").mkdir(parents=True, exist_ok=True)
        (root / "blobs").mkdir(parents=True, exist_ok=True)
        self._sweep()

    def _sweep(self) -> None:
        """Remove partial writes a stopped relay left (never one another relay is writing:
        only those untouched for :data:`STALE_PART_SECONDS`)."""
        cutoff = time.time() - STALE_PART_SECONDS
        for part in (self.root / "incoming").glob("*.part"):
            with contextlib.suppress(OSError):
                if part.stat().st_mtime < cutoff:
                    part.unlink()

    def begin(self) -> BlobWriter:
        return _DirectoryWriter(self.root)

    def open(self, digest: str) -> BinaryIO:
        try:
            return _blob_path(self.root, digest).open("rb")
        except FileNotFoundError:
            raise BlobNotFoundError(digest) from None

    def exists(self, digest: str) -> bool:
        try:
            return _blob_path(self.root, digest).is_file()
        except BlobNotFoundError:
            return False

    def delete(self, digest: str) -> None:
        try:
            _blob_path(self.root, digest).unlink(missing_ok=True)
        except BlobNotFoundError:
            return
