"""An in-app toast: the last-resort notification when neither a notification service nor
a tray exists. It shows inside the window for a few seconds; clicking it opens the room."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from desktopchat.client.notify.policy import Content
from desktopchat.ui.widgets import ElidedLabel

SHOWN_MS = 6000


#: Space between the toast and the edges of the messages area it floats over.
MARGIN = 12


class Toast(QFrame):
    """A small panel at the top right of the window's messages area.

    Top right, as Element and Slack place theirs: the bottom right is the composer's Send
    button and the newest messages, which the toast must not cover.

    Signals:
        clicked(str): the room of the toast ("" for a summary).
    """

    clicked = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName("Notification")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        # "Carol in #release-planning-for-the-next-quarter" is longer than the toast:
        # elided with "…" (whole in the tooltip), never cut mid-word.
        self.title = ElidedLabel(self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.body = QLabel(self)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        self._room = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_content(self, content: Content) -> bool:
        """Show ``content`` (plain text only); False if the window itself is not visible."""
        parent = self.parentWidget()
        if parent is None or not parent.isVisible():
            return False
        self._room = content.room or ""
        self.title.set_full_text(content.title)
        self.body.setText(content.body)
        area = self._area(parent)
        self.setFixedWidth(min(360, area.width() // 2))
        self.adjustSize()
        self.move(area.right() - self.width() - MARGIN + 1, area.top() + MARGIN)
        self.show()
        self.raise_()
        self._timer.start(SHOWN_MS)
        return True

    @staticmethod
    def _area(parent: QWidget) -> QRect:
        """Where the toast floats: the messages area (``#messages``), else the whole parent."""
        messages = parent.findChild(QWidget, "messages")
        if messages is None or not messages.isVisible():
            return parent.rect()
        return QRect(messages.mapTo(parent, QPoint(0, 0)), messages.size())

    def withdraw(self, room: str) -> None:
        """The room was read: a toast still showing for it goes."""
        if self.isVisible() and self._room == room:
            self._timer.stop()
            self.hide()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        """Open the room."""
        self.hide()
        self.clicked.emit(self._room)
        event.accept()
