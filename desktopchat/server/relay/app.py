"""Mounting the relay: into the hub's application, or as an application of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from desktopchat.server import http_errors
from desktopchat.server.relay import (
    api_accounts,
    api_dms,
    api_files,
    api_health,
    api_pusher,
    api_reactions,
    api_read_state,
    api_rooms,
    api_search,
    client_address,
    seed_bridge,
    seed_compat,
    seed_page,
)
from desktopchat.server.relay.service import RELAY, Relay, RelayConfig

#: Largest relay request body; message text is limited far below this, with a clear 413.
MAX_BODY_BYTES = 256 * 1024


def install(app: web.Application, config: RelayConfig) -> Relay:
    """Add the relay's routes and lifetime to ``app`` (the hub's, or a standalone one)."""
    relay = Relay(config)
    app[RELAY] = relay
    if config.trusted_proxies:
        app.middlewares.append(client_address.middleware(config.trusted_proxies))
    api_accounts.add_routes(app)
    api_rooms.add_routes(app)
    api_files.add_routes(app)
    api_dms.add_routes(app)
    api_reactions.add_routes(app)
    api_pusher.add_routes(app)
    api_health.add_routes(app)
    api_read_state.add_routes(app)
    api_search.add_routes(app)
    if config.seed_compat:
        seed_compat.add_routes(app)
        seed_page.add_routes(app)
    app.cleanup_ctx.append(_lifetime)
    return relay


async def _lifetime(app: web.Application) -> AsyncIterator[None]:
    relay = app[RELAY]
    upstream = relay.config.upstream
    if upstream is not None:
        await relay.start(upstream)
    if relay.config.seed_compat:
        await seed_bridge.ensure_room(relay)
    yield
    await relay.close()


def make_standalone_app(config: RelayConfig) -> web.Application:
    """The relay on its own, in front of Pusher Channels or another compatible server."""
    if config.upstream is None:
        raise ValueError("a standalone relay needs its upstream Pusher app")
    app = web.Application(middlewares=[http_errors.json_errors], client_max_size=MAX_BODY_BYTES)
    install(app, config)
    return app
