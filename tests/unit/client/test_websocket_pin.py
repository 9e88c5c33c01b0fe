"""Which WebSocket endpoints the relay's pinned certificate applies to."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktopchat.client.domain import ServerInfo, User
from desktopchat.client.login import Login
from desktopchat.client.session import websocket_pin

PIN = "AB:" * 31 + "CD"
USER = User.from_json(
    {"id": 1, "username": "a", "display_name": "A", "email": None, "avatar_url": "/x.svg"}
)
INFO = ServerInfo("key", "chat.lan", 6001, None, True, "/api/pusher/auth", 8192, "1")


def login(url: str, info: ServerInfo, pin: str | None = PIN) -> Login:
    return Login(url, "token", USER, info, (), pin)


@pytest.mark.parametrize(
    ("url", "host", "port", "pinned"),
    [
        ("https://chat.lan:6001", "chat.lan", 6001, True),  # the hub, as asked
        ("https://CHAT.lan:6001", "chat.lan", 6001, True),
        ("https://alias.lan:6001", "192.168.1.5", 6001, True),  # the hub's own address
        ("https://[::1]:6001", "::1", 6001, True),
        ("https://relay.lan:6002", "chat.lan", 6001, False),  # a standalone relay's upstream
        ("https://relay.lan:443", "ws.pusher.example", 443, False),
        ("http://chat.lan:6001", "chat.lan", 6001, False),  # nothing to pin on http
    ],
)
def test_the_relays_pin_covers_its_own_websocket_only(
    url: str, host: str, port: int, pinned: bool
) -> None:
    result = websocket_pin(login(url, replace(INFO, host=host, port=port)))
    assert result == (PIN if pinned else None)


def test_no_pin_no_tls_or_a_cluster_means_the_cas_decide() -> None:
    assert websocket_pin(login("https://chat.lan:6001", INFO, pin=None)) is None
    assert websocket_pin(login("https://chat.lan:6001", replace(INFO, tls=False))) is None
    cluster = replace(INFO, host=None, port=None, cluster="mt1")
    assert websocket_pin(login("https://chat.lan:6001", cluster)) is None
