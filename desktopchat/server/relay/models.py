"""The relay's records and their JSON shapes, shared by the store and the HTTP API."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
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
#: Each user's own private channel: events meant for one person on all their devices
#: (``dm-created``, ``read-state``); only that user is authorized to it.
USER_CHANNEL_PREFIX = "private-user-"
#: Direct messages are rooms whose names start so; ``POST /api/rooms`` refuses the prefix,
#: so a public room can never take a DM's name, nor so its channels.
DM_PREFIX = "dm-"
#: Members of one direct conversation, the person starting it included.
MAX_DM_MEMBERS = 8


def user_channel(user_id: int) -> str:
    """The private channel only ``user_id`` may subscribe to."""
    return f"{USER_CHANNEL_PREFIX}{user_id}"


def dm_name(member_ids: frozenset[int]) -> str:
    """The one room name of the DM between exactly these users (whoever starts it).

    A digest of the sorted ids: the same people always get the same name (so starting a DM
    again finds the existing one), it fits a room name whatever the ids, and it says
    nothing readable about who talks to whom.
    """
    key = ",".join(str(i) for i in sorted(member_ids))
    return DM_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:32]


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


#: Characters of the original's first line a reply quotes (the window elides it further).
EXCERPT_CHARS = 120


def excerpt(text: str) -> str:
    """The first non-blank line of ``text``, cut to :data:`EXCERPT_CHARS` with an ellipsis."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= EXCERPT_CHARS else line[: EXCERPT_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class ReplyRef:
    """What a reply shows of its original: computed when read, so edits and deletes show."""

    id: int
    author: User
    text: str
    deleted: bool

    def to_json(self) -> dict[str, Any]:
        """``{"id", "author", "excerpt", "deleted"}``; a deleted original quotes nothing."""
        return {
            "id": self.id,
            "author": self.author.author_json(),
            "excerpt": "" if self.deleted else excerpt(self.text),
            "deleted": self.deleted,
        }


@dataclass(frozen=True, slots=True)
class Reaction:
    """One emoji on a message and who put it there, in the order they did."""

    emoji: str
    user_ids: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        """``{"emoji", "count", "user_ids"}``."""
        return {"emoji": self.emoji, "count": len(self.user_ids), "user_ids": list(self.user_ids)}


@dataclass(frozen=True, slots=True)
class Dm:
    """A direct conversation: a room only its members may read, listed only to them."""

    name: str
    members: tuple[User, ...]
    created_by: int | None

    @property
    def room(self) -> Room:
        """The room its messages are kept in (its channels are the room's)."""
        return Room(self.name, "")

    def to_json(self) -> dict[str, Any]:
        """The DM as ``GET /api/dms`` lists it and ``dm-created`` carries it."""
        room = self.room
        return {
            "name": self.name,
            "channel": room.channel,
            "presence_channel": room.presence_channel,
            "members": [
                {"username": m.username, **m.author_json()}
                for m in sorted(self.members, key=lambda m: m.id)
            ],
            "created_by": self.created_by,
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
    #: Files sent with the message (none once it is deleted); see :class:`Attachment`.
    attachments: tuple[Attachment, ...] = ()
    #: Filled in by :meth:`~.store.Store.with_extras` before a message leaves the relay.
    reply_to: ReplyRef | None = None
    reactions: tuple[Reaction, ...] = field(default=())
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
            "reply_to": None if self.reply_to is None else self.reply_to.to_json(),
            "reactions": [reaction.to_json() for reaction in self.reactions],
            "attachments": [] if self.deleted else [a.to_json() for a in self.attachments],
            # A deleted message mentions nobody any more (its text is gone too).
            "mentions": [] if self.deleted else list(self.mentions),
        }


@dataclass(frozen=True, slots=True)
class Attachment:
    """An uploaded file: ``id`` is random (access goes by room), ``digest`` its SHA-256.

    ``type`` is sniffed from the bytes; ``width``/``height`` are set only for an image the
    relay could read and would preview. ``message_id`` is None until a message carries it.
    """

    id: str
    room: str
    uploader_id: int
    digest: str
    name: str
    size: int
    type: str
    width: int | None
    height: int | None
    created_at: float
    message_id: int | None = None

    @property
    def url(self) -> str:
        """Where the bytes are served (to those who may read the room)."""
        return f"/api/rooms/{self.room}/files/{self.id}"

    def to_json(self) -> dict[str, Any]:
        """The attachment as messages carry it and ``POST …/files`` answers it."""
        return {
            "id": self.id,
            "hash": self.digest,
            "name": self.name,
            "size": self.size,
            "type": self.type,
            "width": self.width,
            "height": self.height,
            "url": self.url,
            "thumbnail_url": None if self.width is None else self.url + "/thumbnail",
        }
