"""How much room a message has left, shown only when that starts to matter.

Far from the relay's limit the counter is hidden: a number under every message would be
noise. From :data:`COUNTER_FROM` of the limit it says how many bytes are left; over the
limit it says so in the danger colour (the ``over`` property, styled by the theme) and
Enter does not send. Bytes, not characters: the relay limits the message as it travels
(:func:`desktopchat.text_size.text_bytes`), and an emoji is four of them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

#: The counter shows once a message uses this share of the limit (the last 10 %).
COUNTER_FROM = 0.9


def counter_text(size: int, limit: int | None) -> str | None:
    """What the counter says for ``size`` bytes against ``limit``; ``None``: stay hidden."""
    if limit is None or size < COUNTER_FROM * limit:
        return None
    if size > limit:
        return f"{_bytes(size - limit)} too long to send"  # how much to cut, in few words
    return f"{_bytes(limit - size)} left"


def _bytes(count: int) -> str:
    return f"{count:,} byte" + ("" if count == 1 else "s")


class ByteCounter(QLabel):
    """The composer's size counter (``#byteCounter``; ``over`` is true past the limit)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("byteCounter")
        self.setAccessibleName("Message length")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setProperty("over", False)
        self.hide()

    @property
    def over(self) -> bool:
        """Whether the message is over the limit (the counter is danger-coloured)."""
        return bool(self.property("over"))

    def show_size(self, size: int, limit: int | None) -> None:
        """Show (or hide) the counter for a message of ``size`` bytes."""
        text = counter_text(size, limit)
        if text is None:
            self.hide()
            return
        over = limit is not None and size > limit
        if over != self.over:
            self.setProperty("over", over)
            self.style().unpolish(self)  # the style sheet picks the colour by property
            self.style().polish(self)
        self.setText(text)
        self.show()
