"""Upload progress on a queued message's row: a line and a thin bar per file, and Cancel.

The outbox reports every block the upload reads (``upload_progress``, from the uploading
thread: 1,280 reports for a 20 MB file, measured through the window on loopback).
:class:`UploadProgress` keeps only the latest figure per message and asks for a repaint of
that one row at most every :data:`THROTTLE_MS` (:attr:`UploadProgress.repaint`): the list
is never laid out again for it, and no other row is painted. The delegate calls
:func:`paint` in the row's state area and :func:`cancel_rect` to know where Cancel is;
:func:`block_height` is the room the lines take, fixed for a message (the numbers change,
its height never does).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QRect, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QFontMetrics, QPainter

from desktopchat.client.outbox import OutboxItem, OutboxState
from desktopchat.client.sizes import human_size
from desktopchat.ui import theme
from desktopchat.ui.theme.tokens import Colours, Radius, Space

#: At most one repaint of a row per this many milliseconds while it uploads.
THROTTLE_MS = 100
#: The bar's thickness, and the gap under it before the next file's line.
BAR = 3
GAP = Space.XS
#: The widest a bar gets (a thin line across a whole wide column reads as a divider).
TRACK = 320
CANCEL = "Cancel"
_ACTIVE = (OutboxState.PENDING, OutboxState.SENDING)


@dataclass(frozen=True, slots=True)
class Upload:
    """Where a message's upload stands: file ``index`` has ``sent`` of ``total`` bytes out."""

    index: int
    sent: int
    total: int


class UploadProgress(QObject):
    """The latest progress of each message uploading, and throttled repaints of its row.

    Signals:
        repaint(str): the row of this client_id has new figures to show.
    """

    repaint = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._uploads: dict[str, Upload] = {}
        self._sizes: dict[str, int] = {}
        self._dirty: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(THROTTLE_MS)
        self._timer.timeout.connect(self._flush)

    @Slot(str, int, int, int)
    def update(self, client_id: str, index: int, sent: int, total: int) -> None:
        """A chunk went out (connected to the outbox's ``upload_progress``)."""
        self._uploads[client_id] = Upload(index, sent, total)
        self._dirty.add(client_id)
        if not self._timer.isActive():
            self._timer.start()

    def of(self, client_id: str) -> Upload | None:
        """The latest figures of ``client_id``'s upload, if it has begun."""
        return self._uploads.get(client_id)

    def forget(self, item: OutboxItem) -> None:
        """``item`` left the outbox (sent, cancelled) or failed: its figures go."""
        self._uploads.pop(item.client_id, None)
        self._dirty.discard(item.client_id)
        for path in item.files:
            self._sizes.pop(path, None)

    def size_of(self, path: str) -> int:
        """A queued file's size, read once (painting must not touch the disk each time)."""
        size = self._sizes.get(path)
        if size is None:
            try:
                size = os.stat(path).st_size
            except OSError:
                size = 0
            self._sizes[path] = size
        return size

    def _flush(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for client_id in dirty:
            self.repaint.emit(client_id)


def progress_words(name: str, sent: int, total: int) -> str:
    """``Uploading shot.png · 3.1 of 12.0 MB`` (both figures in the total's unit)."""
    whole = human_size(total)
    unit = whole.split()[-1]
    scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[unit]
    done = f"{sent}" if unit == "B" else f"{sent / scale:.1f}"
    return f"Uploading {name} · {done} of {whole}"


def block_height(record: OutboxItem, font: QFont) -> int:
    """The room the file lines of ``record`` take in its row (0: it carries no files)."""
    return len(record.files) * (QFontMetrics(font).height() + BAR + GAP)


def cancel_rect(rect: QRect, record: OutboxItem, font: QFont) -> QRect | None:
    """Where Cancel is in the state area ``rect`` (None: nothing to cancel)."""
    if not record.files or record.state not in _ACTIVE:
        return None
    metrics = QFontMetrics(font)
    width = metrics.horizontalAdvance(CANCEL) + Space.XS
    # Beside the line it stops, not at the far end of a wide column.
    left = min(rect.left() + TRACK + Space.L, rect.right() - width + 1)
    return QRect(left, rect.top(), width, metrics.height())


def _line(record: OutboxItem, index: int, path: str, upload: Upload | None, size: int) -> str:
    name = Path(path).name
    if upload is not None and record.state is OutboxState.SENDING:
        if index == upload.index:
            return progress_words(name, upload.sent, upload.total)
        if index < upload.index:
            return f"{name} · {human_size(size)} · uploaded"
    return f"\N{PAPERCLIP} {name} · {human_size(size)}"


def paint(
    painter: QPainter,
    rect: QRect,
    record: OutboxItem,
    progress: UploadProgress | None,
    *,
    font: QFont,
    c: Colours,
) -> int:
    """Draw ``record``'s file lines and bars at the top of ``rect``; the y below them."""
    if not record.files:
        return rect.top()
    metrics = QFontMetrics(font)
    upload = progress.of(record.client_id) if progress is not None else None
    cancel = cancel_rect(rect, record, font)
    top = rect.top()
    painter.save()
    painter.setFont(font)
    for index, path in enumerate(record.files):
        size = progress.size_of(path) if progress is not None else 0
        width = (cancel.left() - Space.S - rect.left()) if cancel and index == 0 else rect.width()
        text = metrics.elidedText(
            _line(record, index, path, upload, size), Qt.TextElideMode.ElideMiddle, width
        )
        painter.setPen(theme.qcolor(c.text_muted))
        painter.drawText(QRect(rect.left(), top, width, metrics.height()), 0, text)
        top += metrics.height()
        share = 0.0
        if upload is not None and record.state is OutboxState.SENDING:
            if index < upload.index:
                share = 1.0
            elif index == upload.index and upload.total:
                share = min(1.0, upload.sent / upload.total)
        track = QRect(rect.left(), top + 1, min(rect.width(), TRACK), BAR)
        painter.setPen(Qt.PenStyle.NoPen)
        if record.state is OutboxState.SENDING:  # waiting, an empty track reads as a rule
            painter.setBrush(theme.qcolor(c.border))
            painter.drawRoundedRect(track, Radius.S / 2, Radius.S / 2)
        if share > 0:
            painter.setBrush(theme.qcolor(c.accent))
            done = QRect(track.left(), track.top(), max(BAR, round(track.width() * share)), BAR)
            painter.drawRoundedRect(done, Radius.S / 2, Radius.S / 2)
        top += BAR + GAP
    if cancel is not None:
        painter.setPen(theme.qcolor(c.link))
        painter.drawText(cancel, int(Qt.AlignmentFlag.AlignRight), CANCEL)
    painter.restore()
    return top
