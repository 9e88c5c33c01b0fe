"""One WebSocket's outgoing side: an ordered queue, its writer task, and a bound on both.

A client that stops reading (a TCP zero window) leaves the writer awaiting ``drain()``
forever, and a polite close queued behind that write never goes out. So the hub never
waits on such a client: once the bytes it has not taken (queued here plus buffered in the
transport) pass :attr:`Peer.max_bytes`, or a requested close has not completed within
:attr:`Peer.close_timeout`, the transport is aborted. That frees the socket at once, the
handler sees the connection end and the core forgets it; a client that was merely slow
reconnects and catches up from history like after any other drop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass

from aiohttp import web

log = logging.getLogger(__name__)

#: What one queued frame costs beyond its text (the deque slot, the tuple), so that a flood
#: of tiny frames is bounded too.
FRAME_OVERHEAD = 64


@dataclass(frozen=True, slots=True)
class _CloseRequest:
    code: int
    reason: str


class Peer:
    """Writes frames to one socket in order; drops the socket if it stops taking them.

    Args:
        ws: the prepared WebSocket.
        transport: its TCP transport, the thing to abort (None once the peer vanished).
        max_bytes: bytes the client may leave unread before it is dropped.
        close_timeout: seconds a requested close may take before the transport is aborted.
    """

    def __init__(
        self,
        ws: web.WebSocketResponse,
        transport: asyncio.BaseTransport | None,
        *,
        max_bytes: int,
        close_timeout: float,
    ) -> None:
        self._ws = ws
        self._transport = transport
        self.max_bytes = max_bytes
        self.close_timeout = close_timeout
        self._queue: deque[tuple[str, int] | _CloseRequest] = deque()
        self._queued_bytes = 0
        self._ready = asyncio.Event()
        self._closing = False
        self._deadline: asyncio.TimerHandle | None = None
        self._task = asyncio.create_task(self._write_loop())

    @property
    def unsent_bytes(self) -> int:
        """Bytes given to this peer and not yet taken by the client's TCP stack."""
        buffered = 0
        transport = self._transport
        if isinstance(transport, asyncio.WriteTransport) and not transport.is_closing():
            buffered = transport.get_write_buffer_size()
        return self._queued_bytes + buffered

    def send(self, frame: str, size: int) -> None:
        """Queue ``frame`` (``size`` bytes of UTF-8); a client too far behind is dropped."""
        if self._closing:
            return
        cost = size + FRAME_OVERHEAD
        if self.unsent_bytes + cost > self.max_bytes:
            log.info("dropping a client that left over %d bytes unread", self.max_bytes)
            self.abort()
            return
        self._queue.append((frame, cost))
        self._queued_bytes += cost
        self._ready.set()

    def close(self, code: int, reason: str) -> None:
        """Close after what is queued so far; abort if that takes over ``close_timeout``."""
        if self._closing:
            return
        self._closing = True
        self._queue.append(_CloseRequest(code, reason))
        self._ready.set()
        self._deadline = asyncio.get_running_loop().call_later(self.close_timeout, self.abort)

    def abort(self) -> None:
        """Drop the connection now, unsent frames included: nothing waits on the client."""
        self._closing = True
        self._queue.clear()
        self._queued_bytes = 0
        if isinstance(self._transport, asyncio.WriteTransport):
            self._transport.abort()

    async def wait_closed(self) -> None:
        """Wait until the writer has finished (after a close, or the socket going away)."""
        await asyncio.shield(self._task)

    async def stop(self) -> None:
        """The socket is gone: stop writing."""
        if self._deadline is not None:
            self._deadline.cancel()
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
                    frame, cost = item
                    self._queued_bytes -= cost
                    await ws.send_str(frame)
        except (ConnectionError, RuntimeError) as exc:
            # The peer vanished mid-write; its handler sees the close and cleans up.
            log.debug("write to socket failed: %s", exc)
