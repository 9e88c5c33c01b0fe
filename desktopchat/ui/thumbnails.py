"""Small previews of local images, decoded on a worker thread.

A screenshot is a few megabytes of PNG; decoding it on the GUI thread would stall the
window for tens of milliseconds, and a huge or malformed file could stall it for good.
:class:`QImageReader` (safe off the GUI thread, unlike ``QPixmap``) decodes it scaled
down where the format allows, under an allocation limit; anything that is not an image,
or fails, simply has no thumbnail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from desktopchat.client.tasks import TaskRunner

#: Megabytes a decode may allocate (Qt's default is 256): a preview needs far less,
#: and a decompression bomb is refused instead of filling memory.
ALLOCATION_MB = 128


def thumbnail(path: Path, side: int) -> QImage | None:
    """``path`` decoded to fit a square of ``side`` pixels; ``None``: not an image.

    Blocking: call it on a worker.
    """
    reader = QImageReader(str(path))
    reader.setAllocationLimit(ALLOCATION_MB)
    reader.setAutoTransform(True)  # a phone photo's EXIF rotation
    if not reader.canRead():
        return None
    size = reader.size()
    if size.isValid() and (size.width() > side or size.height() > side):
        reader.setScaledSize(size.scaled(QSize(side, side), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return None if image.isNull() else image


def thumbnailer(tasks: TaskRunner, side: int) -> Callable[[Path, Callable[[QImage], None]], None]:
    """A tray's thumbnailer: decode on ``tasks``' workers, ``done(image)`` on its thread."""

    def make(path: Path, done: Callable[[QImage], None]) -> None:
        def decoded(image: QImage | None) -> None:
            if image is not None:
                done(image)

        tasks.run(lambda: thumbnail(path, side), decoded, lambda _exc: None)

    return make
