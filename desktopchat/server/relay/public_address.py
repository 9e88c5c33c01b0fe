"""Where ``GET /api/config`` tells clients the WebSocket is: never just the ``Host`` header.

The answer may be cached (by a proxy, by a client), so echoing any ``Host`` a request
carried would let one request point others at a server of the attacker's choosing. When
an address is configured (``serve --public-url``) that is the answer; otherwise the
request's host is used only if this server really is that host (a loopback name, this
machine's name, or the address the connection arrived on), and else the arrived-on
address. The port is always the one the connection arrived on.
"""

from __future__ import annotations

import socket
from functools import cache
from urllib.parse import urlsplit

from aiohttp import web

from desktopchat.server.relay.service import ClientEndpoint

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


@cache
def _machine_names() -> frozenset[str]:
    name = socket.gethostname().lower()
    return frozenset({name, f"{name}.local"})


def endpoint_from_url(url: str) -> ClientEndpoint:
    """``--public-url``: ``http(s)://`` or ``ws(s)://`` host and optional port, nothing else."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"the public URL {url!r} has an invalid port") from None
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"the public URL must look like https://host[:port], got {url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"the public URL must be just a scheme, host and port, got {url!r}")
    return ClientEndpoint(
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[scheme],
        tls=scheme in ("https", "wss"),
    )


def websocket_address(request: web.Request, endpoint: ClientEndpoint) -> tuple[str, int | None]:
    """The host and port to tell this request's client, per the module's rules."""
    if endpoint.host:
        return endpoint.host, endpoint.port
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if not sockname:  # not a TCP connection (a test client): nothing better to go by
        return request.url.host or "127.0.0.1", request.url.port
    local_host, local_port = str(sockname[0]), int(sockname[1])
    asked = (request.url.host or "").lower().rstrip(".")
    if asked in _LOOPBACK_NAMES or asked == local_host or asked in _machine_names():
        return asked, local_port
    return local_host, local_port
