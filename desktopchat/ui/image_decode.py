"""Decoding untrusted image bytes into a QImage, safely and off the GUI thread.

Thumbnails and full images come from other people: a file may claim 100,000 x 100,000
pixels in a few hundred bytes, or stop halfway. Every decode here reads the header first
and refuses an image over a pixel budget before any pixel is allocated, and Qt's own
allocation limit (:data:`ALLOCATION_MB`, process-wide) stops whatever slips past. Only
QImage is made here (it is safe on any thread; QPixmap is not): callers run this on a
worker and turn the result into a pixmap on the GUI thread.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QImageReader

#: Qt refuses any single image allocation over this many MB (the default is 256 MB in Qt 6;
#: 50 megapixels as RGBA, the largest image the relay previews, is 200 MB).
ALLOCATION_MB = 256
#: A thumbnail is at most 320 px a side: anything over a megapixel is not one.
THUMBNAIL_PIXELS = 1_000_000
#: The largest full image the viewer decodes (the relay's own preview limit).
FULL_PIXELS = 50_000_000


class UndecodableError(Exception):
    """The bytes are not an image this window will show; the message says why."""


_limit_set = threading.Lock()
_limit_done = False


def set_allocation_limit() -> None:
    """Set Qt's process-wide image allocation limit once (idempotent, thread-safe)."""
    global _limit_done  # noqa: PLW0603 - a process-wide setting, set once
    with _limit_set:
        if not _limit_done:
            QImageReader.setAllocationLimit(ALLOCATION_MB)
            _limit_done = True


def decode_bytes(data: bytes, max_pixels: int = THUMBNAIL_PIXELS) -> QImage:
    """``data`` decoded (an animation's first frame), or :class:`UndecodableError`."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    try:
        return _read(QImageReader(buffer), max_pixels)
    finally:
        buffer.close()


def decode_file(path: Path, max_pixels: int = FULL_PIXELS) -> QImage:
    """The image in the file at ``path``, as :func:`decode_bytes`."""
    return _read(QImageReader(str(path)), max_pixels)


def _read(reader: QImageReader, max_pixels: int) -> QImage:
    set_allocation_limit()
    reader.setAutoTransform(True)  # a phone photo's EXIF rotation
    size = reader.size()  # from the header alone
    if not size.isValid() or size.width() <= 0 or size.height() <= 0:
        raise UndecodableError(_why(reader, "not a readable image"))
    if size.width() * size.height() > max_pixels:
        raise UndecodableError(f"the image is too large ({size.width()} x {size.height()})")
    image = reader.read()
    if image.isNull():
        raise UndecodableError(_why(reader, "the image is truncated or corrupt"))
    return image


def _why(reader: QImageReader, fallback: str) -> str:
    detail = reader.errorString()
    return f"{fallback} ({detail})" if detail and detail != "Unknown error" else fallback
