"""Connections that never finish their request head are closed, and count towards the cap."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from desktopchat.server.credentials import AppCredentials
from desktopchat.server.runner import HubThread
from tests.hub_peers import server_library
from tests.inbox import WAIT
from tests.integration.raw_client import RawClient


@pytest.fixture
def tcp() -> Iterator[Callable[[int], socket.socket]]:
    """Open plain TCP connections to a port; all closed afterwards."""
    opened: list[socket.socket] = []

    def connect(port: int) -> socket.socket:
        opened.append(socket.create_connection(("127.0.0.1", port), timeout=WAIT))
        return opened[-1]

    yield connect
    for sock in opened:
        sock.close()


def closed_by_server(sock: socket.socket) -> bool:
    """Block (up to WAIT) until the server closes ``sock``; False if it never does."""
    try:
        return sock.recv(65536) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET /api/config HTTP/1.1\r\n", b"GET /app/key?protocol=7 HTTP/1.1\r\nHost: x"],
    ids=["silent", "request-line-only", "headers-unfinished"],
)
def test_connections_without_a_complete_request_head_are_closed(
    start_hub: Callable[..., HubThread],
    credentials: AppCredentials,
    tcp: Callable[[int], socket.socket],
    sent: bytes,
) -> None:
    hub = start_hub(header_timeout=0.5)
    websocket = RawClient(hub.port, credentials.key)
    try:
        websocket.socket_id()
        slow = tcp(hub.port)
        for byte in sent:  # dribbled, a byte at a time
            slow.send(bytes([byte]))
        assert closed_by_server(slow), "the hub kept a connection with no request head"
        # A connection that did make its request (a WebSocket) is left alone.
        websocket.send({"event": "pusher:ping", "data": {}})
        websocket.expect("pusher:pong")
    finally:
        websocket.close()


def test_connections_without_a_request_count_towards_max_connections(
    start_hub: Callable[..., HubThread],
    credentials: AppCredentials,
    tcp: Callable[[int], socket.socket],
) -> None:
    hub = start_hub(max_connections=2, header_timeout=60)
    first = RawClient(hub.port, credentials.key)
    try:
        first.socket_id()
        tcp(hub.port)  # silent: holds a descriptor like a WebSocket would
        refused = RawClient(hub.port, credentials.key)
        try:
            assert refused.expect("pusher:error")["data"]["code"] == 4100
            assert refused.expect_close() == 4100
        finally:
            refused.close()
        rest = server_library(hub.port, credentials)
        assert rest.channels_info() == {"channels": {}}
    finally:
        first.close()
