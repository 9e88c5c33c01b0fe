"""What the client knows of rooms, messages and people, parsed and validated once.

Every record is a frozen, slotted dataclass: safe to hand from pysher's thread to the GUI
thread, cheap to hold by the hundred thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
class ReplyQuote:
    """What a reply shows of the message it answers: who wrote it and its first line."""

    id: int
    author: Author
    excerpt: str
    deleted: bool

    @classmethod
    def from_json(cls, data: Any) -> ReplyQuote | None:
        """Parse ``reply_to`` (None when the message answers nothing)."""
        if data is None:
            return None
        if not isinstance(data, dict):
            raise ProtocolError("malformed reply_to in server data")
        return cls(
            _field(data, "id", int),
            Author.from_json(data.get("author")),
            _field(data, "excerpt", str),
            bool(data.get("deleted", False)),
        )

    def to_json(self) -> dict[str, Any]:
        """The relay's shape."""
        return {
            "id": self.id,
            "author": _author_json(self.author),
            "excerpt": self.excerpt,
            "deleted": self.deleted,
        }


@dataclass(frozen=True, slots=True)
class Reaction:
    """One emoji chip on a message: who put it there, first to last."""

    emoji: str
    user_ids: tuple[int, ...]

    @property
    def count(self) -> int:
        """How many people reacted so."""
        return len(self.user_ids)

    @classmethod
    def parse_all(cls, data: Any) -> tuple[Reaction, ...]:
        """Parse ``reactions`` (absent from an older relay: none)."""
        if data is None:
            return ()
        if not isinstance(data, list):
            raise ProtocolError("malformed reactions in server data")
        chips = []
        for item in data:
            if not isinstance(item, dict):
                raise ProtocolError("malformed reaction in server data")
            users = item.get("user_ids")
            if not isinstance(users, list) or not all(
                isinstance(u, int) and not isinstance(u, bool) for u in users
            ):
                raise ProtocolError("malformed reaction user_ids in server data")
            chips.append(cls(_field(item, "emoji", str), tuple(users)))
        return tuple(chips)

    def to_json(self) -> dict[str, Any]:
        """The relay's shape."""
        return {"emoji": self.emoji, "count": self.count, "user_ids": list(self.user_ids)}


def _author_json(author: Author) -> dict[str, Any]:
    return {"id": author.id, "display_name": author.display_name, "avatar_url": author.avatar_url}


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
    #: Files the message carries (the relay's ``attachments``; none from older relays).
    attachments: tuple[Attachment, ...] = ()
    #: The message this one answers (None: not a reply).
    reply_to: ReplyQuote | None = None
    reactions: tuple[Reaction, ...] = ()
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
            attachments=Attachment.list_from_json(data.get("attachments")),
            reply_to=ReplyQuote.from_json(data.get("reply_to")),
            reactions=Reaction.parse_all(data.get("reactions")),
            mentions=_mentions(data.get("mentions")),
        )

    def reacted(self, user_id: int, emoji: str) -> bool:
        """Whether ``user_id`` put ``emoji`` on this message."""
        return any(r.emoji == emoji and user_id in r.user_ids for r in self.reactions)

    def with_reaction(self, user_id: int, emoji: str, *, on: bool) -> Message:
        """This message as it will be once ``user_id``'s ``emoji`` is put on (or taken
        back): shown at once, while the reaction waits in the outbox."""
        chips = list(self.reactions)
        found = next((i for i, r in enumerate(chips) if r.emoji == emoji), None)
        if on and found is None:
            chips.append(Reaction(emoji, (user_id,)))
        elif on and found is not None and user_id not in chips[found].user_ids:
            chips[found] = Reaction(emoji, (*chips[found].user_ids, user_id))
        elif not on and found is not None:
            users = tuple(u for u in chips[found].user_ids if u != user_id)
            if users:
                chips[found] = Reaction(emoji, users)
            else:
                del chips[found]
        return replace(self, reactions=tuple(chips))

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
            "reply_to": None if self.reply_to is None else self.reply_to.to_json(),
            "reactions": [reaction.to_json() for reaction in self.reactions],
            "attachments": [a.to_json() for a in self.attachments],
        }


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file a message carries, as the relay describes it (type sniffed by the relay).

    ``width``/``height`` are set only for an image the relay can preview;
    ``thumbnail_url`` then names its thumbnail. URLs are relative to the relay.
    """

    id: str
    hash: str
    name: str
    size: int
    type: str
    width: int | None
    height: int | None
    url: str
    thumbnail_url: str | None

    @classmethod
    def from_json(cls, data: Any) -> Attachment:
        """Parse one entry of a message's ``attachments`` (or ``POST …/files``' ``file``)."""
        if not isinstance(data, dict):
            raise ProtocolError("malformed attachment in server data")
        width, height, thumb = data.get("width"), data.get("height"), data.get("thumbnail_url")
        return cls(
            id=_field(data, "id", str),
            hash=_field(data, "hash", str),
            name=_field(data, "name", str),
            size=_field(data, "size", int),
            type=_field(data, "type", str),
            width=width if isinstance(width, int) and not isinstance(width, bool) else None,
            height=height if isinstance(height, int) and not isinstance(height, bool) else None,
            url=_field(data, "url", str),
            thumbnail_url=thumb if isinstance(thumb, str) else None,
        )

    @classmethod
    def list_from_json(cls, data: Any) -> tuple[Attachment, ...]:
        """A message's ``attachments``: absent (an older relay) is none."""
        if data is None:
            return ()
        if not isinstance(data, list):
            raise ProtocolError("malformed attachments in server data")
        return tuple(cls.from_json(item) for item in data)

    @property
    def is_image(self) -> bool:
        """An image the relay can preview (it has dimensions and a thumbnail)."""
        return self.width is not None and self.height is not None

    def to_json(self) -> dict[str, Any]:
        """The relay's shape."""
        return {
            "id": self.id,
            "hash": self.hash,
            "name": self.name,
            "size": self.size,
            "type": self.type,
            "width": self.width,
            "height": self.height,
            "url": self.url,
            "thumbnail_url": self.thumbnail_url,
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
    #: The largest file upload the relay takes (None: an older relay, without files).
    max_file_bytes: int | None = None

    @classmethod
    def from_json(cls, data: Any) -> ServerInfo:
        """Parse the relay's config document."""
        if not isinstance(data, dict) or not isinstance(data.get("pusher"), dict):
            raise ProtocolError("this server does not look like a desktopchat relay")
        pusher = data["pusher"]
        host, port, cluster = pusher.get("host"), pusher.get("port"), pusher.get("cluster")
        directory = data.get("directory_channel")
        max_file = data.get("max_file_bytes")
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
            max_file_bytes=max_file if type(max_file) is int else None,
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
        if self.max_file_bytes is not None:
            data["max_file_bytes"] = self.max_file_bytes
        return data


@dataclass(frozen=True, slots=True)
class ChangePage:
    """Messages edited or deleted since a room's change counter; ``until`` is the next one."""

    messages: tuple[Message, ...]
    until: int
    has_more: bool


@dataclass(frozen=True, slots=True)
class AroundPage:
    """A message and its neighbours, oldest first; whether more lie before and after."""

    messages: tuple[Message, ...]
    has_more: bool
    has_more_after: bool


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
