"""Connections that never finish a request head (slowloris) are closed, and counted meanwhile.

aiohttp waits as long as a client likes for the request line and headers, whether they are
dribbled a byte at a time or never sent at all, and such a connection holds a descriptor
the WebSocket cap never saw. The guard wraps the server's request factory, which aiohttp
calls once a request head is complete, to learn which connections have made a request;
the others are aborted once they are ``header_timeout`` old, and until then
:attr:`ConnectionGuard.pending` counts them towards ``max_connections``. Idle keep-alive
connections after a request are aiohttp's own ``keepalive_timeout``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger(__name__)

#: Seconds a new connection has to send a complete request line and headers.
HEADER_TIMEOUT = 10.0


class ConnectionGuard:
    """Tracks one server's connections; closes those without a request head in time."""

    def __init__(self, header_timeout: float = HEADER_TIMEOUT) -> None:
        self.header_timeout = header_timeout
        self._server: web.Server | None = None
        self._requested: set[RequestHandler] = set()
        self._first_seen: dict[RequestHandler, float] = {}

    def attach(self, server: web.Server) -> None:
        """Watch ``server`` (a runner's, once set up)."""
        self._server = server
        make_request = server.request_factory

        def request_factory(message: Any, payload: Any, protocol: Any, *rest: Any) -> Any:
            self._requested.add(protocol)
            self._first_seen.pop(protocol, None)
            return make_request(message, payload, protocol, *rest)

        server.request_factory = request_factory

    @property
    def pending(self) -> int:
        """Open connections that have not completed a request head yet."""
        if self._server is None:
            return 0
        return sum(1 for h in self._server.connections if h not in self._requested)

    def sweep(self, now: float) -> None:
        """Abort connections older than ``header_timeout`` without a request; forget the gone."""
        if self._server is None:
            return
        connections = self._server.connections
        alive = set(connections)
        self._requested &= alive
        self._first_seen = {h: t for h, t in self._first_seen.items() if h in alive}
        for handler in connections:
            if handler in self._requested:
                continue
            first = self._first_seen.setdefault(handler, now)
            if now - first >= self.header_timeout and handler.transport is not None:
                log.info("closing a connection that sent no request for %.0f s", now - first)
                handler.transport.abort()

    async def sweeping(self, app: web.Application) -> AsyncIterator[None]:
        """``cleanup_ctx`` entry: sweep for the application's lifetime."""
        interval = min(1.0, self.header_timeout / 4)

        async def sweep_forever() -> None:
            loop = asyncio.get_running_loop()
            while True:
                await asyncio.sleep(interval)
                self.sweep(loop.time())

        task = asyncio.create_task(sweep_forever())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


GUARD = web.AppKey("connection_guard", ConnectionGuard)
