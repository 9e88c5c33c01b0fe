"""The sidebar's direct messages: each named after the other people, with a presence dot.

A DM is a room underneath (:class:`~desktopchat.ui.rooms.RoomListModel` keeps its unread
and mention counts the same way); this model only says what its row shows: the other
person's name (or the group's names) instead of the room's name, and whether any of them
is online — from the DM's presence channel, which the controller keeps subscribed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from desktopchat.client.direct import DirectMessage
from desktopchat.ui.room_row import NAME_ROLE, PRESENCE_ROLE
from desktopchat.ui.rooms import RoomListModel

Index = QModelIndex | QPersistentModelIndex
#: The row's :class:`DirectMessage`.
DM_ROLE = Qt.ItemDataRole.UserRole + 6


class DirectListModel(RoomListModel):
    """DMs by name, shown by who is in them."""

    def __init__(self, own_id: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._own_id = own_id
        self._dms: dict[str, DirectMessage] = {}
        #: Per DM, the ids of its other members online now (from its presence channel).
        self._here: dict[str, set[str]] = {}

    def set_direct(self, dms: list[DirectMessage]) -> None:
        """The whole list (rows are added and dropped in place, the selection stays)."""
        self._dms = {d.name: d for d in dms}
        self.merge([d.room for d in dms], complete=True)

    def direct(self, name: str) -> DirectMessage | None:
        """The DM named ``name``, if listed."""
        return self._dms.get(name)

    def title(self, name: str) -> str:
        """What the row says: the other people's names."""
        dm = self._dms.get(name)
        return dm.title(self._own_id) if dm is not None else name

    def by_presence(self, channel: str) -> DirectMessage | None:
        """The DM whose presence channel is ``channel``."""
        return next((d for d in self._dms.values() if d.presence_channel == channel), None)

    def set_present(self, name: str, user_ids: set[str]) -> None:
        """Who of ``name``'s members is online now (all who are; you are left out)."""
        here = {uid for uid in user_ids if uid != str(self._own_id)}
        if self._here.get(name, set()) == here:
            return
        self._here[name] = here
        row = self.row_of(name)
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row))

    def present(self, name: str) -> set[str]:
        """Ids of ``name``'s other members online now."""
        return set(self._here.get(name, set()))

    def online(self, name: str) -> bool:
        """Whether anyone else in ``name`` is online."""
        return bool(self._here.get(name))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A room's data, but named by its people and with their presence."""
        if not index.isValid():
            return None
        name = str(super().data(index, NAME_ROLE))
        if role in {Qt.ItemDataRole.DisplayRole, NAME_ROLE}:
            return self.title(name)
        if role == PRESENCE_ROLE:
            return self.online(name)
        if role == DM_ROLE:
            return self._dms.get(name)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Online" if self.online(name) else "Offline"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            unread = self.unread(name)
            return (
                f"Direct message with {self.title(name)}, "
                + ("online" if self.online(name) else "offline")
                + (f", {unread} unread" if unread else "")
            )
        return super().data(index, role)
