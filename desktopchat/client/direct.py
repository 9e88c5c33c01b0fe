"""Direct messages as the client knows them: who is in one, and what to call it.

A DM is a room (its messages, catch-up and outbox are the rooms' own) whose name the relay
makes from its members and reserves with the ``dm-`` prefix, so a name alone says whether
a room is a DM (:func:`is_direct`), which the notification policy relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktopchat.client.domain import Room, _field
from desktopchat.client.errors import ProtocolError

#: The prefix the relay keeps for DMs' names (``POST /api/rooms`` refuses it).
DM_PREFIX = "dm-"
#: Each user's own channel on the relay, where ``dm-created`` and ``read-state`` arrive.
USER_CHANNEL_PREFIX = "private-user-"
#: A new DM, on each member's own channel.
DM_CREATED = "dm-created"


def is_direct(room: str) -> bool:
    """Whether the room named ``room`` is a direct conversation."""
    return room.startswith(DM_PREFIX)


def user_channel(user_id: int) -> str:
    """The private channel only ``user_id`` may follow (as the relay names it)."""
    return f"{USER_CHANNEL_PREFIX}{user_id}"


@dataclass(frozen=True, slots=True)
class Member:
    """One person in a DM."""

    id: int
    username: str
    display_name: str
    avatar_url: str

    @classmethod
    def from_json(cls, data: Any) -> Member:
        """Parse one of a DM's ``members``."""
        if not isinstance(data, dict):
            raise ProtocolError("malformed DM member in server data")
        return cls(
            _field(data, "id", int),
            _field(data, "username", str),
            _field(data, "display_name", str),
            _field(data, "avatar_url", str),
        )

    def to_json(self) -> dict[str, Any]:
        """The relay's shape (for the local database)."""
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "avatar_url": self.avatar_url,
        }


@dataclass(frozen=True, slots=True)
class DirectMessage:
    """A direct conversation between two people, or a small group."""

    name: str
    channel: str
    presence_channel: str
    members: tuple[Member, ...]

    @classmethod
    def from_json(cls, data: Any) -> DirectMessage:
        """Parse one entry of ``GET /api/dms`` or a ``dm-created`` event's ``dm``."""
        if not isinstance(data, dict):
            raise ProtocolError("malformed DM in server data")
        members = _field(data, "members", list)
        name = _field(data, "name", str)
        if not is_direct(name):
            raise ProtocolError(f"a DM named {name[:40]!r}, without the DM prefix")
        return cls(
            name,
            _field(data, "channel", str),
            _field(data, "presence_channel", str),
            tuple(Member.from_json(m) for m in members),
        )

    def to_json(self) -> dict[str, Any]:
        """The relay's shape (for the local database)."""
        return {
            "name": self.name,
            "channel": self.channel,
            "presence_channel": self.presence_channel,
            "members": [m.to_json() for m in self.members],
        }

    @property
    def room(self) -> Room:
        """The room its messages travel in (what the sync engine and outbox follow)."""
        return Room(self.name, "", self.channel, self.presence_channel)

    def others(self, own_id: int) -> tuple[Member, ...]:
        """Everyone but ``own_id`` (a DM with yourself lists you)."""
        others = tuple(m for m in self.members if m.id != own_id)
        return others or self.members

    def title(self, own_id: int) -> str:
        """What the sidebar calls it: the other person's name, or the group's names."""
        return ", ".join(m.display_name for m in self.others(own_id))
