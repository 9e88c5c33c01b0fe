"""``--trusted-proxy``, shared by ``serve`` and ``relay``: the load balancers in front."""

from __future__ import annotations

import argparse

from desktopchat.server.relay.client_address import Network, parse_networks


def add_proxy_options(parser: argparse.ArgumentParser) -> None:
    """Register ``--trusted-proxy`` (repeatable)."""
    parser.add_argument(
        "--trusted-proxy",
        metavar="ADDRESS",
        action="append",
        default=[],
        help="a load balancer or reverse proxy (address or network, e.g. 10.0.0.0/8; "
        "repeatable) whose X-Forwarded-For names the real client, so per-address limits "
        "count people, not the balancer. Requests from anywhere else keep their own address",
    )


def trusted_proxies(args: argparse.Namespace) -> tuple[Network, ...]:
    """The ``--trusted-proxy`` networks; ValueError naming one that is not an address."""
    return parse_networks(getattr(args, "trusted_proxy", None) or [])
