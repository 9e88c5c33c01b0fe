"""Which hop of X-Forwarded-For a relay believes (pure logic of ``client_address``)."""

from __future__ import annotations

import pytest

from desktopchat.server.relay.client_address import client_address, parse_networks

BALANCERS = parse_networks(["10.0.0.0/8", "fd00::/8"])


@pytest.mark.parametrize(
    ("peer", "header", "believed"),
    [
        ("10.0.0.5", ["203.0.113.7"], "203.0.113.7"),  # through the balancer
        ("10.0.0.5", ["198.51.100.1, 203.0.113.7"], "203.0.113.7"),  # a forged left part
        ("10.0.0.5", ["203.0.113.7, 10.0.0.9"], "203.0.113.7"),  # two balancers
        ("10.0.0.5", ["203.0.113.7", "10.0.0.9"], "203.0.113.7"),  # two headers, in order
        ("10.0.0.5", ["10.1.1.1, 10.0.0.9"], "10.1.1.1"),  # all trusted: the leftmost
        ("10.0.0.5", ["not-an-ip, 203.0.113.7"], "203.0.113.7"),
        ("10.0.0.5", ["203.0.113.7, garbage"], "10.0.0.5"),  # the balancer's own hop is bad
        ("10.0.0.5", [], "10.0.0.5"),  # the balancer itself (a health check)
        ("::ffff:10.0.0.5", ["203.0.113.7"], "203.0.113.7"),  # IPv4 on a dual-stack socket
        ("fd00::1", ["2001:db8::7"], "2001:db8::7"),
        ("192.0.2.1", ["203.0.113.7"], "192.0.2.1"),  # not a balancer: the header is ignored
        (None, ["203.0.113.7"], "unknown"),
    ],
)
def test_the_nearest_untrusted_hop_is_the_client(
    peer: str | None, header: list[str], believed: str
) -> None:
    assert client_address(peer, header, BALANCERS) == believed


def test_without_trusted_proxies_the_peer_is_always_the_client() -> None:
    assert client_address("10.0.0.5", ["203.0.113.7"], ()) == "10.0.0.5"


def test_a_bad_network_is_named() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33' is not an IP address or network"):
        parse_networks(["10.0.0.0/8", "10.0.0.0/33"])
