"""What the quick switcher can jump to: rooms, direct messages and people.

The switcher knows only :class:`Target`: a kind, the key the window acts on, the label to
match and show, and the unread counts. Each kind of place gets a small function that turns
its model into targets (:func:`room_targets`), so issue 15's direct messages and people are
one more function and one more branch where the window handles :attr:`Target.kind`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QAbstractItemModel

from desktopchat.client.direct import DirectMessage
from desktopchat.client.domain import Room
from desktopchat.ui.direct_list import DM_ROLE
from desktopchat.ui.rooms import MENTIONS_ROLE, ROOM_ROLE, UNREAD_ROLE

#: A person's key when there is no DM with them yet: choosing it starts one.
PERSON_KEY_PREFIX = "user:"


class Kind(Enum):
    """What a target is (decides its sigil and what choosing it does)."""

    ROOM = "room"
    PERSON = "person"


_SIGILS = {Kind.ROOM: "#", Kind.PERSON: "@"}


@dataclass(frozen=True, slots=True)
class Target:
    """One place the switcher offers."""

    kind: Kind
    #: What the window acts on (a room's or DM's name; ``user:ID`` for a person to message).
    key: str
    #: What is matched and shown.
    label: str
    #: A second, muted line of context (a room's topic).
    detail: str = ""
    unread: int = 0
    mentions: int = 0

    @property
    def sigil(self) -> str:
        """``#`` for a room, ``@`` for a person."""
        return _SIGILS[self.kind]

    def spoken(self) -> str:
        """What a screen reader says for this row."""
        what = "Room" if self.kind is Kind.ROOM else "Person"
        parts = [f"{what} {self.label}"]
        if self.unread:
            parts.append(f"{self.unread} unread")
        if self.mentions:
            parts.append(f"{self.mentions} mentioning you")
        return ", ".join(parts)


def room_targets(rooms: QAbstractItemModel) -> list[Target]:
    """Every room of the rooms list, in its order, with its unread count."""
    targets = []
    for row in range(rooms.rowCount()):
        index = rooms.index(row, 0)
        room = index.data(ROOM_ROLE)
        if isinstance(room, Room):
            unread = index.data(UNREAD_ROLE)
            count = unread if isinstance(unread, int) else 0
            targets.append(Target(Kind.ROOM, room.name, room.name, room.topic, count))
    return targets


def person_targets(
    dms: QAbstractItemModel, own_id: int, people: dict[int, str] | None = None
) -> list[Target]:
    """Every DM (by who is in it, with its counts), then ``people`` (id: name) who have
    no DM with you yet, whom choosing starts one with."""
    targets, known = [], set()
    for row in range(dms.rowCount()):
        index = dms.index(row, 0)
        dm = index.data(DM_ROLE)
        if isinstance(dm, DirectMessage):
            others = dm.others(own_id)
            if len(others) == 1:
                known.add(others[0].id)
            detail = ", ".join(f"@{m.username}" for m in others)
            unread, mentions = index.data(UNREAD_ROLE), index.data(MENTIONS_ROLE)
            targets.append(
                Target(
                    Kind.PERSON,
                    dm.name,
                    dm.title(own_id),
                    detail,
                    unread if isinstance(unread, int) else 0,
                    mentions if isinstance(mentions, int) else 0,
                )
            )
    for user_id, name in sorted((people or {}).items(), key=lambda p: p[1].lower()):
        if user_id != own_id and user_id not in known:
            targets.append(Target(Kind.PERSON, f"{PERSON_KEY_PREFIX}{user_id}", name))
    return targets
