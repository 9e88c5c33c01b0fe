"""Running a hub: in the foreground until a signal (``desktopchat serve``) or in a thread.

The thread form is what tests and benchmarks use to get a real hub on port 0 without a
subprocess; the app itself starts its embedded hub as a separate process.
"""

from __future__ import annotations

import asyncio
import signal
import ssl
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from aiohttp import web

from desktopchat.server.app import make_app
from desktopchat.server.connection_guard import GUARD, HEADER_TIMEOUT, ConnectionGuard
from desktopchat.server.hub import Hub, HubConfig
from desktopchat.server.relay.app import make_standalone_app
from desktopchat.server.relay.publisher import Upstream
from desktopchat.server.relay.service import RELAY, Relay, RelayConfig
from desktopchat.server.websocket import HUB

if TYPE_CHECKING:  # cryptography loads only for a hub that serves TLS
    from desktopchat.server.tls import ServerTls

#: Seconds aiohttp waits for open handlers after the goodbye frames went out.
_SHUTDOWN_TIMEOUT = 3.0
#: Seconds an HTTP connection may sit idle between requests (aiohttp's default is an hour).
_KEEPALIVE_TIMEOUT = 30.0
#: Longest request line (aiohttp's default is 8190 bytes). A search query longer than the
#: relay accepts must still reach it, to be answered with a JSON ``query_too_long`` rather
#: than aiohttp's plain-text 400: 10,000 characters, percent-encoded UTF-8, fit in this.
_MAX_REQUEST_LINE = 128 * 1024

#: Loop turns an accepted connection takes to be set up far enough to be shut down cleanly.
_SETUP_TURNS = 3

RunningT = TypeVar("RunningT", bound="RunningServer")


class RunningServer:
    """A started aiohttp application: where it listens, and how to stop it (from its loop)."""

    def __init__(
        self, runner: web.AppRunner, host: str, port: int, tls: ServerTls | None = None
    ) -> None:
        self._runner = runner
        self.host = host
        self.port = port
        #: The certificate served, when it serves TLS (its fingerprint goes in the ready line).
        self.tls = tls

    @property
    def url(self) -> str:
        """Base HTTP URL: ``https://`` when serving TLS."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    async def stop(self) -> None:
        """Run the app's shutdown (the hub says goodbye with 4100), then close the port."""
        await _stop_accepting(self._runner)
        await self._runner.cleanup()


async def _stop_accepting(runner: web.BaseRunner) -> None:
    """Stop taking connections, and let those just taken be set up, before the port closes.

    asyncio hands an accepted socket to a task that builds its transport a loop turn later;
    if the server is closed in that turn, the transport's attach fails silently and the
    socket leaks (CPython gh-109564, open). And aiohttp's shutdown only wakes a handler
    already waiting for its request: one not started yet holds the stop for the whole
    shutdown timeout. So the listening readers go first (no accept runs after this), then
    three turns: the transport is attached, aiohttp makes its handler, the handler starts
    waiting. The shutdown then closes these connections with the rest, at once.
    """
    loop = asyncio.get_running_loop()
    for site in runner.sites:
        server = getattr(site, "_server", None)  # aiohttp keeps the asyncio.Server here
        for sock in getattr(server, "sockets", ()):
            try:
                loop.remove_reader(sock.fileno())
            except NotImplementedError:  # Windows' proactor loop accepts without readers
                return
    for _ in range(_SETUP_TURNS):
        await asyncio.sleep(0)


class RunningHub(RunningServer):
    """A started hub."""

    @property
    def hub(self) -> Hub:
        """The runtime state, for tests that look inside (counts, channels)."""
        return self._runner.app[HUB]

    @property
    def ws_url(self) -> str:
        """Base WebSocket URL, as printed in the ready line."""
        return f"{'wss' if self.tls else 'ws'}://{self.host}:{self.port}"

    @property
    def relay(self) -> Relay | None:
        """The relay mounted under ``/api/``, if any, for tests that look inside."""
        return self._runner.app.get(RELAY)


