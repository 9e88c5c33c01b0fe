"""The hub's runtime: the protocol core plus the live sockets it acts on.

Each socket gets an outgoing queue drained by its own writer task (:mod:`.peer`), so one
slow reader never stalls a fan-out to everyone else; a reader that leaves more than
``max_queued_bytes`` unread is cut off and catches up from history like any other reconnect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp import web

from desktopchat.server.actions import Action, Close, Deliver, Webhook
from desktopchat.server.core import ChannelsCore
from desktopchat.server.credentials import AppCredentials
from desktopchat.server.peer import Peer
from desktopchat.server.relay.service import RelayConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HubConfig:
    """Everything a hub needs to run; built by the CLI or by tests."""

    credentials: AppCredentials
    host: str = "127.0.0.1"
    port: int = 6001
    #: Seconds of client silence before the hub pings (advertised to clients).
    activity_timeout: int = 120
    #: Seconds a pinged client has to answer before it is dropped with 4201.
    pong_timeout: float = 30.0
    #: Bytes one socket may leave unread (queued, or in its transport's buffer) before it
    #: counts as too slow and is cut off: the hub's memory per client is bounded by this.
    max_queued_bytes: int = 1024 * 1024
    #: Seconds a close may take (the client must read up to the close frame) before the
    #: connection is aborted instead.
    close_timeout: float = 5.0
    #: The relay to mount under ``/api/`` (triggering into this very hub), if any.
    relay: RelayConfig | None = None
    #: Sockets accepted before new ones are told to come back later (4100); None: no cap.
    #: Set below the open-files limit so the HTTP API always has descriptors left.
    max_connections: int | None = None
    #: Seconds a new connection has to send a complete request head (slowloris guard).
    header_timeout: float = 10.0


class Hub:
    """Shared by the WebSocket and HTTP layers: applies the core's actions to real sockets."""

    def __init__(self, config: HubConfig) -> None:
        self.config = config
        self.core = ChannelsCore(
            config.credentials,
            activity_timeout=config.activity_timeout,
            pong_timeout=config.pong_timeout,
        )
        self._peers: dict[str, Peer] = {}

    def attach(
        self,
        socket_id: str,
        ws: web.WebSocketResponse,
        transport: asyncio.BaseTransport | None,
    ) -> Peer:
        """Register the socket the core just opened as ``socket_id``."""
        config = self.config
        peer = Peer(
            ws, transport, max_bytes=config.max_queued_bytes, close_timeout=config.close_timeout
        )
        self._peers[socket_id] = peer
        return peer

    def detach(self, socket_id: str) -> Peer | None:
        """Forget a socket that closed, and let the core tell the others (member_removed...)."""
        peer = self._peers.pop(socket_id, None)
        self.perform(self.core.closed(socket_id))
        return peer

    def perform(self, actions: Iterable[Action]) -> None:
        """Carry out the core's actions: queue frames, request closes."""
        peers = self._peers
        for action in actions:
            if isinstance(action, Deliver):
                frame = action.frame
                size = len(frame.encode())
                for socket_id in action.socket_ids:
                    peer = peers.get(socket_id)
                    if peer is not None:
                        peer.send(frame, size)
            elif isinstance(action, Close):
                peer = peers.get(action.socket_id)
                if peer is not None:
                    peer.close(action.code, action.reason)
            elif isinstance(action, Webhook):
                log.debug("webhook %s (no receiver configured)", action.event.get("name"))

    async def shut_down(self, timeout: float = 5.0) -> None:
        """Send every client ``pusher:error`` 4100 and close it, waiting for the writes."""
        peers = list(self._peers.values())
        self.perform(self.core.shutdown())
        if peers:
            await asyncio.wait(
                [asyncio.ensure_future(p.wait_closed()) for p in peers], timeout=timeout
            )

    async def tick_forever(self, interval: float) -> None:
        """Drive the core's idle-connection pings and pong timeouts."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(interval)
            self.perform(self.core.tick(loop.time()))
