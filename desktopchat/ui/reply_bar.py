"""The bar above the composer while writing a reply: to whom, and how to stop.

Like the editing bar, it says what Enter will do (send a reply that quotes NAME's
message) and offers Esc or a Cancel button; the window reads :attr:`ReplyBar.message_id`
when the composer submits.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktopchat.ui.editing_bar import ModeBar

REPLYING = "Replying to {name} · Esc to cancel"


class ReplyBar(ModeBar):
    """ "Replying to NAME" and a Cancel button (hidden until a reply starts).

    Signals:
        cancelled(): the reply was given up (Cancel, or Esc in the composer).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent, name="Replying", cancel_name="Cancel the reply", tip="Stop replying (Esc)"
        )
        #: The message the reply answers (None: not replying).
        self.message_id: int | None = None

    def cancel_pressed(self) -> None:
        """The Cancel button gives the reply up."""
        self.stop()

    def begin(self, message_id: int, name: str) -> None:
        """Reply to message ``message_id`` by ``name``."""
        self.message_id = message_id
        self.label.setText(REPLYING.format(name=name))
        self.show()

    def take(self) -> int | None:
        """The message being answered, and the bar closes (the reply is on its way)."""
        message_id, self.message_id = self.message_id, None
        self.hide()
        return message_id

    def stop(self) -> None:
        """Give the reply up."""
        if self.message_id is not None:
            self.take()
            self.cancelled.emit()
