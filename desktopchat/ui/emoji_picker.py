"""A small grid of common emoji, opened from the composer's button, that types one.

No emoji library and no data file: a chat needs the few dozen people use every day, not
all 3,700, and their names come from Python's own :mod:`unicodedata` (for tooltips and
screen readers). The grid is a list view in icon mode, so the arrow keys move through it,
Enter or a click inserts, and Esc closes it, as people expect of a picker.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktopchat.ui import theme
from desktopchat.ui.theme import Size, Space

#: Four rows of eight: faces, hands, reactions, things.
COMMON = (
    "😀", "😂", "🙂", "😉", "😍", "🤔", "😅", "😢",
    "😮", "😎", "🙃", "😴", "🙏", "👍", "👎", "👏",
    "🙌", "💪", "👀", "🤝", "🎉", "🔥", "✨", "❤️",
    "💯", "✅", "❌", "⚠️", "🚀", "💡", "☕", "🐛",
)  # fmt: skip


def emoji_name(emoji: str) -> str:
    """``"Thumbs up sign"`` for 👍: the Unicode name of its first code point, in words."""
    try:
        name = unicodedata.name(emoji[0])
    except ValueError:
        return emoji
    return name.capitalize()


class EmojiPicker(QFrame):
    """The popup grid (``#emojiPicker``).

    Signals:
        chosen(str): this emoji was picked; the popup has closed.
    """

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("emojiPicker")
        self.setAccessibleName("Emoji")
        self.grid = QListWidget(self)
        self.grid.setAccessibleName("Emoji to insert")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setFlow(QListView.Flow.LeftToRight)
        self.grid.setWrapping(True)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setUniformItemSizes(True)
        self.grid.setTextElideMode(Qt.TextElideMode.ElideNone)  # a wide glyph is not "…"
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.grid.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.grid.setFont(theme.font(self.font(), 1.5))
        cell = QSize(Size.EMOJI_CELL, Size.EMOJI_CELL)
        self.grid.setGridSize(cell)
        for emoji in COMMON:
            item = QListWidgetItem(emoji)
            name = emoji_name(emoji)
            item.setToolTip(name)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, name)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setSizeHint(cell)
            self.grid.addItem(item)
        rows = -(-len(COMMON) // Size.EMOJI_COLUMNS)
        frame = 2 * self.grid.frameWidth() + Space.XS
        self.grid.setFixedSize(
            Size.EMOJI_COLUMNS * Size.EMOJI_CELL + frame, rows * Size.EMOJI_CELL + frame
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(Space.S, Space.S, Space.S, Space.S)
        layout.addWidget(self.grid)
        self.grid.activated.connect(self._choose)
        self.grid.clicked.connect(self._choose)

    def popup_above(self, anchor: QWidget) -> None:
        """Open just above ``anchor`` (the emoji button), kept on its screen."""
        self.adjustSize()
        self.grid.setCurrentRow(0)
        spot = anchor.mapToGlobal(QPoint(0, -self.height() - Space.XS))
        screen = anchor.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            spot.setX(max(area.left(), min(spot.x(), area.right() - self.width())))
            if spot.y() < area.top():
                spot.setY(anchor.mapToGlobal(QPoint(0, anchor.height() + Space.XS)).y())
        self.move(spot)
        self.show()
        self.grid.setFocus(Qt.FocusReason.PopupFocusReason)

    def _choose(self, index: QModelIndex) -> None:
        emoji = index.data(Qt.ItemDataRole.DisplayRole)
        if isinstance(emoji, str) and emoji:
            self.close()
            self.chosen.emit(emoji)
