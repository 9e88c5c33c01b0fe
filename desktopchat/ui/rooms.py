"""The rooms list with unread counts (model and view); Ctrl+K is ``quick_switcher``."""

from __future__ import annotations

import bisect
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from desktopchat.client.domain import Room

Index = QModelIndex | QPersistentModelIndex
ROOM_ROLE = Qt.ItemDataRole.UserRole + 1
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 2


class RoomListModel(QAbstractListModel):
    """Rooms by name, each with its unread count (shown bold with the count)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rooms: list[Room] = []
        self._unread: dict[str, int] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """One row per room."""
        return 0 if parent.isValid() else len(self._rooms)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """``# name (3)`` for display, bold when unread; the Room and count on request."""
        if not index.isValid():
            return None
        room = self._rooms[index.row()]
        unread = self._unread.get(room.name, 0)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"# {room.name}" + (f"  ({unread})" if unread else "")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Room {room.name}" + (f", {unread} unread" if unread else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return room.topic or None
        if role == Qt.ItemDataRole.FontRole and unread:
            font = QFont()
            font.setBold(True)
            return font
        if role == ROOM_ROLE:
            return room
        if role == UNREAD_ROLE:
            return unread
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

    def add_unread(self, name: str, count: int) -> None:
        """``count`` more unread messages in ``name``."""
        self._set_unread(name, self._unread.get(name, 0) + count)

    def mark_read(self, name: str) -> None:
        """The room is on screen: nothing unread."""
        self._set_unread(name, 0)

    def unread(self, name: str) -> int:
        """Unread messages in ``name``."""
        return self._unread.get(name, 0)

    def total_unread(self) -> int:
        """Unread messages everywhere (for the title bar and the tray)."""
        return sum(self._unread.values())

    def _set_unread(self, name: str, count: int) -> None:
        if self._unread.get(name, 0) == count:
            return
        self._unread[name] = count
        row = self.row_of(name)
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row))


class RoomListView(QListView):
    """The rooms on the left: one line per room, a long name cut with "…", no sideways scroll.

    A plain QListView sizes each row to its text, so one long room name widened every row
    past the sidebar and added a horizontal scrollbar instead of eliding. Here rows are never
    wider than the viewport, the delegate elides the text itself (the full name is in the
    row's tooltip), and :meth:`shown_text` says what a row shows.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setWordWrap(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)  # rows follow the sidebar's width
        self._delegate = _ElidingDelegate(self)
        self.setItemDelegate(self._delegate)

    def shown_text(self, row: int) -> str:
        """The text row ``row`` shows now, elided to the room list's width."""
        model = self.model()
        if model is None:
            return ""
        index = model.index(row, 0)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = self.visualRect(index)
        self._delegate.initStyleOption(option, index)
        return option.text


class _ElidingDelegate(QStyledItemDelegate):
    """Rows as wide as the view at most; text elided to fit, full text in the tooltip."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """The text's height; never wider than the viewport (so nothing scrolls sideways)."""
        hint = super().sizeHint(option, index)
        return QSize(min(hint.width(), self._view.viewport().width()), hint.height())

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: N802
        """The row's text already elided to its text rectangle (what the style paints)."""
        super().initStyleOption(option, index)
        if not option.text or option.rect.width() <= 0:
            return
        widget = self._view
        style = widget.style()
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, widget)
        # The style keeps this margin each side of the text (QCommonStyle's viewItemDrawText).
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        option.text = option.fontMetrics.elidedText(
            option.text, self._view.textElideMode(), text_rect.width() - 2 * margin
        )

    def helpEvent(  # noqa: N802 - Qt API
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        """A cut-off row's tooltip shows its whole text (then the room's topic, if any)."""
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            shown = QStyleOptionViewItem(option)
            self.initStyleOption(shown, index)
            full = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            if shown.text != full:
                topic = index.data(Qt.ItemDataRole.ToolTipRole)
                QToolTip.showText(event.globalPos(), full + (f"\n{topic}" if topic else ""), view)
                return True
        return super().helpEvent(event, view, option, index)
