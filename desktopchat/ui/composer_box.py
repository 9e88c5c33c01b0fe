"""The composer as the window shows it: a rounded field with its buttons, the editing bar
and the pending tray of files above it, and the byte counter.

``#composerFrame`` holds the attach (paperclip) and emoji buttons, the growing text field
(:class:`~desktopchat.ui.composer.Composer`), the counter and the Send button, and draws
one focus outline for all of them (its ``focused`` property, set while the text field has
the keyboard focus), as Slack's and Element's do: the field is the control, the buttons
are part of it. Everything the window wires to (signals, ``begin_edit``, ``set_room``…)
stays on :attr:`ComposerBox.editor`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QToolButton, QVBoxLayout, QWidget

from desktopchat.ui import theme
from desktopchat.ui.attachment_tray import AttachmentTray
from desktopchat.ui.byte_counter import ByteCounter
from desktopchat.ui.composer import Composer
from desktopchat.ui.editing_bar import EditingBar
from desktopchat.ui.emoji_picker import EmojiPicker
from desktopchat.ui.message_actions import ICON, icon
from desktopchat.ui.reply_bar import ReplyBar
from desktopchat.ui.theme import Space

_BOTTOM = Qt.AlignmentFlag.AlignBottom
ATTACH_TIP = "Attach files (or drop or paste them here)"


def _tool_button(parent: QWidget, name: str, text: str, accessible: str, tip: str) -> QToolButton:
    """One of the field's small buttons: a Tab stop with a name for screen readers."""
    button = QToolButton(parent)
    button.setObjectName(name)
    button.setText(text)
    button.setAccessibleName(accessible)
    button.setToolTip(tip)
    return button


