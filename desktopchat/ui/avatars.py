"""Avatars for the message list and members panel: round, never waiting, never needing the internet.

Every author gets their initials at once, white on a colour derived from their user id
(:func:`~desktopchat.ui.theme.tokens.avatar_colour`, chosen so white clears 4.5:1), so
people are told apart at a glance offline as online. A Gravatar is fetched in the
background, kept on disk in the cache dir, and replaces the initials when it arrives,
clipped to the same circle. Gravatar is asked with ``d=404``: someone without a Gravatar
keeps their initials instead of getting a generated pattern.

Pixmaps are drawn for the device pixel ratio they are painted at (``ratio``), so they are
crisp on HiDPI screens, and cached per user, size and ratio.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPainterPath, QPixmap

from desktopchat.client.avatar_download import download_avatar
from desktopchat.client.tasks import TaskRunner
from desktopchat.client.trust import KnownHosts
from desktopchat.ui.theme.tokens import ON_AVATAR, Size, avatar_colour

log = logging.getLogger(__name__)

#: Rendered avatar size in device-independent pixels (the message list's).
SIZE = Size.AVATAR
__all__ = ["SIZE", "AvatarCache", "gravatar_or_nothing", "initials", "initials_avatar"]

#: The relay's own generated avatar: drawn here as initials instead of fetched.
_RELAY_IDENTICON = re.compile(r"/api/avatars/\d+\.svg$")
#: Initials are letters and digits; every other character is skipped.
_WORD = re.compile(r"[^\W_]+")


#: "(web)", "(away)"... at the end of a display name: a note about the person, not a name.
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*\Z")


def initials(name: str) -> str:
    """One or two letters for ``name``: first and last word's first letters, upper-cased.

    "Ada Lovelace" → "AL", "grace" → "G", "Jean-Luc Picard" → "JP", "" → "?". A trailing
    note in parentheses is not part of the name: "Wendy (web)", as the seed bridge names a
    web author, is "W", not "WW".
    """
    words = _WORD.findall(_TRAILING_NOTE.sub("", name)) or _WORD.findall(name)
    if not words:
        return "?"
    letters: str = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def initials_avatar(
    name: str, key: str, size: int = SIZE, ratio: float = 1.0, font: QFont | None = None
) -> QPixmap:
    """A round avatar: ``name``'s initials in white on ``avatar_colour(key)``.

    Drawn at ``size * ratio`` device pixels (crisp at that ratio) and tagged with it.
    """
    pixmap = _canvas(size, ratio)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(avatar_colour(key)))
    painter.drawEllipse(QRectF(0, 0, size, size))
    text = QFont(font if font is not None else QGuiApplication.font())
    text.setPixelSize(max(6, round(size * (0.42 if len(initials(name)) == 1 else 0.38))))
    text.setWeight(QFont.Weight.DemiBold)
    painter.setFont(text)
    painter.setPen(QColor(ON_AVATAR))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, initials(name))
    painter.end()
    return pixmap


def round_picture(source: QPixmap, size: int = SIZE, ratio: float = 1.0) -> QPixmap:
    """``source`` scaled to fill a circle of ``size`` (at ``ratio``), outside transparent."""
    pixels = round(size * ratio)
    scaled = source.scaled(
        pixels,
        pixels,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    scaled.setDevicePixelRatio(ratio)
    pixmap = _canvas(size, ratio)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    clip = QPainterPath()
    clip.addEllipse(QRectF(0, 0, size, size))
    painter.setClipPath(clip)
    # Centred: a wide or tall picture loses its edges, not its middle.
    offset_x = (scaled.width() / ratio - size) / 2
    offset_y = (scaled.height() / ratio - size) / 2
    painter.drawPixmap(
        QRectF(-offset_x, -offset_y, scaled.width() / ratio, scaled.height() / ratio),
        scaled,
        QRectF(scaled.rect()),
    )
    painter.end()
    return pixmap


def _canvas(size: int, ratio: float) -> QPixmap:
    pixels = round(size * ratio)
    pixmap = QPixmap(pixels, pixels)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    return pixmap


def gravatar_or_nothing(url: str) -> str | None:
    """The URL worth fetching for ``url``, or None when initials are the avatar.

    Only ``https://`` pictures are fetched; the relay's generated SVG is not (initials say
    more); a Gravatar is asked for a 404 rather than a generated fallback.
    """
    if not url.startswith("https://") or _RELAY_IDENTICON.search(urlsplit(url).path):
        return None
    parts = urlsplit(url)
    if parts.hostname not in ("gravatar.com", "www.gravatar.com", "secure.gravatar.com"):
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("d", "default")]
    return urlunsplit(parts._replace(query=urlencode([*query, ("d", "404")])))


class AvatarCache(QObject):
    """Pixmaps by user: initials now, the remote picture once fetched.

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
        #: The ratio used when a caller does not say which it paints at.
        self._ratio = ratio
        #: Decoded remote pictures by URL; finished pixmaps by what they were drawn for.
        self._sources: dict[str, QPixmap] = {}
        self._drawn: dict[tuple[object, ...], QPixmap] = {}
        self._requested: set[str] = set()

    def pixmap(
        self,
        user_id: int,
        avatar_url: str,
        name: str = "",
        *,
        size: int = SIZE,
        ratio: float | None = None,
    ) -> QPixmap:
        """The best avatar available now for ``user_id`` (never blocks).

        ``name`` gives the initials (a user without one shows "?"); ``ratio`` is the
        device pixel ratio it is painted at (default: the one given at construction).
        """
        ratio = self._ratio if ratio is None else ratio
        url = gravatar_or_nothing(avatar_url)
        source = self._source(url) if url is not None else None
        if source is not None:
            key: tuple[object, ...] = ("picture", url, size, ratio)
            found = self._drawn.get(key)
            if found is None:
                found = self._drawn[key] = round_picture(source, size, ratio)
            return found
        key = ("initials", user_id, initials(name), size, ratio)
        found = self._drawn.get(key)
        if found is None:
            found = self._drawn[key] = initials_avatar(name, str(user_id), size, ratio)
        return found

    def _source(self, url: str) -> QPixmap | None:
        picture = self._sources.get(url)
        if picture is None and url not in self._requested:
            self._requested.add(url)
            picture = self._from_disk(url)
            if picture is not None:
                self._sources[url] = picture
            else:
                self._tasks.run(
                    lambda: download_avatar(url, self._known_hosts),
                    lambda data: self._arrived(url, data),
                )
        return picture

    def _path(self, url: str) -> Path:
        return self._dir / hashlib.sha256(url.encode()).hexdigest()[:32]

    def _from_disk(self, url: str) -> QPixmap | None:
        path = self._path(url)
        if not path.is_file():
            return None
        return _decoded(path.read_bytes())

    def _arrived(self, url: str, data: bytes | None) -> None:
        picture = _decoded(data) if data else None
        if picture is None or data is None:
            return
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            self._path(url).write_bytes(data)
        except OSError as exc:
            log.info("avatar not cached on disk: %s", exc)
        self._sources[url] = picture
        self.updated.emit()


def _decoded(data: bytes) -> QPixmap | None:
    picture = QPixmap()
    return picture if picture.loadFromData(data) else None
