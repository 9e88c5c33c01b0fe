"""The relay's records and their JSON shapes, shared by the store and the HTTP API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: Room names: lower-case, URL- and channel-safe, short enough for a sidebar.
ROOM_NAME = re.compile(r"\A[a-z0-9][a-z0-9_-]{0,63}\Z")
#: Usernames: what people type to log in.
USERNAME = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,31}\Z")
#: Messages go out on the room's private channel; typing and members on its presence channel.
MESSAGE_CHANNEL_PREFIX = "private-room-"
PRESENCE_CHANNEL_PREFIX = "presence-room-"
#: Every signed-in user follows this private channel: rooms created or changed by anyone
#: (``room-created``, ``room-updated``), so room lists stay live without polling.
DIRECTORY_CHANNEL = "private-directory"
#: Each user's own private channel: events for one person on all their devices
#: (``read-state``), authorized for that user only.
USER_CHANNEL_PREFIX = "private-user-"


def user_channel(user_id: int) -> str:
    """The private channel only user ``user_id`` may subscribe to."""
    return f"{USER_CHANNEL_PREFIX}{user_id}"


def iso_time(epoch: float) -> str:
    """UTC ISO-8601 with milliseconds and a ``Z``, as every timestamp in the API."""
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


@dataclass(frozen=True, slots=True)
class User:
    """An account. ``avatar_url`` is Gravatar when an email was given, else the relay's own."""

    id: int
    username: str
    display_name: str
    email: str | None
    avatar_url: str

    def to_json(self) -> dict[str, Any]:
        """The user as the API shows it to themselves (email included)."""
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "avatar_url": self.avatar_url,
        }

    def author_json(self) -> dict[str, Any]:
        """The user as others see them on a message or in a presence channel."""
        return {"id": self.id, "display_name": self.display_name, "avatar_url": self.avatar_url}


@dataclass(frozen=True, slots=True)
class Room:
    """A chat room and the Pusher channels its events travel on."""

    name: str
    topic: str

    @property
    def channel(self) -> str:
        """Private channel for ``message``, ``message-updated`` and ``message-deleted``."""
        return MESSAGE_CHANNEL_PREFIX + self.name

    @property
    def presence_channel(self) -> str:
        """Presence channel for who is here and typing indicators (client events)."""
        return PRESENCE_CHANNEL_PREFIX + self.name

    def to_json(self) -> dict[str, Any]:
        """The room as ``GET /api/rooms`` lists it."""
        return {
            "name": self.name,
            "topic": self.topic,
            "channel": self.channel,
            "presence_channel": self.presence_channel,
        }


@dataclass(frozen=True, slots=True)
class Message:
    """A stored message; ``id`` increases by one per room, in commit order."""

    id: int
    room: str
    client_id: str
    author: User
    text: str
    sent_at: float
    edited_at: float | None
    deleted: bool
    #: Ids of the users the message mentions (``@Name`` in the text is for reading).
    mentions: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The message as the API returns it and as Pusher events carry it."""
        return {
            "id": self.id,
            "room": self.room,
            "client_id": self.client_id,
            "author": self.author.author_json(),
            "text": self.text,
            "sent_at": iso_time(self.sent_at),
            "edited_at": None if self.edited_at is None else iso_time(self.edited_at),
            "deleted": self.deleted,
            # A deleted message mentions nobody any more (its text is gone too).
            "mentions": [] if self.deleted else list(self.mentions),
        }
