"""The compose box: Enter sends, Shift+Enter breaks the line, Up edits, Esc cancels.

Typing is reported at most once per :data:`TYPING_INTERVAL` seconds, far under Pusher's
client-event limit of 10 per second, however fast someone types.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

TYPING_INTERVAL = 3.0
_PLACEHOLDER = "Message #{room} — Enter to send, Shift+Enter for a new line"


class Composer(QPlainTextEdit):
    """Where messages are written.

    Signals:
        submitted(str): send this new message.
        edit_submitted(int, str): save the edit of this message id.
        edit_last_requested(): Up in an empty box: the window starts editing your last message.
        typing(): the user is typing (rate-limited).
    """

    submitted = Signal(str)
    edit_submitted = Signal(int, str)
    edit_last_requested = Signal()
    typing = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Message")
        self.setTabChangesFocus(True)
        # About three lines, growing no further: the conversation gets the space.
        lines = self.fontMetrics().lineSpacing()
        self.setFixedHeight(3 * lines + 2 * int(self.document().documentMargin()) + 8)
        self._editing: int | None = None
        self._room = ""
        self._last_typing = 0.0
        self.textChanged.connect(self._text_changed)

    @property
    def editing(self) -> int | None:
        """The id of the message being edited, if any."""
        return self._editing

    def set_room(self, room: str) -> None:
        """Address the placeholder to ``room`` and drop any edit in progress."""
        self._room = room
        self.cancel_edit()

    def begin_edit(self, message_id: int, text: str) -> None:
        """Load one of your messages for editing."""
        self._editing = message_id
        self.setPlainText(text)
        self.moveCursor(self.textCursor().MoveOperation.End)
        self.setPlaceholderText("Editing — Enter to save, Esc to cancel")

    def cancel_edit(self) -> None:
        """Leave editing mode with an empty box."""
        was_editing = self._editing is not None
        self._editing = None
        if was_editing:
            self.clear()
        self.setPlaceholderText(_PLACEHOLDER.format(room=self._room))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Chat keys first; everything else is ordinary text editing."""
        key, modifiers = event.key(), event.modifiers()
        plain = modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            self._submit()
            return
        if key == Qt.Key.Key_Up and plain and not self.toPlainText() and self._editing is None:
            self.edit_last_requested.emit()
            return
        if key == Qt.Key.Key_Escape and self._editing is not None:
            self.cancel_edit()
            return
        super().keyPressEvent(event)

    def _submit(self) -> None:
        text = self.toPlainText()
        if not text.strip():
            return
        if self._editing is not None:
            self.edit_submitted.emit(self._editing, text)
            self.cancel_edit()
        else:
            self.submitted.emit(text)
        self.clear()

    def _text_changed(self) -> None:
        if not self.toPlainText() or self._editing is not None:
            return
        now = time.monotonic()
        if now - self._last_typing >= TYPING_INTERVAL:
            self._last_typing = now
            self.typing.emit()
