"""Image previews for the message list: fetched, kept on disk, decoded off the GUI thread.

The delegate asks :meth:`ThumbnailCache.pixmap` while painting; that never blocks. The
first ask starts a task on a worker that reads the thumbnail from the disk cache
(``thumbnails/HASH`` in the app's cache dir) or fetches it through the relay (the
session's :class:`~desktopchat.client.relay_client.RelayClient`: authorised, and only
from the relay's own host), then decodes it with :mod:`.image_decode` (a pixel budget and
Qt's allocation limit). The QImage comes back through the task runner's queued signal;
here, on the GUI thread, it becomes a QPixmap in a bounded LRU, and the rows that asked
are told with ``dataChanged`` for each of them alone, with the decoration role only: their
height never changes (it comes from the attachment's width and height, known before any
pixel is), so the view repaints that row without laying out the list again.

A relay that says ``no_preview`` (or bytes that will not decode) makes the preview
:attr:`Preview.NONE` for good: the row shows a "No preview" card. A refusal or a network
failure leaves it :attr:`Preview.UNAVAILABLE` (a placeholder), asked again after
:data:`RETRY_SECONDS`.
"""

from __future__ import annotations

import enum
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from desktopchat.client.domain import Attachment
from desktopchat.client.errors import DesktopChatError, ProtocolError, RelayError
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.tasks import TaskRunner
from desktopchat.ui import image_decode, preview_shape

log = logging.getLogger(__name__)

#: Decoded previews kept in memory, in bytes of pixels (about 200 thumbnails of 320 x 240).
MEMORY_BUDGET = 64 * 1024 * 1024
#: Seconds before a preview that could not be fetched is asked for again.
RETRY_SECONDS = 30.0

#: The roles of a preview's ``dataChanged``: new pixels, the same height (no relayout).
PIXELS_ONLY = [Qt.ItemDataRole.DecorationRole]

RelaySource = Callable[[], Callable[[], RelayClient] | None]
"""Asked on the GUI thread: how a worker gets its relay client now (None: signed out)."""


class Preview(enum.Enum):
    """Where an attachment's preview is."""

    LOADING = "loading"
    READY = "ready"
    #: The relay has none, or its bytes do not decode: a "No preview" card, for good.
    NONE = "none"
    #: Refused or unreachable: a placeholder; asked again later.
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class Decoded:
    """A worker's answer: the image, or why there is none (and whether for good)."""

    image: QImage | None
    reason: str = ""
    final: bool = True
    #: ``threading.get_ident()`` of the thread that decoded (never the GUI thread's).
    thread: int = 0


def _key(attachment: Attachment) -> str:
    """Previews are kept by content hash: the same bytes have the same thumbnail."""
    return attachment.hash


