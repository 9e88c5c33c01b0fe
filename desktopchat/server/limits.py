"""Pusher Channels' documented limits and name rules, in one place.

The hub enforces the same limits as Pusher itself so that an app developed against the
embedded hub does not break when pointed at Pusher Channels.
"""

from __future__ import annotations

import re

#: Largest event ``data`` Pusher accepts, in bytes of UTF-8 (HTTP API answers 413 above it).
MAX_EVENT_DATA_BYTES = 10 * 1024
#: Channels one ``events`` call may target.
MAX_TRIGGER_CHANNELS = 100
#: Events one ``batch_events`` call may carry.
MAX_BATCH_EVENTS = 10
#: Longest channel name (pusher-http-python, soketi and sockudo accept 200).
MAX_CHANNEL_NAME = 200
#: Longest event name.
MAX_EVENT_NAME = 200
#: Client events each connection may send per second before they are refused (code 4301).
CLIENT_EVENTS_PER_SECOND = 10
#: Members a presence channel may hold, and the size of one member's ``channel_data``.
MAX_PRESENCE_MEMBERS = 100
MAX_PRESENCE_MEMBER_BYTES = 2 * 1024
#: Largest WebSocket text frame the core parses; bigger ones get ``pusher:error``.
MAX_CLIENT_FRAME_BYTES = 32 * 1024
#: Protocol versions served: pysher speaks 6, pusher-js 7; 5 differs only in naming.
SUPPORTED_PROTOCOLS = frozenset({5, 6, 7})

PRIVATE_PREFIX = "private-"
ENCRYPTED_PREFIX = "private-encrypted-"
PRESENCE_PREFIX = "presence-"
CLIENT_EVENT_PREFIX = "client-"
#: A signed-in user's own channel: pusher-js subscribes to it after ``pusher:signin_success``
#: and the server libraries' ``sendToUser``/``send_to_user`` trigger on it.
SERVER_TO_USER_PREFIX = "#server-to-user-"

_CHANNEL_NAME = re.compile(r"\A[A-Za-z0-9_\-=@,.;]+\Z")
_SOCKET_ID = re.compile(r"\A\d+\.\d+\Z")
#: pusher-http-python's ``server_to_user_channel_re``: the user id uses channel-name characters.
_SERVER_TO_USER = re.compile(r"\A#server-to-user-[A-Za-z0-9_\-=@,.;]+\Z")


def is_valid_channel_name(name: object) -> bool:
    """Whether ``name`` is a channel name Pusher would accept."""
    return (
        isinstance(name, str)
        and len(name) <= MAX_CHANNEL_NAME
        and _CHANNEL_NAME.match(name) is not None
        and not name.startswith("#")
    )


def is_server_to_user(name: object) -> bool:
    """Whether ``name`` is a ``#server-to-user-{user_id}`` channel."""
    return (
        isinstance(name, str)
        and len(name) <= MAX_CHANNEL_NAME
        and _SERVER_TO_USER.match(name) is not None
    )


def server_to_user_channel(user_id: str) -> str:
    """The channel ``sendToUser(user_id, ...)`` triggers on."""
    return SERVER_TO_USER_PREFIX + user_id


def is_valid_event_name(name: object) -> bool:
    """Whether ``name`` is a non-empty event name within Pusher's length limit."""
    return isinstance(name, str) and 0 < len(name) <= MAX_EVENT_NAME


def is_valid_socket_id(socket_id: object) -> bool:
    """Whether ``socket_id`` has the ``digits.digits`` shape the client libraries require."""
    return isinstance(socket_id, str) and _SOCKET_ID.match(socket_id) is not None


def is_private(channel: str) -> bool:
    """Private channels (including encrypted ones) need a signature to subscribe."""
    return channel.startswith(PRIVATE_PREFIX)


def is_presence(channel: str) -> bool:
    """Presence channels need a signature over the member's ``channel_data`` too."""
    return channel.startswith(PRESENCE_PREFIX)


def is_encrypted(channel: str) -> bool:
    """End-to-end encrypted channels: the hub passes payloads through untouched."""
    return channel.startswith(ENCRYPTED_PREFIX)


def needs_auth(channel: str) -> bool:
    """Whether subscribing to ``channel`` requires an HMAC signature."""
    return is_private(channel) or is_presence(channel)


def frame_too_large(text: str) -> bool:
    """Whether a client frame exceeds :data:`MAX_CLIENT_FRAME_BYTES` of UTF-8.

    Encoding is skipped for frames too short to exceed the limit even at 4 bytes a character.
    """
    if len(text) * 4 <= MAX_CLIENT_FRAME_BYTES:
        return False
    return len(text) > MAX_CLIENT_FRAME_BYTES or len(text.encode()) > MAX_CLIENT_FRAME_BYTES


def data_too_large(data: str) -> bool:
    """Whether ``data`` exceeds Pusher's 10 KB event limit (counted in UTF-8 bytes)."""
    return len(data) > MAX_EVENT_DATA_BYTES or len(data.encode()) > MAX_EVENT_DATA_BYTES
