"""The rooms list: the model (rooms, unread and mention counts) and the sidebar's view."""

from __future__ import annotations

import bisect
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QFrame,
    QListView,
    QStyleOptionViewItem,
    QWidget,
)

from desktopchat.client.domain import Room
from desktopchat.ui.room_row import (
    GLYPH,
    MENTIONS_ROLE,
    NAME_ROLE,
    PRESENCE_ROLE,
    ROOM_ROLE,
    UNREAD_ROLE,
    RoomRowDelegate,
    RowLayout,
)

Index = QModelIndex | QPersistentModelIndex
__all__ = [
    "MENTIONS_ROLE",
    "NAME_ROLE",
    "ROOM_ROLE",
    "UNREAD_ROLE",
    "RoomListModel",
    "RoomListView",
]


class RoomListModel(QAbstractListModel):
    """Rooms by name, each with its unread count and how many of those mention you."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rooms: list[Room] = []
        self._unread: dict[str, int] = {}
        self._mentions: dict[str, int] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """One row per room."""
        return 0 if parent.isValid() else len(self._rooms)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """``# name`` for display; the name, Room, unread and mention counts on request."""
        if not index.isValid():
            return None
        room = self._rooms[index.row()]
        unread = self._unread.get(room.name, 0)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{GLYPH} {room.name}"
        if role == NAME_ROLE:
            return room.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            mentions = self._mentions.get(room.name, 0)
            return (
                f"Room {room.name}"
                + (f", {unread} unread" if unread else "")
                + (f", {mentions} mentioning you" if mentions else "")
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            return room.topic or None
        if role == ROOM_ROLE:
            return room
        if role == UNREAD_ROLE:
            return unread
        if role == MENTIONS_ROLE:
            return self._mentions.get(room.name, 0)
        return None

    def set_rooms(self, rooms: list[Room]) -> None:
        """Replace the list (sorted by name)."""
        self.beginResetModel()
        self._rooms = sorted(rooms, key=lambda r: r.name)
        self.endResetModel()

    def add_room(self, room: Room) -> None:
        """A room was created or joined."""
        self.merge([room], complete=False)

    def merge(self, rooms: list[Room], *, complete: bool) -> None:
        """Add new rooms in their sorted place and update changed ones, row by row (the
        selection and scroll stay put); with ``complete``, drop rooms not in ``rooms``."""
        wanted = {room.name: room for room in rooms}
        if complete:
            for row in range(len(self._rooms) - 1, -1, -1):
                if self._rooms[row].name not in wanted:
                    self.beginRemoveRows(QModelIndex(), row, row)
                    del self._rooms[row]
                    self.endRemoveRows()
        names = [r.name for r in self._rooms]
        for room in sorted(rooms, key=lambda r: r.name):
            position = bisect.bisect_left(names, room.name)
            if position < len(names) and names[position] == room.name:
                if self._rooms[position] != room:
                    self._rooms[position] = room
                    self.dataChanged.emit(self.index(position), self.index(position))
                continue
            self.beginInsertRows(QModelIndex(), position, position)
            self._rooms.insert(position, room)
            names.insert(position, room.name)
            self.endInsertRows()

    def rooms(self) -> list[Room]:
        """The rooms, in display order."""
        return list(self._rooms)

    def row_of(self, name: str) -> int | None:
        """The row of room ``name``."""
        return next((i for i, r in enumerate(self._rooms) if r.name == name), None)

    def add_unread(self, name: str, count: int, mentions: int = 0) -> None:
        """``count`` more unread messages in ``name``, ``mentions`` of them naming you."""
        self._mentions[name] = self._mentions.get(name, 0) + mentions
        self._set_unread(name, self._unread.get(name, 0) + count, force=mentions > 0)

    def set_counts(self, name: str, unread: int, mentions: int) -> None:
        """``name`` has exactly ``unread`` unread messages, ``mentions`` of them naming you
        (counted again after the room was read on another device)."""
        had = self._mentions.get(name, 0)
        self._mentions[name] = mentions
        self._set_unread(name, unread, force=had != mentions)

    def mark_read(self, name: str) -> None:
        """The room is on screen: nothing unread."""
        had_mentions = self._mentions.pop(name, 0) > 0
        self._set_unread(name, 0, force=had_mentions)

    def mentions(self, name: str) -> int:
        """Unread messages in ``name`` that mention you."""
        return self._mentions.get(name, 0)

    def unread(self, name: str) -> int:
        """Unread messages in ``name``."""
        return self._unread.get(name, 0)

    def total_unread(self) -> int:
        """Unread messages everywhere (for the title bar and the tray)."""
        return sum(self._unread.values())

    def _set_unread(self, name: str, count: int, *, force: bool = False) -> None:
        if self._unread.get(name, 0) == count and not force:
            return
        self._unread[name] = count
        row = self.row_of(name)
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row))


class RoomListView(QListView):
    """The rooms in the sidebar: flat rows, a long name cut with "…", no sideways scroll.

    Rows are never wider than the viewport and :class:`RoomRowDelegate` paints them (hover,
    selected, unread pill); :meth:`shown_text` says what a row shows. The vertical scroll
    bar appears only when the rooms do not fit.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setWordWrap(False)
        self.setUniformItemSizes(True)
        self.setMouseTracking(True)  # hover backgrounds
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.setResizeMode(QListView.ResizeMode.Adjust)  # rows follow the sidebar's width
        self._delegate = RoomRowDelegate(self)
        self.setItemDelegate(self._delegate)

    def shown_text(self, row: int) -> str:
        """The text row ``row`` shows now (``# name``, elided to the room list's width; a DM's
        presence dot as ``●`` online or ``○`` offline)."""
        parts = self._row_layout(row)
        if parts is None:
            return ""
        model = self.model()
        online = model.index(row, 0).data(PRESENCE_ROLE) if model is not None else None
        glyph = GLYPH if not isinstance(online, bool) else "●" if online else "○"
        return f"{glyph} {parts.shown_name}"

    def shown_pill(self, row: int) -> str:
        """The unread pill's label on row ``row`` ("" when there is none)."""
        parts = self._row_layout(row)
        return parts.pill_text if parts is not None else ""

    def _row_layout(self, row: int) -> RowLayout | None:
        """Where the delegate paints row ``row``'s parts, at the view's current width."""
        model = self.model()
        if model is None:
            return None
        index = model.index(row, 0)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = self.visualRect(index)
        return self._delegate.layout(option, index)
