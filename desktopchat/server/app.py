"""The aiohttp application: WebSocket endpoint and HTTP API on one port, as Pusher serves them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from desktopchat.server import http_api, http_errors, websocket
from desktopchat.server.hub import Hub, HubConfig
from desktopchat.server.relay import app as relay_app
from desktopchat.server.websocket import HUB


def make_app(config: HubConfig) -> web.Application:
    """Build the hub's application for ``config`` (not yet listening)."""
    app = web.Application(
        middlewares=[http_errors.json_errors], client_max_size=http_api.MAX_BODY_BYTES
    )
    hub = Hub(config)
    app[HUB] = hub
    app.router.add_get("/app/{key}", websocket.handle)
    http_api.add_routes(app)
    if config.relay is not None:
        relay_app.install(app, config.relay)
    app.cleanup_ctx.append(_ticking)
    app.on_shutdown.append(_say_goodbye)
    return app


async def _ticking(app: web.Application) -> AsyncIterator[None]:
    """Run the idle-ping timer for the app's lifetime."""
    hub = app[HUB]
    interval = max(0.05, min(hub.config.activity_timeout, hub.config.pong_timeout) / 4)
    task = asyncio.create_task(hub.tick_forever(interval))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _say_goodbye(app: web.Application) -> None:
    """Before aiohttp drops connections: 4100 to every client so it returns after a back-off."""
    await app[HUB].shut_down()
