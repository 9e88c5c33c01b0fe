"""The text field where messages are written: Enter sends, Shift+Enter breaks the line,
Up edits your last message, Esc cancels an edit.

It grows with its text from one line up to :attr:`~desktopchat.ui.theme.Size.COMPOSER_LINES`
lines, then scrolls: a short message takes little room from the conversation, a long one
can still be read while it is written. The frame, buttons, editing bar and byte counter
around it are :class:`~desktopchat.ui.composer_box.ComposerBox`'s.

Typing is reported at most once per :data:`TYPING_INTERVAL` seconds, far under Pusher's
client-event limit of 10 per second, however fast someone types. Over the relay's size
limit Enter does not send (the relay would refuse the message, so it is never queued);
:attr:`Composer.size_changed` lets the box's counter say why.

Pasting: files copied in a file manager (their URLs) and an image on the clipboard (a
screenshot) are offered as files (:attr:`Composer.files_pasted`,
:attr:`Composer.image_pasted`) for the pending tray; anything else pastes as plain text,
never as HTML. With files in the tray (:meth:`Composer.set_files_pending`) Enter sends
even with no text: the text is the files' caption.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from PySide6.QtCore import QEvent, QMimeData, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QFontMetricsF, QImage, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QPlainTextEdit, QSizePolicy, QWidget

from desktopchat.text_size import text_bytes
from desktopchat.ui.file_drop import local_files
from desktopchat.ui.mention_completer import MentionCompleter
from desktopchat.ui.theme import Size

TYPING_INTERVAL = 3.0
#: The hint in the empty box, then what is left of it where the box is too narrow.
_PLACEHOLDER = ("Message {room} — Enter to send, Shift+Enter for a new line", "Message {room}")
_EDITING = ("Editing your message — Enter to save, Esc to cancel", "Editing your message")


class Composer(QPlainTextEdit):
    """Where messages are written.

    Signals:
        submitted(str): send this new message.
        edit_submitted(int, str): save the edit of this message id.
        revise_submitted(str, str): client_id, new text of a message that failed to send.
        edit_last_requested(): Up in an empty box: the window starts editing your last message.
        typing(): the user is typing (rate-limited).
        editing_changed(bool): an edit (or a revision of an unsent message) began or ended.
        size_changed(int, object): the text's size in bytes and the limit (``None``: none).
        files_pasted(list): local files pasted (their :class:`~pathlib.Path` s).
        image_pasted(QImage): an image pasted from the clipboard, to be saved as a file.
    """

    submitted = Signal(str)
    edit_submitted = Signal(int, str)
    revise_submitted = Signal(str, str)
    edit_last_requested = Signal()
    typing = Signal()
    editing_changed = Signal(bool)
    size_changed = Signal(int, object)
    files_pasted = Signal(list)
    image_pasted = Signal(QImage)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Message")
        self.setTabChangesFocus(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._editing: int | None = None
        self._revising: str | None = None
        self._room = ""
        #: The placeholder wanted (whole, short); :meth:`_fit_placeholder` picks what fits.
        self._hint = ("", "")
        self._last_typing = 0.0
        self._limit: int | None = None
        self._lines = 1
        self._files_pending = False
        #: ``@`` completion; it also says whom a text mentions (:meth:`mentions_in`).
        self.mention_list = MentionCompleter(self)
        self.textChanged.connect(self._text_changed)
        self.textChanged.connect(self._measure)
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self._fit_height(QSizeF(0, 1))

    @property
    def editing(self) -> int | None:
        """The id of the message being edited, if any."""
        return self._editing

    @property
    def revising(self) -> bool:
        """Whether the text is a message that failed to send, being fixed."""
        return self._revising is not None

    @property
    def addressed_to(self) -> str:
        """Whom the box writes to: ``#room``, or a DM's people."""
        return self._room

    @property
    def lines(self) -> int:
        """How many lines the field shows now (it scrolls beyond ``Size.COMPOSER_LINES``)."""
        return self._lines

    @property
    def limit(self) -> int | None:
        """The relay's limit on a message in bytes, if it has told us one."""
        return self._limit

    def can_send(self) -> bool:
        """Whether Enter would send now (some text or files, not over the limit)."""
        if self.over_limit:
            return False
        files = self._files_pending and self._editing is None and self._revising is None
        return bool(self.toPlainText().strip()) or files

    def set_files_pending(self, pending: bool) -> None:
        """Whether the tray holds files: then Enter sends without text too."""
        self._files_pending = pending
        self._measure()  # the box re-checks its Send button on a size report

    @property
    def over_limit(self) -> bool:
        """Whether the text is too large for the relay (Enter will not send it)."""
        return self._limit is not None and text_bytes(self.toPlainText()) > self._limit

    def mentions_in(self, text: str) -> tuple[int, ...]:
        """The user ids ``text`` mentions (names accepted from the ``@`` list, still there)."""
        return self.mention_list.mentions_in(text)

    def set_limit(self, max_bytes: int | None) -> None:
        """The relay's limit on a message, in bytes as it travels (``/api/config``)."""
        self._limit = max_bytes
        self._measure()

    def set_room(self, room: str, label: str | None = None) -> None:
        """Address the placeholder to ``room`` (or ``label``: a DM's people) and drop any
        edit in progress."""
        self._room = label if label is not None else f"#{room}"
        self.cancel_edit()

    def begin_edit(
        self, message_id: int, text: str, mentioned: Mapping[int, str] | None = None
    ) -> None:
        """Load one of your messages for editing; ``mentioned``: whom it mentions, by id,
        with the names its ``@Name`` uses (then one edited out is no longer mentioned)."""
        self._revising = None
        self._editing = message_id
        self._load(text)
        self.mention_list.seed(mentioned or {})

    def mention_names(self) -> dict[int, str]:
        """The people the box knows by name: picked from the ``@`` list or seeded by an edit."""
        return self.mention_list.picked()

    def begin_revise(self, client_id: str, text: str) -> None:
        """Load a message that failed to send, to fix and send again."""
        self._editing = None
        self._revising = client_id
        self._load(text)

    def _load(self, text: str) -> None:
        self.setPlainText(text)
        self.moveCursor(self.textCursor().MoveOperation.End)
        self._set_placeholder(*_EDITING)
        self.setFocus()
        self.editing_changed.emit(True)

    def cancel_edit(self) -> None:
        """Leave editing mode with an empty box."""
        was_editing = self._editing is not None or self._revising is not None
        self._editing = None
        self._revising = None
        if was_editing:
            self.clear()
        whole, short = _PLACEHOLDER
        self._set_placeholder(whole.format(room=self._room), short.format(room=self._room))
        if was_editing:
            self.editing_changed.emit(False)

    def _set_placeholder(self, whole: str, short: str) -> None:
        self._hint = (whole, short)
        self.setAccessibleDescription(whole)  # the keys, also when the box shows less
        self._fit_placeholder()

    def _fit_placeholder(self) -> None:
        """The whole hint if it fits on the box's one line, else its short form, elided if
        need be: Qt wraps a placeholder, and the box, one line high, showed the top of a
        second line (at 800 px, or at 200 %)."""
        whole, short = self._hint
        metrics = self.fontMetrics()
        room = self.viewport().width() - 2 * round(self.document().documentMargin()) - 2
        if metrics.horizontalAdvance(whole) <= room:
            text = whole
        else:
            text = metrics.elidedText(short, Qt.TextElideMode.ElideRight, max(0, room))
        if text != self.placeholderText():
            # Qt repaints the placeholder only on the next text change; an empty box would
            # go on naming the room we just left.
            self.setPlaceholderText(text)
            self.viewport().update()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Chat keys first; everything else is ordinary text editing."""
        key, modifiers = event.key(), event.modifiers()
        plain = modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            self.submit()
            return
        if key == Qt.Key.Key_Up and plain and not self.toPlainText() and self._editing is None:
            self.edit_last_requested.emit()
            return
        if key == Qt.Key.Key_Escape and (self._editing is not None or self._revising is not None):
            self.cancel_edit()
            return
        super().keyPressEvent(event)

    def submit(self) -> None:
        """Send the text (or save the edit), as Enter does; blank or too long: nothing."""
        text = self.toPlainText()
        if not self.can_send():
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

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802 - Qt API
        """Files and images are taken too (as attachments), not only text."""
        return (
            bool(local_files(source)) or source.hasImage() or super().canInsertFromMimeData(source)
        )

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 - Qt API
        """Paste (and drop): files first, then an image, else the plain text."""
        files = local_files(source)
        if files:
            self.files_pasted.emit(files)
            return
        if source.hasImage():
            image = source.imageData()
            if isinstance(image, QImage) and not image.isNull():
                self.image_pasted.emit(image)
                return
        if source.hasText():
            self.textCursor().insertText(source.text())
            self.ensureCursorVisible()

    def _measure(self) -> None:
        limit = self._limit
        self.size_changed.emit(text_bytes(self.toPlainText()) if limit is not None else 0, limit)

    def _fit_height(self, size: QSizeF) -> None:
        """As tall as the text's lines (wrapped ones count), up to the limit; then scroll."""
        lines = max(1, min(math.ceil(size.height()), Size.COMPOSER_LINES))
        self._lines = lines
        margin = self.document().documentMargin()
        height = (
            # Each block is laid out on whole pixels per line, and the field keeps the
            # document margin above and below plus one pixel (QPlainTextEdit's own sums).
            lines * math.ceil(QFontMetricsF(self.font()).lineSpacing())
            + math.ceil(2 * margin)
            + 1
            + 2 * self.frameWidth()
            + self.contentsMargins().top()
            + self.contentsMargins().bottom()
            + self.viewportMargins().top()
            + self.viewportMargins().bottom()
        )
        if self.minimumHeight() != height or self.maximumHeight() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """A new width re-wraps the text (the layout does not always say its size changed)."""
        super().resizeEvent(event)
        self._fit_height(self.document().documentLayout().documentSize())
        self._fit_placeholder()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """As narrow as a text field may be, as tall as the lines it shows (not Qt's 70 px
        for a scroll area: the field is one line high until there is more to show)."""
        return QSize(super().minimumSizeHint().width(), self.minimumHeight())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Wide as the layout likes; exactly as tall as the lines it shows."""
        return QSize(super().sizeHint().width(), self.minimumHeight())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        """A new font or style sheet changes a line's height: fit again."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_height(self.document().documentLayout().documentSize())
            self._fit_placeholder()

    def _text_changed(self) -> None:
        if not self.toPlainText() or self._editing is not None:
            return
        now = time.monotonic()
        if now - self._last_typing >= TYPING_INTERVAL:
            self._last_typing = now
            self.typing.emit()
