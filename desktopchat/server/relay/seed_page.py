"""``/seed/``: the seed's web chat page, served ready to use by a relay in seed mode.

The page (``seed_static/``) is the seed's, fixed: message text goes into the page as text,
never as HTML, it loads recent history, and it offers browser notifications. Its Pusher
settings (key, WebSocket host and port or cluster, TLS) are filled in per request, so a
browser user needs nothing but the address. pusher-js comes from the package itself (the
version the compat tests pin), since a page on a local network may have no CDN to reach.
A Content-Security-Policy allows only this server's scripts and its WebSocket.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from aiohttp import web

from desktopchat.server.relay import public_address, seed_bridge
from desktopchat.server.relay.service import RELAY

#: Static files under ``/seed/``, and their content types.
STATIC = {
    "seed.js": "text/javascript",
    "seed.css": "text/css",
    "pusher.min.js": "text/javascript",
    "pusher-js.LICENCE": "text/plain",
    "pusher.min.js.LICENSE.txt": "text/plain",  # pusher.min.js's own pointer to its licence
}
_CONFIG_MARK = "{{SEED_CONFIG}}"
#: pusher-js 8 requires a cluster even when wsHost points elsewhere; it is then unused.
_PLACEHOLDER_CLUSTER = "mt1"


@cache
def _read(name: str) -> str:
    """A file of ``seed_static/`` (package data: found in a checkout and in a wheel)."""
    return (
        resources.files("desktopchat.server.relay")
        .joinpath("seed_static", name)
        .read_text(encoding="utf-8")
    )


def page_config(request: web.Request) -> dict[str, Any]:
    """What the page's script needs: pusher-js options and the endpoints, never a secret."""
    relay = request.app[RELAY]
    endpoint = relay.config.client_endpoint
    options: dict[str, Any] = {"forceTLS": endpoint.tls, "enabledTransports": ["ws", "wss"]}
    if endpoint.cluster:
        options["cluster"] = endpoint.cluster
        socket_origin = f"wss://ws-{endpoint.cluster}.pusher.com"
    else:
        host, port = public_address.websocket_address(request, endpoint)
        port = port or (443 if endpoint.tls else 80)
        options |= {"cluster": _PLACEHOLDER_CLUSTER, "wsHost": host, "wsPort": port}
        options["wssPort"] = port
        shown = f"[{host}]" if ":" in host else host
        socket_origin = f"{'wss' if endpoint.tls else 'ws'}://{shown}:{port}"
    return {
        "key": relay.publisher.upstream.key,
        "options": options,
        "channel": seed_bridge.SEED_CHANNEL,
        "event": seed_bridge.SEED_EVENT,
        "room": relay.config.seed_room,
        "sendUrl": "/AJAX_save/send",
        "historyUrl": "/AJAX_save/history",
        "socketOrigin": socket_origin,
    }


def _script_json(value: object) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` to end it early."""
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _policy(socket_origin: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {socket_origin}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


async def get_page(request: web.Request) -> web.Response:
    """The page, with this server's Pusher settings filled in."""
    config = page_config(request)
    html = _read("index.html").replace(_CONFIG_MARK, _script_json(config))
    return web.Response(
        text=html,
        content_type="text/html",
        headers={
            "Content-Security-Policy": _policy(config["socketOrigin"]),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


async def get_static(request: web.Request) -> web.Response:
    """One of the page's files (404 for anything else)."""
    name = request.match_info["name"]
    if name not in STATIC:
        raise web.HTTPNotFound()
    return web.Response(
        text=_read(name),
        content_type=STATIC[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


async def redirect_to_page(request: web.Request) -> web.Response:
    """``/seed`` → ``/seed/``, so the page's relative URLs resolve under it."""
    raise web.HTTPFound("/seed/")


def add_routes(app: web.Application) -> None:
    """Mount the page and its files."""
    app.router.add_get("/seed", redirect_to_page)
    app.router.add_get("/seed/", get_page)
    app.router.add_get("/seed/{name}", get_static)
