"""Encoding and parsing of Pusher protocol frames.

Server-to-client frames double-encode ``data``: it is a JSON *string* for
``pusher:connection_established``, every ``pusher_internal:*`` event and channel events
(pysher calls ``json.loads`` on it), but an *object* for ``pusher:error`` (pysher looks up
``data["code"]``). Getting this wrong silently breaks private channels in pysher.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def dumps(value: object) -> str:
    """Compact JSON, as every frame is sent."""
    return _compact(value)


def connection_established(socket_id: str, activity_timeout: int) -> str:
    """The first frame of every connection."""
    data = dumps({"socket_id": socket_id, "activity_timeout": activity_timeout})
    return dumps({"event": "pusher:connection_established", "data": data})


def error(message: str, code: int | None) -> str:
    """``pusher:error``; ``data`` is an object here, unlike every other event."""
    return dumps({"event": "pusher:error", "data": {"code": code, "message": message}})


PING = dumps({"event": "pusher:ping", "data": {}})
PONG = dumps({"event": "pusher:pong", "data": {}})


def internal(event: str, channel: str, payload: object) -> str:
    """A ``pusher_internal:*`` event with JSON-string ``data``."""
    return dumps({"event": event, "channel": channel, "data": dumps(payload)})


def subscription_error(channel: str, message: str, status: int) -> str:
    """``pusher:subscription_error`` in soketi's shape, which pusher-js understands."""
    data = {"type": "AuthError", "error": message, "status": status}
    return dumps({"event": "pusher:subscription_error", "channel": channel, "data": data})


def channel_event(channel: str, event: str, data: str, user_id: str | None = None) -> str:
    """A channel event; ``data`` is passed through as the string it already is."""
    frame: dict[str, str] = {"event": event, "channel": channel, "data": data}
    if user_id is not None:
        frame["user_id"] = user_id
    return dumps(frame)


class FrameError(ValueError):
    """A client frame that is not a Pusher protocol message; the text is sent back to it."""


@dataclass(frozen=True, slots=True)
class ClientFrame:
    """A parsed client-to-server frame."""

    event: str
    channel: str | None
    data: Any


def parse_client_frame(text: str) -> ClientFrame:
    """Parse one text frame from a client; raise :class:`FrameError` saying what is wrong."""
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        raise FrameError("Malformed frame: not JSON") from None
    if not isinstance(message, dict):
        raise FrameError("Malformed frame: expected a JSON object")
    event = message.get("event")
    if not isinstance(event, str) or not event:
        raise FrameError("Malformed frame: missing 'event'")
    channel = message.get("channel")
    if channel is not None and not isinstance(channel, str):
        raise FrameError("Malformed frame: 'channel' must be a string")
    return ClientFrame(event=event, channel=channel, data=message.get("data"))
