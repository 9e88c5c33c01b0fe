"""What the client knows of rooms, messages and people, parsed and validated once.

Every record is a frozen, slotted dataclass: safe to hand from pysher's thread to the GUI
thread, cheap to hold by the hundred thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktopchat.client.errors import ProtocolError


def _field(data: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ProtocolError(f"malformed {name!r} in server data")
    return value


def parse_time(value: str) -> datetime:
    """An ISO-8601 timestamp from the relay (``2026-11-28T16:21:46.123Z``)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ProtocolError(f"malformed timestamp {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise ProtocolError(f"timestamp without a time zone {value[:40]!r}")
    return moment


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a message, as others see them."""

    id: int
    display_name: str
    avatar_url: str

    @classmethod
    def from_json(cls, data: Any) -> Author:
        """Parse the relay's ``author`` object."""
        if not isinstance(data, dict):
            raise ProtocolError("malformed author in server data")
        return cls(
            _field(data, "id", int),
            _field(data, "display_name", str),
            _field(data, "avatar_url", str),
        )


@dataclass(frozen=True, slots=True)
class User:
    """The logged-in account."""

    id: int
    username: str
    display_name: str
    email: str | None
    avatar_url: str

    @classmethod
    def from_json(cls, data: Any) -> User:
        """Parse the relay's ``user`` object."""
        if not isinstance(data, dict):
            raise ProtocolError("malformed user in server data")
        email = data.get("email")
        return cls(
            _field(data, "id", int),
            _field(data, "username", str),
            _field(data, "display_name", str),
            email if isinstance(email, str) else None,
            _field(data, "avatar_url", str),
        )

    def to_json(self) -> dict[str, Any]:
        """The relay's shape (for the local database)."""
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "avatar_url": self.avatar_url,
        }


@dataclass(frozen=True, slots=True)
class Message:
    """A stored message. ``id`` is 1, 2, 3... per room, so a gap means something was missed."""

    id: int
    room: str
    client_id: str
    author: Author
    text: str
    sent_at: datetime
    edited_at: datetime | None
    deleted: bool
    #: Ids of the users it mentions; None when the relay did not say (an older relay or
    #: cache), so names in the text are all there is to go by.
    mentions: tuple[int, ...] | None = None

    def mentions_user(self, user_id: int) -> bool | None:
        """Whether it mentions ``user_id`` (None: unknown, the relay gave no ids)."""
        return None if self.mentions is None else user_id in self.mentions

    @classmethod
    def from_json(cls, data: Any) -> Message:
        """Parse a message from the API or from a Pusher event's data."""
        if not isinstance(data, dict):
            raise ProtocolError("malformed message in server data")
        edited = data.get("edited_at")
        return cls(
            id=_field(data, "id", int),
            room=_field(data, "room", str),
            client_id=_field(data, "client_id", str),
            author=Author.from_json(data.get("author")),
            text=_field(data, "text", str),
            sent_at=parse_time(_field(data, "sent_at", str)),
            edited_at=parse_time(edited) if isinstance(edited, str) else None,
            deleted=bool(data.get("deleted", False)),
            mentions=_mentions(data.get("mentions")),
        )

    def to_json(self) -> dict[str, Any]:
        """The relay's JSON shape (for the local cache and ``tail --json``)."""
        data = self._base_json()
        if self.mentions is not None:
            data["mentions"] = list(self.mentions)
        return data

    def _base_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "room": self.room,
            "client_id": self.client_id,
            "author": {
                "id": self.author.id,
                "display_name": self.author.display_name,
                "avatar_url": self.author.avatar_url,
            },
            "text": self.text,
            "sent_at": _iso(self.sent_at),
            "edited_at": None if self.edited_at is None else _iso(self.edited_at),
            "deleted": self.deleted,
        }


def _mentions(raw: object) -> tuple[int, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in raw
    ):
        raise ProtocolError("malformed 'mentions' in server data")
    return tuple(raw)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Room:
    """A room and its two Pusher channels (messages; presence and typing)."""

    name: str
    topic: str
    channel: str
    presence_channel: str

    @classmethod
    def from_json(cls, data: Any) -> Room:
        """Parse one entry of ``GET /api/rooms``."""
        if not isinstance(data, dict):
            raise ProtocolError("malformed room in server data")
        return cls(
            _field(data, "name", str),
            _field(data, "topic", str),
            _field(data, "channel", str),
            _field(data, "presence_channel", str),
        )

    def to_json(self) -> dict[str, Any]:
        """The relay's shape (for the local database)."""
        return {
            "name": self.name,
            "topic": self.topic,
            "channel": self.channel,
            "presence_channel": self.presence_channel,
        }


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """``GET /api/config``: how to reach the server's Pusher side. Never holds a secret."""

    key: str
    host: str | None
    port: int | None
    cluster: str | None
    tls: bool
    auth_endpoint: str
    max_message_bytes: int
    relay_version: str
    #: The private channel announcing rooms created or changed (None: an older relay).
    directory_channel: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> ServerInfo:
        """Parse the relay's config document."""
        if not isinstance(data, dict) or not isinstance(data.get("pusher"), dict):
            raise ProtocolError("this server does not look like a desktopchat relay")
        pusher = data["pusher"]
        host, port, cluster = pusher.get("host"), pusher.get("port"), pusher.get("cluster")
        directory = data.get("directory_channel")
        return cls(
            key=_field(pusher, "key", str),
            host=host if isinstance(host, str) else None,
            port=port if isinstance(port, int) else None,
            cluster=cluster if isinstance(cluster, str) else None,
            tls=bool(pusher.get("tls", False)),
            auth_endpoint=_field(data, "auth_endpoint", str),
            max_message_bytes=_field(data, "max_message_bytes", int),
            relay_version=_field(data, "relay_version", str),
            directory_channel=directory if isinstance(directory, str) else None,
        )

    def to_json(self) -> dict[str, Any]:
        """The config document's shape (kept locally, so the window can start offline)."""
        pusher: dict[str, Any] = {"key": self.key, "tls": self.tls}
        for name in ("host", "port", "cluster"):
            if getattr(self, name) is not None:
                pusher[name] = getattr(self, name)
        data: dict[str, Any] = {
            "pusher": pusher,
            "auth_endpoint": self.auth_endpoint,
            "max_message_bytes": self.max_message_bytes,
            "relay_version": self.relay_version,
        }
        if self.directory_channel is not None:
            data["directory_channel"] = self.directory_channel
        return data


@dataclass(frozen=True, slots=True)
class ChangePage:
    """Messages edited or deleted since a room's change counter; ``until`` is the next one."""

    messages: tuple[Message, ...]
    until: int
    has_more: bool


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """A page of history, oldest first, and whether more lie beyond it."""

    messages: tuple[Message, ...]
    has_more: bool


@dataclass(frozen=True, slots=True)
class ReadMark:
    """How far the user has read a room (on any device): every message up to ``message_id``."""

    room: str
    message_id: int

    @classmethod
    def from_json(cls, data: Any) -> ReadMark:
        """Parse a ``read-state`` event or an entry of ``GET /api/read-state``."""
        if not isinstance(data, dict):
            raise ProtocolError("malformed read mark in server data")
        return cls(_field(data, "room", str), _field(data, "message_id", int))


#: The private channel of one user's devices (``read-state``); the relay names it so too.
USER_CHANNEL_PREFIX = "private-user-"


def user_channel(user_id: int) -> str:
    """The user's own private channel."""
    return f"{USER_CHANNEL_PREFIX}{user_id}"
