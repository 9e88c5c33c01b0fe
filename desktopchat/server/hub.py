"""The hub's runtime: the protocol core plus the live sockets it acts on.

Each socket gets an outgoing queue drained by its own writer task, so one slow reader never
stalls a fan-out to everyone else; a reader that falls too far behind is disconnected with
4100 (reconnect after back-off) and catches up from history like any other reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp import web

from desktopchat.server import frames
from desktopchat.server.actions import Action, Close, Deliver, Webhook
from desktopchat.server.core import CLOSE_GOING_AWAY, ChannelsCore
from desktopchat.server.credentials import AppCredentials
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
    #: Frames queued for one socket before it counts as too slow and is disconnected.
    max_queued_frames: int = 2000
    #: The relay to mount under ``/api/`` (triggering into this very hub), if any.
    relay: RelayConfig | None = None
    #: Sockets accepted before new ones are told to come back later (4100); None: no cap.
    #: Set below the open-files limit so the HTTP API always has descriptors left.
    max_connections: int | None = None


@dataclass(frozen=True, slots=True)
class _CloseRequest:
    code: int
    reason: str


class Peer:
    """One WebSocket's outgoing side: an ordered queue and the task that writes it."""

    def __init__(self, ws: web.WebSocketResponse, max_queued: int) -> None:
        self._ws = ws
        self._max_queued = max_queued
        self._queue: deque[str | _CloseRequest] = deque()
        self._ready = asyncio.Event()
        self._closing = False
        self._task = asyncio.create_task(self._write_loop())

    def send(self, frame: str) -> None:
        """Queue ``frame``; a reader too far behind is told to back off and disconnected."""
        if self._closing:
            return
        if len(self._queue) >= self._max_queued:
            self._queue.clear()
            self._queue.append(frames.error("Too slow to keep up; reconnect", CLOSE_GOING_AWAY))
            self.close(CLOSE_GOING_AWAY, "Too slow to keep up")
            return
        self._queue.append(frame)
        self._ready.set()

    def close(self, code: int, reason: str) -> None:
        """Close after everything queued so far has been written."""
        if not self._closing:
            self._closing = True
            self._queue.append(_CloseRequest(code, reason))
            self._ready.set()

    async def wait_closed(self) -> None:
        """Wait until the writer has finished (after a close, or the socket going away)."""
        await asyncio.shield(self._task)

    async def stop(self) -> None:
        """The socket is gone: stop writing."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _write_loop(self) -> None:
        ws = self._ws
        try:
            while True:
                await self._ready.wait()
                self._ready.clear()
                while self._queue:
                    item = self._queue.popleft()
                    if isinstance(item, _CloseRequest):
                        await ws.close(code=item.code, message=item.reason.encode())
                        return
                    await ws.send_str(item)
        except (ConnectionError, RuntimeError) as exc:
            # The peer vanished mid-write; its handler sees the close and cleans up.
            log.debug("write to socket failed: %s", exc)


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

    def attach(self, socket_id: str, ws: web.WebSocketResponse) -> Peer:
        """Register the socket the core just opened as ``socket_id``."""
        peer = Peer(ws, self.config.max_queued_frames)
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
                for socket_id in action.socket_ids:
                    peer = peers.get(socket_id)
                    if peer is not None:
                        peer.send(frame)
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
