"""What the window does for replies, reactions and jumps to a message.

The message view says what was asked (reply to, react to, a quote or a chip clicked),
the composer box shows the reply bar, and the controller sends through the outbox; this
wires them so :mod:`.main_window` only creates it and forwards
:meth:`MainWindow.jump_to_message` here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktopchat.ui.emoji_picker import EmojiPicker
from desktopchat.ui.message_model import MessageListModel

if TYPE_CHECKING:
    from desktopchat.ui.main_window import MainWindow

#: Every hover action the toolbar offers, now that reactions and replies exist.
ACTIONS = {"copy", "edit", "delete", "react", "reply"}


class ReplyReactFlow(QObject):
    """Replies, reactions and jumps for one window.

    Signals:
        jumped(str, int): room and message id now shown and flashed after a jump.
    """

    jumped = Signal(str, int)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.picker: EmojiPicker | None = None
        self._reacting: int | None = None
        view = window.messages
        view.actions_bar.set_available(ACTIONS)
        view.reply_requested.connect(self.reply_to)
        view.react_requested.connect(self.react_to)
        view.quote_activated.connect(self._jump_in_room)
        view.first_unread_wanted.connect(self._jump_in_room)
        view.reaction_toggled.connect(self._chip_clicked)

    def _model(self) -> MessageListModel | None:
        model = self._window.messages.model()
        return model if isinstance(model, MessageListModel) else None

    def submit(self, text: str) -> None:
        """The composer's Enter: a reply when the reply bar is up, else a message; either
        carries the files of the tray (which empties once they are queued)."""
        controller = self._window.controller
        if controller is None:
            return
        box = self._window.composer_box
        reply_to = box.reply_bar.take()
        mentions = self._window.composer.mentions_in(text)  # by user id, from the @ list
        files = box.tray.paths()
        if reply_to is None:
            queued = controller.send(text, mentions, files)
        else:
            queued = controller.reply(reply_to, text, mentions, files)
        if queued:
            box.tray.take()
            # As every chat app does: what you send is where you look next. Scrolled up to
            # read, the list otherwise stayed there and counted your message as new.
            self._window.messages.scroll_to_newest()

    def reply_to(self, message_id: int) -> None:
        """Start a reply to ``message_id`` (the hover action, or R)."""
        model = self._model()
        message = model.message(message_id) if model is not None else None
        if message is not None and not message.deleted:
            self._window.composer_box.begin_reply(message.id, message.author.display_name)

    def react_to(self, message_id: int) -> EmojiPicker:
        """Open the emoji picker by the hover toolbar; the pick reacts to ``message_id``."""
        if self.picker is None:
            self.picker = EmojiPicker(self._window)
            self.picker.setAccessibleName("React with")
            self.picker.chosen.connect(self._picked)
        self._reacting = message_id
        self.picker.popup_above(self._window.messages.actions_bar)
        return self.picker

    def _picked(self, emoji: str) -> None:
        controller = self._window.controller
        if controller is not None and self._reacting is not None:
            controller.react(self._reacting, emoji, on=True)
        self._reacting = None

    def _chip_clicked(self, message_id: int, emoji: str) -> None:
        controller = self._window.controller
        if controller is not None:
            controller.react(message_id, emoji)

    def _jump_in_room(self, message_id: int) -> None:
        """A quote's original, or the first unread message, in the room on screen."""
        controller = self._window.controller
        if controller is not None and controller.current is not None:
            self.jump_to_message(controller.current.name, message_id)

    def jump_to_message(self, room: str, message_id: int) -> None:
        """Go to ``room``, load ``message_id`` if it is not loaded, scroll to it, flash it."""
        controller = self._window.controller
        if controller is None:
            return
        if controller.current is None or controller.current.name != room:
            self._window.select_room(room)
        model = controller.model(room)
        if model is None:
            return
        if model.row_of(message_id) is not None:
            self._flash(room, message_id)
            return
        controller.load_around(room, message_id, lambda: self._flash(room, message_id))

    def _flash(self, room: str, message_id: int) -> None:
        controller = self._window.controller
        if controller is None or controller.current is None or controller.current.name != room:
            return  # the user went elsewhere meanwhile
        if self._window.messages.flash_message(message_id):
            self.jumped.emit(room, message_id)
