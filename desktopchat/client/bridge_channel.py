"""The pysher channel of :class:`~desktopchat.client.realtime.RealtimeBridge`.

Its own module because it subclasses pysher's ``Channel``: importing pysher (with
requests and websocket-client) is left until the bridge first connects, after the window's
first paint, instead of happening whenever :mod:`.realtime` is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pysher.channel import Channel


class BridgeChannel(Channel):  # type: ignore[misc]  # pysher is untyped
    """A pysher channel that hands every event to the bridge, not only bound names.

    ``handlers`` answers every event name (the bridge's ``_Handlers`` has a fallback).
    """

    def __init__(
        self, name: str, connection: Any, handlers: Mapping[str, Callable[[Any], None]]
    ) -> None:
        super().__init__(name, connection)
        self._handlers = handlers

    def _handle_event(self, event_name: str, data: Any) -> None:
        self._handlers[event_name](data)
