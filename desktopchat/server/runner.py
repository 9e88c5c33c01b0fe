"""Running a hub: in the foreground until a signal (``desktopchat serve``) or in a thread.

The thread form is what tests and benchmarks use to get a real hub on port 0 without a
subprocess; the app itself starts its embedded hub as a separate process.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable

from aiohttp import web

from desktopchat.server.app import make_app
from desktopchat.server.hub import Hub, HubConfig
from desktopchat.server.websocket import HUB

#: Seconds aiohttp waits for open handlers after the goodbye frames went out.
_SHUTDOWN_TIMEOUT = 3.0


class RunningHub:
    """A started hub: where it listens, and how to stop it (from its own event loop)."""

    def __init__(self, runner: web.AppRunner, host: str, port: int) -> None:
        self._runner = runner
        self.host = host
        self.port = port

    @property
    def hub(self) -> Hub:
        """The runtime state, for tests that look inside (counts, channels)."""
        return self._runner.app[HUB]

    @property
    def ws_url(self) -> str:
        """Base WebSocket URL, as printed in the ready line."""
        return f"ws://{self.host}:{self.port}"

    async def stop(self) -> None:
        """Say goodbye to every client (4100), then close the port."""
        await self._runner.cleanup()


async def start(config: HubConfig) -> RunningHub:
    """Start listening; ``config.port`` 0 picks a free port, reported on the result."""
    runner = web.AppRunner(
        make_app(config), handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT, access_log=None
    )
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    port = int(runner.addresses[0][1])
    return RunningHub(runner, config.host, port)


def serve_forever(config: HubConfig, on_ready: Callable[[RunningHub], None]) -> None:
    """Run the hub until SIGINT or SIGTERM, calling ``on_ready`` once it listens."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        running = await start(config)
        try:
            on_ready(running)
            await stop.wait()
        finally:
            await running.stop()

    asyncio.run(main())


class HubThread:
    """A hub on its own event loop in a daemon thread; ``start()`` returns once it listens."""

    def __init__(self, config: HubConfig) -> None:
        self.config = config
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
        self._running = asyncio.run_coroutine_threadsafe(start(self.config), self._loop).result(
            timeout
        )
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
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        self._loop.close()
