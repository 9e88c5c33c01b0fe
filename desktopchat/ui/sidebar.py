"""The left column: who and where you are, then sections of conversations.

A section is a title, a compact "+" and a list (:class:`Section`): Rooms, then Direct
messages with their own list, under the same title style.

The sidebar is flat (no frames), ~240 px wide and resizable by the window's splitter; the
lists scroll only when they do not fit.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktopchat.ui import theme
from desktopchat.ui.rooms import RoomListView
from desktopchat.ui.theme import Size, Space
from desktopchat.ui.widgets import ElidedLabel


class Section(QWidget):
    """A titled part of the sidebar with an optional "+" button.

    Signals:
        add_requested(): the "+" was pressed.
    """

    add_requested = Signal()

    def __init__(
        self, title: str, add_name: str = "", add_tip: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.title = QLabel(title.upper(), self)
        self.title.setProperty("role", "section")
        self.title.setFont(theme.font(self.font(), theme.Font.CAPTION))
        self.title.setAccessibleName(f"{title} section")
        self.add = QToolButton(self)
        self.add.setText("+")
        self.add.setFont(theme.font(self.font(), theme.Font.TITLE, QFont.Weight.Bold))
        self.add.setAccessibleName(add_name)
        self.add.setToolTip(add_tip)
        self.add.clicked.connect(self.add_requested)
        self.add.setVisible(bool(add_name))
        row = QHBoxLayout()
        row.setContentsMargins(Space.L, Space.S, Space.S, Space.XXS)
        row.addWidget(self.title, 1)
        row.addWidget(self.add)
        # Without a "+", the title keeps the height it has beside one.
        self.title.setMinimumHeight(self.add.sizeHint().height())
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(0)
        self.box.addLayout(row)


class MembersColumn(QFrame):
    """The right column: a "Members" title over the members list (flat, like the sidebar)."""

    def __init__(self, members: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("membersColumn")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.section = Section("Members", parent=self)
        self.section.box.addWidget(members, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, Space.XS, 0, 0)
        layout.addWidget(self.section, 1)


class Sidebar(QFrame):
    """Profile line on top, then the Rooms and the Direct messages sections.

    Signals:
        new_room_requested(): the Rooms section's "+".
        new_direct_requested(): the Direct messages section's "+".
    """

    new_room_requested = Signal()
    new_direct_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setAccessibleName("Sidebar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setMinimumWidth(Size.SIDEBAR_MIN)
        self.setMaximumWidth(Size.SIDEBAR_MAX)
        self.title = ElidedLabel(self)
        self.title.setObjectName("sidebarTitle")
        self.title.setAccessibleName("Signed in as")
        self.title.setFont(theme.font(self.font(), theme.Font.HEADING, QFont.Weight.Bold))
        self.title.set_full_text("desktopchat")
        self.where = ElidedLabel(self)
        self.where.setProperty("role", "muted")
        self.where.setAccessibleName("Server")
        self.where.setFont(theme.font(self.font(), theme.Font.CAPTION))
        self.rooms_section = Section("Rooms", "Create a room", "New room (Ctrl+N)", self)
        self.rooms_section.add_requested.connect(self.new_room_requested)
        self.room_list = RoomListView(self)
        self.room_list.setAccessibleName("Rooms")
        self.room_list.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.rooms_section.box.addWidget(self.room_list, 1)
        self.direct_section = Section(
            "Direct messages", "Start a direct message", "New direct message (Ctrl+K)", self
        )
        self.direct_section.add_requested.connect(self.new_direct_requested)
        self.direct_list = RoomListView(self)
        self.direct_list.setAccessibleName("Direct messages")
        self.direct_list.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.direct_section.box.addWidget(self.direct_list, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, Space.M, 0, Space.S)
        layout.setSpacing(0)
        top = QVBoxLayout()
        top.setContentsMargins(Space.L, 0, Space.L, Space.S)
        top.setSpacing(Space.XXS)
        top.addWidget(self.title)
        top.addWidget(self.where)
        layout.addLayout(top)
        layout.addWidget(self.rooms_section, 3)
        layout.addWidget(self.direct_section, 2)

    def set_identity(self, name: str, where: str) -> None:
        """Who is signed in, and on which server (in words)."""
        self.title.set_full_text(name or "desktopchat")
        self.where.set_full_text(where)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """The design's width."""
        hint = super().sizeHint()
        return QSize(Size.SIDEBAR, hint.height())