class ComposerBox(QWidget):
    """The reply and editing bars and the tray of files, then the rounded field with the
    attach and emoji buttons, text, counter and Send."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composerBox")
        self.editing_bar = EditingBar(self)
        self.reply_bar = ReplyBar(self)
        self.frame = QFrame(self)
        self.frame.setObjectName("composerFrame")
        self.frame.setProperty("focused", False)
        self.editor = Composer(self.frame)
        self.tray = AttachmentTray(self)
        self.attach_button = _tool_button(
            self.frame, "attachButton", "", "Attach files", ATTACH_TIP
        )
        self.attach_button.setIconSize(QSize(ICON, ICON))
        # Room for the icon and the style sheet's padding and focus ring (an icon-only
        # button would otherwise be sized to the icon alone and clip it at larger scales).
        self.attach_button.setMinimumWidth(ICON + 2 * Space.S)
        # A line smiley as the paperclip is, not the colour glyph: that sat smaller and
        # lower than the paperclip beside it.
        self.emoji_button = _tool_button(self.frame, "emojiButton", "", "Insert an emoji", "Emoji")
        self.emoji_button.setIconSize(QSize(ICON, ICON))
        self.emoji_button.setMinimumWidth(ICON + 2 * Space.S)
        self._paint_icons()
        self.counter = ByteCounter(self.frame)
        self.send_button = QPushButton("Send", self.frame)
        self.send_button.setObjectName("sendButton")
        self.send_button.setProperty("primary", True)
        self.send_button.setAccessibleName("Send message")
        self.send_button.setToolTip("Send (Enter)")
        self.send_button.setEnabled(False)
        self.picker: EmojiPicker | None = None
        row = QHBoxLayout(self.frame)
        row.setContentsMargins(Space.XS, Space.XS, Space.XS, Space.XS)
        row.setSpacing(Space.XS)
        row.addWidget(self.attach_button, 0, _BOTTOM)
        row.addWidget(self.emoji_button, 0, _BOTTOM)
        row.addWidget(self.editor, 1, _BOTTOM)
        row.addWidget(self.counter, 0, _BOTTOM | Qt.AlignmentFlag.AlignRight)
        row.addWidget(self.send_button, 0, _BOTTOM)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(Space.L, Space.XS, Space.L, Space.L)
        layout.setSpacing(Space.XS)
        layout.addWidget(self.reply_bar)
        layout.addWidget(self.editing_bar)
        layout.addWidget(self.tray)
        layout.addWidget(self.frame)
        self.editor.installEventFilter(self)
        self.editor.editing_changed.connect(self._editing_changed)
        self.editor.size_changed.connect(self.counter.show_size)
        self.editor.textChanged.connect(self._update_send)
        self.editor.size_changed.connect(lambda _size, _limit: self._update_send())
        self.editing_bar.cancelled.connect(self._cancel_edit)
        self.reply_bar.cancelled.connect(
            lambda: self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        )
        self.emoji_button.clicked.connect(self.show_emoji)
        self.tray.changed.connect(lambda count: self.editor.set_files_pending(count > 0))
        self.send_button.clicked.connect(self._send)

    def _paint_icons(self) -> None:
        """The paperclip and the smiley in the theme's muted text colour, as the message
        actions' icons."""
        muted = QColor(theme.colours(self.palette()).text_muted)
        self.attach_button.setIcon(icon("attach", muted))
        self.emoji_button.setIcon(icon("react", muted))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        """Another theme: the icons follow it."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._paint_icons()

    def show_emoji(self) -> EmojiPicker:
        """Open the emoji grid above its button; the pick is typed at the cursor."""
        if self.picker is None:
            self.picker = EmojiPicker(self)
            self.picker.chosen.connect(self.insert)
        self.picker.popup_above(self.emoji_button)
        return self.picker

    def insert(self, text: str) -> None:
        """Type ``text`` where the cursor is, and give the field the focus back."""
        self.editor.textCursor().insertText(text)
        self.editor.ensureCursorVisible()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _send(self) -> None:
        self.editor.submit()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _cancel_edit(self) -> None:
        self.editor.cancel_edit()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def begin_reply(self, message_id: int, name: str) -> None:
        """Write a reply to ``name``'s message: the bar says so, and the field has focus."""
        self.editor.cancel_edit()
        self.reply_bar.begin(message_id, name)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _editing_changed(self, editing: bool) -> None:
        if editing:
            self.reply_bar.stop()  # an edit is not a reply
            self.editing_bar.show_mode(self.editor.revising)
        else:
            self.editing_bar.hide()
        # An edit changes a message's text; it cannot add files (send them anew).
        self.attach_button.setEnabled(self.editor.isEnabled() and not editing)
        self.attach_button.setToolTip("An edit cannot add files" if editing else ATTACH_TIP)
        self.send_button.setText("Save" if editing and not self.editor.revising else "Send")
        self.send_button.setAccessibleName("Save the edit" if editing else "Send message")

    def _update_send(self) -> None:
        self.send_button.setEnabled(self.editor.isEnabled() and self.editor.can_send())

    def _set_focused(self, focused: bool) -> None:
        if self.frame.property("focused") is not focused:
            self.frame.setProperty("focused", focused)
            self.frame.style().unpolish(self.frame)  # the style sheet draws the outline
            self.frame.style().polish(self.frame)
            self.frame.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Follow the text field's focus (the outline) and enabled state (the buttons)."""
        if watched is self.editor:
            kind = event.type()
            if kind == QEvent.Type.FocusIn:
                self._set_focused(True)
            elif kind == QEvent.Type.FocusOut:
                self._set_focused(False)
            elif (
                kind == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape
                and self.reply_bar.message_id is not None
                and self.editor.editing is None
                and not self.editor.revising
            ):
                self.reply_bar.stop()
                return True
            elif (
                kind == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape
                and self.tray.paths()
                and self.editor.editing is None
                and not self.editor.revising
            ):
                self.tray.clear()  # Esc: the files go (the text stays, as typed)
                return True
            elif kind == QEvent.Type.EnabledChange:
                self.emoji_button.setEnabled(self.editor.isEnabled())
                self.attach_button.setEnabled(
                    self.editor.isEnabled() and self.editor.editing is None
                )
                self._update_send()
        return super().eventFilter(watched, event)
