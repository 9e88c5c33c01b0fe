"""The bar above the conversation: the room's name and topic, who is here, search.

The name and topic are elided (the whole in a tooltip), so a long topic never widens the
window. "Search messages" opens the search panel (Ctrl+Shift+F; Ctrl+F searches the room on
screen), "Jump to…" the Ctrl+K switcher; the count of who is online ("3 online") shows or
hides the members panel.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from desktopchat.ui import theme
from desktopchat.ui.theme import Space
from desktopchat.ui.widgets import ElidedLabel

#: The search affordance's widest; narrower windows get the short text.
SEARCH_WIDTH = 240
SEARCH_TEXT = "Jump to a room…"
SEARCH_SHORT = "Jump to…"
MESSAGE_SEARCH_TEXT = "Search messages"
MESSAGE_SEARCH_SHORT = "Find"
MESSAGE_SEARCH_WIDTH = 160
#: What a header button needs beside its text: the stylesheet's padding and border.
_PADDING = 2 * Space.M + 2
#: The room's name never shrinks below this (the topic goes first).
TITLE_MIN = 110
#: A topic keeps at least this much (or its whole width, if less) while the buttons can
#: still take their short texts: they shorten before the topic disappears.
TOPIC_MIN = 160


class _SearchButton(QPushButton):
    """Asks for the design's width; shrinks (to the short text) when the bar is narrow."""

    def __init__(
        self,
        parent: QWidget,
        long: str = SEARCH_TEXT,
        short: str = SEARCH_SHORT,
        width: int = SEARCH_WIDTH,
    ) -> None:
        super().__init__(long, parent)
        self._long, self._short, self._width = long, short, width
        self._compact = False

    def set_compact(self, compact: bool) -> None:
        """Ask only for the short text's width (the header wants room for the topic)."""
        if compact != self._compact:
            self._compact = compact
            self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """The design's width (:data:`SEARCH_WIDTH` for the switcher's), or the short one."""
        if self._compact:
            return self.minimumSizeHint()
        return QSize(self._width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Room for the short text and the stylesheet's padding, no more."""
        short = self.fontMetrics().horizontalAdvance(self._short) + _PADDING
        return QSize(short, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """The short text when the long one does not fit (never a clipped word)."""
        super().resizeEvent(event)
        room = self.width() - _PADDING
        fits = self.fontMetrics().horizontalAdvance(self._long) <= room
        wanted = self._long if fits else self._short
        if self.text() != wanted:
            self.setText(wanted)


class RoomHeader(QFrame):
    """``# general`` · topic … [3 online] [Search messages] [Jump to a room…].

    Signals:
        search_requested(): open the quick switcher.
        message_search_requested(): open the message search panel (every room).
        members_toggled(bool): show (True) or hide the members panel.
    """

    search_requested = Signal()
    message_search_requested = Signal()
    members_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.title = ElidedLabel(self)
        self.title.setObjectName("roomTitle")
        self.title.setAccessibleName("Room title")
        self.title.setFont(theme.font(self.font(), theme.Font.TITLE, QFont.Weight.Bold))
        # Its own width (up to half the bar, see _limit_title); the topic gets the rest.
        self.title.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.topic = ElidedLabel(self)
        self.topic.setObjectName("roomTopic")
        self.topic.setAccessibleName("Room topic")
        self.members = QToolButton(self)
        self.members.setObjectName("memberCount")
        self.members.setAccessibleName("Who is in this room")
        self.members.setToolTip("Show or hide who is here (Ctrl+Shift+M)")
        self.members.setCheckable(True)
        self.members.setChecked(True)
        self.members.toggled.connect(self.members_toggled)
        self.members.hide()
        self.search = _SearchButton(self)
        self.search.setObjectName("searchButton")
        self.search.setAccessibleName("Jump to a room")
        self.search.setToolTip("Jump to a room (Ctrl+K)")
        self.search.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.search.clicked.connect(self.search_requested)
        self.message_search = _SearchButton(
            self, MESSAGE_SEARCH_TEXT, MESSAGE_SEARCH_SHORT, MESSAGE_SEARCH_WIDTH
        )
        self.message_search.setObjectName("messageSearch")
        self.message_search.setAccessibleName("Search messages")
        self.message_search.setToolTip(
            "Search messages in every room (Ctrl+Shift+F; Ctrl+F: this room)"
        )
        self.message_search.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.message_search.clicked.connect(self.message_search_requested)
        layout = self._layout = QHBoxLayout(self)
        layout.setContentsMargins(Space.L, Space.S, Space.M, Space.S)
        layout.setSpacing(Space.S)
        # The title takes what it needs (up to half); the topic the rest, both elided.
        layout.addWidget(self.title, 0)
        layout.addWidget(self.topic, 1)
        layout.addWidget(self.members)
        layout.addWidget(self.message_search)
        layout.addWidget(self.search)

    def set_room(self, name: str, topic: str, glyph: str = "#") -> None:
        """Show room ``name`` and its ``topic`` (a DM: its people, with ``glyph`` "@")."""
        self.title.set_full_text(f"{glyph} {name}")
        self.topic.set_full_text(topic)
        self._limit_title()

    def set_member_count(self, count: int | None) -> None:
        """How many are here (``None``: unknown, e.g. offline).

        "3 online", not "3 members": the count is of who is online in the room now (its
        presence channel), and "1 member" in a direct message with two people, or in a
        room a dozen have written in, read as wrong.
        """
        if count is None:
            self.members.setText("Members")
        else:
            self.members.setText(f"{count} online")
        self.members.setAccessibleName(
            "Who is in this room" if count is None else f"{count} online in this room"
        )
        self.members.show()
        self._limit_title()

    def set_members_shown(self, shown: bool) -> None:
        """Reflect the panel's visibility (changed elsewhere, e.g. from the View menu)."""
        if self.members.isChecked() != shown:
            self.members.setChecked(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """Keep the title within half the bar; the topic elides first."""
        super().resizeEvent(event)
        self._limit_title()

    def _limit_title(self) -> None:
        """At most half the bar; at least the start of the name (``# gen…``).

        The search buttons take their short texts when their long ones would leave the
        topic less than :data:`TOPIC_MIN` (a minimum width would instead widen the
        window past the screen at 200% scale).
        """
        wanted = self.title.sizeHint().width()
        self.title.setMaximumWidth(max(TITLE_MIN, min(wanted, self.width() // 2)))
        self.title.setMinimumWidth(min(wanted, TITLE_MIN))
        topic = self.topic.full_text
        needed = min(self.topic.fontMetrics().horizontalAdvance(topic), TOPIC_MIN) if topic else 0
        margins, layout = self.contentsMargins(), self._layout
        inner = layout.contentsMargins()
        taken = inner.left() + inner.right() + 4 * layout.spacing() + margins.left()
        taken += min(wanted, self.title.maximumWidth()) + margins.right()
        if self.members.isVisible():
            taken += self.members.sizeHint().width()
        slack = self.width() - taken - MESSAGE_SEARCH_WIDTH - SEARCH_WIDTH
        # The message search shortens first, then the switcher's button.
        self.message_search.set_compact(slack < needed)
        saved = MESSAGE_SEARCH_WIDTH - self.message_search.minimumSizeHint().width()
        self.search.set_compact(slack + saved < needed)
