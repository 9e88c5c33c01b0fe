"""An in-app toast: the last-resort notification when neither a notification service nor
a tray exists. It shows inside the window for a few seconds; clicking it opens the room."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from desktopchat.client.notify.policy import Content

SHOWN_MS = 6000


class Toast(QFrame):
    """A small panel in the window's bottom-right corner.

    Signals:
        clicked(str): the room of the toast ("" for a summary).
    """

    clicked = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName("Notification")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
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
        self.title.setText(content.title)
        self.body.setText(content.body)
        self.setFixedWidth(min(360, parent.width() // 2))
        self.adjustSize()
        self.move(parent.width() - self.width() - 16, parent.height() - self.height() - 48)
        self.show()
        self.raise_()
        self._timer.start(SHOWN_MS)
        return True

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
