"""What the protocol core asks its I/O layer to do: deliver frames, close sockets, send webhooks.

The core never touches a socket; it returns these. Keeping them as plain frozen data is what
lets ``tests/unit`` drive the whole protocol with no network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Deliver:
    """Send one already-encoded text frame to each of ``socket_ids`` (encoded once for fan-out)."""

    frame: str
    socket_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Close:
    """Close ``socket_id`` with WebSocket close ``code``, after any frames queued before it."""

    socket_id: str
    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class Webhook:
    """One webhook event (``channel_occupied``, ``member_added``...) for a configured receiver."""

    event: Mapping[str, Any]


Action = Deliver | Close | Webhook
