"""Files dragged onto the conversation: a drop overlay, then the pending tray.

Anywhere on the conversation (the message list, the composer, the header) a drag that
carries local files shows an overlay, "Drop to send to #room", in the theme's colours,
as Slack and Element do; dropping hands the files to whoever listens
(:attr:`FileDrop.dropped`). Drags of anything else (text, a web link) pass through
untouched, so the composer still takes dropped text.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QDragMoveEvent, QDropEvent, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from desktopchat.ui import theme
from desktopchat.ui.theme.tokens import Radius, Space

_DRAGS = (QEvent.Type.DragEnter, QEvent.Type.DragMove)


def local_files(mime: QMimeData | None) -> list[Path]:
    """The local files ``mime`` carries (a file manager's copy or drag); none for text,
    links to the web, or anything else."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class DropOverlay(QWidget):
    """The veil over the conversation while files are dragged over it (``#dropOverlay``)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("dropOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.text = ""
        self.hide()

    def show_for(self, target: str) -> None:
        """Cover the parent, naming where the files will go."""
        self.text = f"Drop to send to {target}"
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        """Veil, a dashed accent frame inset from the edges, and the words in the middle."""
        c = theme.colours(self.palette())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), theme.qcolor(c.veil))
        frame = QRectF(self.rect()).adjusted(Space.L, Space.L, -Space.L, -Space.L)
        painter.setBrush(theme.qcolor(c.raised))
        pen = QPen(theme.qcolor(c.accent), 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(frame, Radius.L, Radius.L)
        painter.setPen(theme.qcolor(c.text))
        painter.setFont(theme.font(self.font(), 1.4, QFont.Weight.DemiBold))
        painter.drawText(frame, Qt.AlignmentFlag.AlignCenter, self.text)
        painter.end()


class FileDrop(QObject):
    """Watches the conversation's widgets for dragged files (an event filter).

    Signals:
        dropped(list): the local :class:`~pathlib.Path` s dropped.
    """

    dropped = Signal(list)

    def __init__(self, area: QWidget, watched: list[QWidget]) -> None:
        super().__init__(area)
        self.overlay = DropOverlay(area)
        #: Where the overlay says the files go ("#general", a DM's people).
        self.target = ""
        area.setAcceptDrops(True)
        for widget in (area, *watched):
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Take drags of local files; leave every other drag to the widget."""
        kind = event.type()
        if kind == QEvent.Type.DragLeave:
            self.overlay.hide()
            return False
        if kind not in (*_DRAGS, QEvent.Type.Drop) or not isinstance(event, QDropEvent):
            return False
        files = local_files(event.mimeData())
        if not files:
            return False
        if isinstance(event, QDragMoveEvent):  # enter and move
            event.acceptProposedAction()
            if not self.overlay.isVisible():
                self.overlay.show_for(self.target)
            return True
        event.acceptProposedAction()
        self.overlay.hide()
        self.dropped.emit(files)
        return True
