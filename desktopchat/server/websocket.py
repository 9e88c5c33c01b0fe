"""The WebSocket endpoint ``/app/{key}``: frames between aiohttp and the protocol core."""

from __future__ import annotations

import asyncio
import re

from aiohttp import WSMsgType, web

from desktopchat.server import frames, limits
from desktopchat.server.connection_guard import GUARD
from desktopchat.server.core import (
    CLOSE_APP_NOT_FOUND,
    CLOSE_GOING_AWAY,
    CLOSE_INVALID_VERSION,
    CLOSE_NO_PROTOCOL,
    CLOSE_UNSUPPORTED_PROTOCOL,
)
from desktopchat.server.hub import Hub

HUB = web.AppKey("hub", Hub)

#: aiohttp's own frame ceiling; the core answers frames over 32 KB with ``pusher:error``.
_MAX_WS_MESSAGE = 1024 * 1024
#: A protocol version as clients send it: ASCII digits only (``str.isdigit`` also accepts
#: '²', which ``int()`` refuses, and 5,000 digits exceed ``int()``'s limit).
_PROTOCOL_VERSION = re.compile(r"\A[0-9]{1,3}\Z")


def refusal(hub: Hub, key: str, protocol: str | None, pending: int = 0) -> tuple[int, str] | None:
    """Why a connection must be refused before it starts, as ``(code, message)``, or None.

    ``pending`` connections (no request head yet) hold descriptors too, so they count.
    """
    cap = hub.config.max_connections
    if cap is not None and hub.core.connection_count + pending >= cap:
        return CLOSE_GOING_AWAY, "Over capacity; reconnect later"
    if key != hub.config.credentials.key:
        return CLOSE_APP_NOT_FOUND, f"App key {key[:64]} not in this cluster"
    if not protocol:
        return CLOSE_NO_PROTOCOL, "No protocol version supplied"
    if _PROTOCOL_VERSION.match(protocol) is None:
        return CLOSE_INVALID_VERSION, f"Invalid protocol version {protocol[:16]!a}"
    if int(protocol) not in limits.SUPPORTED_PROTOCOLS:
        return CLOSE_UNSUPPORTED_PROTOCOL, f"Unsupported protocol version {protocol}"
    return None


async def handle(request: web.Request) -> web.StreamResponse:
    """Serve one client connection until either side closes it."""
    hub = request.app[HUB]
    ws = web.WebSocketResponse(autoping=False, max_msg_size=_MAX_WS_MESSAGE)
    try:
        await ws.prepare(request)
    except ConnectionResetError:
        # The client gave up during the handshake (a desktop client dropping a connection
        # it no longer wants): not an error. aiohttp finds the transport gone when it writes
        # this placeholder and ends the request quietly.
        return web.Response()
    guard = request.app.get(GUARD)
    pending = guard.pending if guard is not None else 0
    refused = refusal(hub, request.match_info["key"], request.query.get("protocol"), pending)
    if refused is not None:
        code, message = refused
        await ws.send_str(frames.error(message, code))
        await ws.close(code=code, message=message.encode())
        return ws

    loop = asyncio.get_running_loop()
    core = hub.core
    socket_id, greeting = core.open(loop.time())
    peer = hub.attach(socket_id, ws, request.transport)
    hub.perform(greeting)
    try:
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                hub.perform(core.receive(socket_id, msg.data, loop.time()))
            elif msg.type is WSMsgType.PING:
                core.activity(socket_id, loop.time())
                await ws.pong(msg.data)
            elif msg.type is WSMsgType.PONG:
                core.activity(socket_id, loop.time())
            elif msg.type is WSMsgType.BINARY:
                error = frames.error("Malformed frame: binary frames are not supported", None)
                peer.send(error, len(error))
    finally:
        hub.detach(socket_id)
        await peer.stop()
    return ws
