"""Avatars for the message list and members panel: never waiting, never needing the internet.

Every author gets an identicon at once, drawn here from their user id with the same
algorithm as the relay's SVG, so offline and online look alike; its background comes from
the application's palette (:func:`theme.avatar_background`), so a dark theme gets dark
avatars too. A remote picture (Gravatar) is fetched in the background, kept on disk in the
cache dir, and replaces the identicon when it arrives.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPainterPath, QPixmap

from desktopchat.client.avatar_download import download_avatar
from desktopchat.client.tasks import TaskRunner
from desktopchat.client.trust import KnownHosts
from desktopchat.ui import theme

log = logging.getLogger(__name__)

#: Rendered avatar size in device-independent pixels.
SIZE = 36
__all__ = ["SIZE", "AvatarCache", "identicon"]


def identicon(
    seed: str, size: int = SIZE, ratio: float = 1.0, background: QColor | None = None
) -> QPixmap:
    """A round 5x5 mirrored identicon (the relay's ``identicon_svg`` algorithm).

    ``background`` defaults to the one the application's palette calls for.
    """
    if background is None:
        background = theme.avatar_background(QGuiApplication.palette())
    digest = hashlib.sha256(seed.encode()).digest()
    pixels = round(size * ratio)
    pixmap = QPixmap(pixels, pixels)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    clip = QPainterPath()
    clip.addEllipse(QRectF(0, 0, size, size))
    painter.setClipPath(clip)
    painter.fillRect(QRectF(0, 0, size, size), background)
    colour = QColor.fromHsl(digest[0] * 360 // 256, 140, 128)
    cell = size / 5
    for row in range(5):
        for col in range(3):
            if digest[1 + row * 3 + col] & 1:
                for x in {col, 4 - col}:
                    painter.fillRect(QRectF(x * cell, row * cell, cell, cell), colour)
    painter.end()
    return pixmap


class AvatarCache(QObject):
    """Pixmaps by user: identicon now, remote picture when fetched.

    Signals:
        updated(): a remote picture arrived; views should repaint.
    """

    updated = Signal()

    def __init__(
        self,
        cache_dir: Path,
        tasks: TaskRunner,
        ratio: float = 1.0,
        parent: QObject | None = None,
        known_hosts: KnownHosts | None = None,
    ) -> None:
        super().__init__(parent)
        self._dir = cache_dir / "avatars"
        #: Pinned certificates: a self-signed hub may serve avatars too.
        self._known_hosts = known_hosts
        self._tasks = tasks
        self._ratio = ratio
        #: Remote pictures by URL; identicons by user and background colour (the theme's).
        self._pictures: dict[str, QPixmap] = {}
        self._identicons: dict[tuple[int, int], QPixmap] = {}
        self._requested: set[str] = set()

    def pixmap(self, user_id: int, avatar_url: str) -> QPixmap:
        """The best avatar available now for ``user_id`` (never blocks)."""
        if avatar_url.startswith("https://"):
            picture = self._pictures.get(avatar_url)
            if picture is None and avatar_url not in self._requested:
                self._requested.add(avatar_url)
                picture = self._from_disk(avatar_url)
                if picture is not None:
                    self._pictures[avatar_url] = picture
                else:
                    self._tasks.run(
                        lambda: download_avatar(avatar_url, self._known_hosts),
                        lambda data: self._arrived(avatar_url, data),
                    )
            if picture is not None:
                return picture
        background = theme.avatar_background(QGuiApplication.palette())
        key = (user_id, background.rgba())
        found = self._identicons.get(key)
        if found is None:
            found = identicon(str(user_id), ratio=self._ratio, background=background)
            self._identicons[key] = found
        return found

    def _path(self, url: str) -> Path:
        return self._dir / hashlib.sha256(url.encode()).hexdigest()[:32]

    def _from_disk(self, url: str) -> QPixmap | None:
        path = self._path(url)
        if not url.startswith("https://") or not path.is_file():
            return None
        return self._rounded(path.read_bytes())

    def _arrived(self, url: str, data: bytes | None) -> None:
        if not data:
            return
        pixmap = self._rounded(data)
        if pixmap is None:
            return
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            self._path(url).write_bytes(data)
        except OSError as exc:
            log.info("avatar not cached on disk: %s", exc)
        self._pictures[url] = pixmap
        self.updated.emit()

    def _rounded(self, data: bytes) -> QPixmap | None:
        source = QPixmap()
        if not source.loadFromData(data):
            return None
        pixels = round(SIZE * self._ratio)
        scaled = source.scaled(
            pixels,
            pixels,
            Qt.AspectRatioMode.KeepAspectRatioByExpanding,
            Qt.TransformationMode.SmoothTransformation,
        )
        result = QPixmap(pixels, pixels)
        result.fill(Qt.GlobalColor.transparent)
        painter = QPainter(result)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        clip = QPainterPath()
        clip.addEllipse(QRectF(0, 0, pixels, pixels))
        painter.setClipPath(clip)
        painter.drawPixmap(0, 0, scaled)
        painter.end()
        result.setDevicePixelRatio(self._ratio)
        return result
