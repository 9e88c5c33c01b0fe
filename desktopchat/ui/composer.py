"""The compose box: Enter sends, Shift+Enter breaks the line, Up edits, Esc cancels.

Typing is reported at most once per :data:`TYPING_INTERVAL` seconds, far under Pusher's
client-event limit of 10 per second, however fast someone types. Near the relay's size
limit a counter says how much room is left; over it, Enter does not send (the relay
would refuse the message, so it is never queued) and the counter says why.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from desktopchat.text_size import text_bytes
from desktopchat.ui import theme

TYPING_INTERVAL = 3.0
#: The counter shows once a message uses this share of the limit.
COUNTER_FROM = 0.8
_PLACEHOLDER = "Message #{room} — Enter to send, Shift+Enter for a new line"
#: Until the theme module has an error colour token (issue 13's design system).
_EDITING = "Editing your message — Enter to save, Esc to cancel"


class Composer(QPlainTextEdit):
    """Where messages are written.

    Signals:
        submitted(str): send this new message.
        edit_submitted(int, str): save the edit of this message id.
        revise_submitted(str, str): client_id, new text of a message that failed to send.
        edit_last_requested(): Up in an empty box: the window starts editing your last message.
        typing(): the user is typing (rate-limited).
    """

    submitted = Signal(str)
    edit_submitted = Signal(int, str)
    revise_submitted = Signal(str, str)
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
        self._revising: str | None = None
        self._room = ""
        self._last_typing = 0.0
        self._limit: int | None = None
        self.counter = QLabel(self)
        self.counter.setAccessibleName("Message length")
        self.counter.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.counter.hide()
        self.textChanged.connect(self._text_changed)
        self.textChanged.connect(self._update_counter)

    @property
    def editing(self) -> int | None:
        """The id of the message being edited, if any."""
        return self._editing

    @property
    def over_limit(self) -> bool:
        """Whether the text is too large for the relay (Enter will not send it)."""
        return self._limit is not None and text_bytes(self.toPlainText()) > self._limit

    def set_limit(self, max_bytes: int | None) -> None:
        """The relay's limit on a message, in bytes as it travels (``/api/config``)."""
        self._limit = max_bytes
        self._update_counter()

    def set_room(self, room: str) -> None:
        """Address the placeholder to ``room`` and drop any edit in progress."""
        self._room = room
        self.cancel_edit()

    def begin_edit(self, message_id: int, text: str) -> None:
        """Load one of your messages for editing."""
        self._revising = None
        self._editing = message_id
        self._load(text)

    def begin_revise(self, client_id: str, text: str) -> None:
        """Load a message that failed to send, to fix and send again."""
        self._editing = None
        self._revising = client_id
        self._load(text)

    def _load(self, text: str) -> None:
        self.setPlainText(text)
        self.moveCursor(self.textCursor().MoveOperation.End)
        self._set_placeholder(_EDITING)
        self.setFocus()

    def cancel_edit(self) -> None:
        """Leave editing mode with an empty box."""
        was_editing = self._editing is not None or self._revising is not None
        self._editing = None
        self._revising = None
        if was_editing:
            self.clear()
        self._set_placeholder(_PLACEHOLDER.format(room=self._room))

    def _set_placeholder(self, text: str) -> None:
        # Qt repaints the placeholder only on the next text change; an empty box would go
        # on naming the room we just left.
        self.setPlaceholderText(text)
        self.viewport().update()

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
        if key == Qt.Key.Key_Escape and (self._editing is not None or self._revising is not None):
            self.cancel_edit()
            return
        super().keyPressEvent(event)

    def _submit(self) -> None:
        text = self.toPlainText()
        if not text.strip() or self.over_limit:
            return  # over the limit, the counter already says why
        if self._editing is not None:
            self.edit_submitted.emit(self._editing, text)
            self.cancel_edit()
        elif self._revising is not None:
            self.revise_submitted.emit(self._revising, text)
            self.cancel_edit()
        else:
            self.submitted.emit(text)
        self.clear()

    def _update_counter(self) -> None:
        limit = self._limit
        size = text_bytes(self.toPlainText()) if limit is not None else 0
        if limit is None or size < COUNTER_FROM * limit:
            self.counter.hide()
            return
        if size > limit:
            self.counter.setText(f"{size:,} / {limit:,} bytes — too long to send")
            colour = theme.colours(self.palette()).danger
        else:
            self.counter.setText(f"{limit - size:,} bytes left")
            colour = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        self.counter.setStyleSheet(f"color: {colour}; background: transparent;")
        self.counter.adjustSize()
        self._place_counter()
        self.counter.show()

    def _place_counter(self) -> None:
        margin = 4
        self.counter.move(
            self.width() - self.counter.width() - margin - self.verticalScrollBar().width()
            if self.verticalScrollBar().isVisible()
            else self.width() - self.counter.width() - margin,
            self.height() - self.counter.height() - margin,
        )

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """Keep the counter in the bottom-right corner."""
        super().resizeEvent(event)
        self._place_counter()

    def _text_changed(self) -> None:
        if not self.toPlainText() or self._editing is not None:
            return
        now = time.monotonic()
        if now - self._last_typing >= TYPING_INTERVAL:
            self._last_typing = now
            self.typing.emit()