async def listen(
    app: web.Application,
    host: str,
    port: int,
    header_timeout: float = HEADER_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on ``host:port`` (0 picks a free port); return its runner and the port.

    Connections that send no complete request head within ``header_timeout`` are closed;
    with ``ssl_context`` it serves TLS.
    """
    guard = ConnectionGuard(header_timeout)
    app[GUARD] = guard
    app.cleanup_ctx.append(guard.sweeping)
    runner = web.AppRunner(
        app,
        handle_signals=False,
        shutdown_timeout=_SHUTDOWN_TIMEOUT,
        access_log=None,
        keepalive_timeout=_KEEPALIVE_TIMEOUT,
        max_line_size=_MAX_REQUEST_LINE,
    )
    await runner.setup()
    guard.attach(runner.server)  # type: ignore[arg-type]  # set by setup()
    try:
        await web.TCPSite(runner, host, port, ssl_context=ssl_context).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner, int(runner.addresses[0][1])


async def start(config: HubConfig, tls: ServerTls | None = None) -> RunningHub:
    """Start a hub (over TLS with ``tls``); ``config.port`` 0 picks a free port."""
    runner, port = await listen(
        make_app(config),
        config.host,
        config.port,
        config.header_timeout,
        ssl_context=tls.context if tls else None,
    )
    relay = runner.app.get(RELAY)
    if relay is not None and config.relay is not None and config.relay.upstream is None:
        # The embedded relay triggers into this hub through the pusher library, over HTTP,
        # exactly as it would into Pusher Channels: local mode tests the production path.
        # Over TLS it pins the hub's own certificate (it may be self-signed, and loopback
        # is rarely one of its names).
        creds = config.credentials
        upstream = Upstream(
            creds.app_id,
            creds.key,
            creds.secret,
            host=_loopback(config.host),
            port=port,
            tls=tls is not None,
            fingerprint=tls.fingerprint if tls else None,
        )
        await relay.start(upstream)
    return RunningHub(runner, config.host, port, tls)


async def start_relay(
    config: RelayConfig, host: str, port: int, tls: ServerTls | None = None
) -> RunningServer:
    """Start a standalone relay in front of ``config.upstream`` (over TLS with ``tls``)."""
    runner, bound = await listen(
        make_standalone_app(config), host, port, ssl_context=tls.context if tls else None
    )
    return RunningServer(runner, host, bound, tls)


def _loopback(host: str) -> str:
    """An address of this machine that reaches a server listening on ``host``."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - comparing, not binding
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def serve_forever(
    starter: Callable[[], Awaitable[RunningT]], on_ready: Callable[[RunningT], None]
) -> None:
    """Start a server, call ``on_ready`` once it listens, and run until SIGINT or SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        running = await starter()
        try:
            on_ready(running)
            await stop.wait()
        finally:
            await running.stop()

    asyncio.run(main())


async def _finish_tasks() -> None:
    """Cancel what is left on a stopped server's loop, as ``asyncio.run`` does on its way
    out: a TLS connection accepted as the hub stopped is still in its handshake, in a task
    of asyncio's own that aiohttp never saw ("Task was destroyed but it is pending")."""
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)


class HubThread:
    """A hub on its own event loop in a daemon thread; ``start()`` returns once it listens."""

    def __init__(self, config: HubConfig, tls: ServerTls | None = None) -> None:
        self.config = config
        self.tls = tls
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="hub", daemon=True)
        self._running: RunningHub | None = None

    @property
    def running(self) -> RunningHub:
        """The started hub; raises if :meth:`start` was not called."""
        if self._running is None:
            raise RuntimeError("hub not started")
        return self._running

    @property
    def port(self) -> int:
        """The port actually bound."""
        return self.running.port

    def start(self, timeout: float = 10.0) -> RunningHub:
        """Start the loop thread and the hub on it."""
        self._thread.start()
        self._running = asyncio.run_coroutine_threadsafe(
            start(self.config, self.tls), self._loop
        ).result(timeout)
        return self._running

    def call(self, fn: Callable[[], object], timeout: float = 10.0) -> object:
        """Run ``fn`` on the hub's loop (the core is not thread-safe) and return its result."""

        async def run() -> object:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the hub (clients get 4100) and its loop thread; a second call does nothing."""
        if self._loop.is_closed():
            return
        if self._running is not None:
            asyncio.run_coroutine_threadsafe(self._running.stop(), self._loop).result(timeout)
            self._running = None
        asyncio.run_coroutine_threadsafe(_finish_tasks(), self._loop).result(timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        self._loop.close()