class ThumbnailCache(QObject):
    """Previews by attachment: placeholder now, the pixels once a worker decoded them.

    Signals:
        ready(str): the preview of the attachment with this hash is ready (or gone).
    """

    ready = Signal(str)

    def __init__(
        self,
        cache_dir: Path,
        tasks: TaskRunner,
        relay: RelaySource,
        parent: QObject | None = None,
        *,
        budget: int = MEMORY_BUDGET,
        ratio: float = 1.0,
    ) -> None:
        super().__init__(parent)
        self._dir = cache_dir / "thumbnails"
        self._tasks = tasks
        self._relay = relay
        self._budget = budget
        #: The device pixel ratio previews are drawn for (the window's screen's).
        self.ratio = ratio
        self._used = 0
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._loading: dict[str, list[QPersistentModelIndex]] = {}
        self._none: dict[str, str] = {}
        self._unavailable: dict[str, float] = {}
        #: Threads that decoded a preview (tests check the GUI thread is not among them).
        self.decode_threads: set[int] = set()
        image_decode.set_allocation_limit()

    # ------------------------------------------------------------------------ asking

    def state(self, attachment: Attachment) -> Preview:
        """Where ``attachment``'s preview is (asking for nothing)."""
        key = _key(attachment)
        if key in self._pixmaps:
            return Preview.READY
        if key in self._none or not attachment.is_image or attachment.thumbnail_url is None:
            return Preview.NONE
        if key in self._loading:
            return Preview.LOADING
        if key in self._unavailable:
            return Preview.UNAVAILABLE
        return Preview.LOADING

    def reason(self, attachment: Attachment) -> str:
        """Why there is no preview, for a tooltip ("" when there is one or may be)."""
        return self._none.get(_key(attachment), "")

    def pixmap(
        self, attachment: Attachment, index: QPersistentModelIndex | None = None
    ) -> QPixmap | None:
        """The decoded preview, or None for now; the first ask starts its fetch.

        ``index`` is the row to repaint when it arrives. Never blocks, never decodes here.
        """
        key = _key(attachment)
        found = self._pixmaps.get(key)
        if found is not None:
            self._pixmaps.move_to_end(key)
            return found
        if self.state(attachment) is Preview.NONE:
            return None
        waiting = self._loading.get(key)
        if waiting is not None:
            if index is not None and index.isValid() and index not in waiting:
                waiting.append(index)  # each row is repainted once, however often it asked
            return None
        failed_at = self._unavailable.get(key)
        if failed_at is not None and time.monotonic() - failed_at < RETRY_SECONDS:
            return None
        self._start(attachment, index)
        return None

    def _start(self, attachment: Attachment, index: QPersistentModelIndex | None) -> None:
        key = _key(attachment)
        provider = self._relay()
        if provider is None:
            self._unavailable[key] = time.monotonic()
            return
        self._unavailable.pop(key, None)
        self._loading[key] = [index] if index is not None and index.isValid() else []
        path = self._dir / key
        ratio = self.ratio
        self._tasks.run(
            lambda: load(attachment, path, provider, ratio),
            lambda decoded: self._arrived(key, decoded),
            lambda exc: self._arrived(key, Decoded(None, type(exc).__name__, final=False)),
        )

    def forget_decoded(self) -> None:
        """Drop the decoded previews (the disk cache stays): they are decoded again when
        next painted. For memory pressure, and to time decoding from the disk cache."""
        self._pixmaps.clear()
        self._used = 0

    # ---------------------------------------------------------------------- answers

    def _arrived(self, key: str, decoded: Decoded) -> None:
        """On the GUI thread: keep the pixels as a pixmap, repaint the rows that asked."""
        waiting = self._loading.pop(key, [])
        if decoded.thread:
            self.decode_threads.add(decoded.thread)
        if decoded.image is not None:
            self._keep(key, QPixmap.fromImage(decoded.image))
        elif decoded.final:
            self._none[key] = decoded.reason
        else:
            self._unavailable[key] = time.monotonic()
        for index in waiting:
            if index.isValid():
                model = index.model()
                plain = model.index(index.row(), index.column())
                model.dataChanged.emit(plain, plain, PIXELS_ONLY)
        self.ready.emit(key)

    def _keep(self, key: str, pixmap: QPixmap) -> None:
        self._pixmaps[key] = pixmap
        self._used += _cost(pixmap)
        while self._used > self._budget and len(self._pixmaps) > 1:
            _, dropped = self._pixmaps.popitem(last=False)
            self._used -= _cost(dropped)


def _cost(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * 4


def load(
    attachment: Attachment, path: Path, relay: Callable[[], RelayClient], ratio: float = 1.0
) -> Decoded:
    """On a worker: the thumbnail from disk, else from the relay (kept on disk), decoded
    and drawn into its rounded box at ``ratio`` (:func:`.preview_shape.rounded`)."""
    try:
        data = path.read_bytes() if path.is_file() else None
    except OSError:
        data = None
    fetched = data is None
    if data is None:
        try:
            data = relay().thumbnail(attachment)
        except RelayError as exc:
            final = exc.code == "no_preview"
            log.info("no thumbnail for %s: %s", attachment.hash[:12], exc.code or exc.status)
            return Decoded(None, str(exc) if final else "", final=final)
        except ProtocolError as exc:
            return Decoded(None, str(exc))
        except DesktopChatError as exc:  # unreachable, TLS: try again later
            return Decoded(None, type(exc).__name__, final=False)
    try:
        image = image_decode.decode_bytes(data)
    except image_decode.UndecodableError as exc:
        return Decoded(None, str(exc), thread=threading.get_ident())
    if fetched:
        _store(path, data)
    box = preview_shape.image_size(attachment)
    return Decoded(preview_shape.rounded(image, box, ratio), thread=threading.get_ident())


def _store(path: Path, data: bytes) -> None:
    """Keep a thumbnail that decoded (atomically: a torn write never passes for one)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{secrets.token_hex(6)}.part")
        temp.write_bytes(data)
        temp.replace(path)
    except OSError as exc:
        log.info("thumbnail not kept on disk: %s", exc)
