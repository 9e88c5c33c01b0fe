"""Who a request really comes from when the relay sits behind a load balancer.

Several relays behind a balancer see every request arrive from the balancer's address, so
the per-address limits (the login throttle's address half, the seed page's posts and
history) would count the whole team as one client. With ``--trusted-proxy`` the relay
believes ``X-Forwarded-For`` from those addresses alone: it walks the header from the
right past trusted hops to the first address that is not one (a client cannot forge what
its own proxy appends), and sets that as ``request.remote``. A request that does not come
from a trusted address keeps its peer address, whatever headers it carries.

Written here rather than with aiohttp-remotes: its ``XForwardedStrict`` answers 400 to any
request that did not pass through every listed proxy (a health check from the balancer, an
admin on the LAN), and ``XForwardedFiltered`` believes the header from anyone.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # aiohttp loads with the server, not with ``desktopchat --help``
    from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Handler = Callable[["web.Request"], Awaitable["web.StreamResponse"]]


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``10.0.0.5``, ``10.0.0.0/8``, ``fd00::/8`` …; ValueError naming a bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"--trusted-proxy {value!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.0.0.5 is 10.0.0.5
    return mapped if mapped is not None else address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_address(
    peer: str | None, forwarded_for: list[str], networks: tuple[Network, ...]
) -> str:
    """The address to count ``peer``'s request against: ``peer`` itself unless it is a
    trusted proxy, else the nearest untrusted hop of ``X-Forwarded-For`` (its values in
    header order). A malformed hop ends the walk at the last address believed."""
    if peer is None:
        return "unknown"
    believed = _address(peer)
    if believed is None or not _trusted(believed, networks):
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        believed = address
        if not _trusted(address, networks):
            break
    return str(believed)


def middleware(networks: tuple[Network, ...]) -> Any:
    """An aiohttp middleware setting ``request.remote`` from trusted proxies' headers."""
    from aiohttp import hdrs, web  # noqa: PLC0415 - see the import at the top

    @web.middleware
    async def real_client(request: web.Request, handler: Handler) -> web.StreamResponse:
        forwarded = request.headers.getall(hdrs.X_FORWARDED_FOR, [])
        remote = client_address(request.remote, forwarded, networks)
        if remote != request.remote:
            request = request.clone(remote=remote)
        return await handler(request)

    return real_client
