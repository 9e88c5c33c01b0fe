"""The relay's JSON API over the standard library: one kept connection, proxies, no requests.

Against the real relay (a hub on port 0). Why the JSON API does not use requests is in
:mod:`desktopchat.client.relay_http`; these tests hold it to what requests gave.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from desktopchat.client.errors import RelayError, RelayUnreachableError
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.relay_http import RelayConnection
from desktopchat.server.runner import HubThread
from tests.unit.client.conftest import PASSWORD

REPO = Path(__file__).resolve().parents[3]


def _local_port(client: RelayClient) -> int:
    """The client-side port of the client's open connection to the relay."""
    connection = client._direct._connection if client._direct else None
    assert connection is not None
    assert connection.sock is not None
    port: int = connection.sock.getsockname()[1]
    return port


def test_calls_share_one_connection_while_the_relay_keeps_it(relay_url: str) -> None:
    client = RelayClient(relay_url)
    try:
        client.register("alice", PASSWORD)
        client.login("alice", PASSWORD)
        first = _local_port(client)
        assert client.me().username == "alice"
        client.create_room("ops")
        assert client.me().username == "alice"
        assert _local_port(client) == first
    finally:
        client.close()


def test_a_relay_restarted_between_calls_is_reached_again(
    relay_hub: HubThread, relay_url: str
) -> None:
    client = RelayClient(relay_url)
    try:
        client.register("alice", PASSWORD)
        client.login("alice", PASSWORD)
        before = _local_port(client)
        port = relay_hub.port
        relay_hub.stop()  # the kept connection is closed by the relay going away
        again = HubThread(replace(relay_hub.config, port=port))
        again.start()
        try:
            assert client.me().username == "alice"  # on a new connection, no error
            assert _local_port(client) != before
        finally:
            again.stop()
        with pytest.raises(RelayUnreachableError, match="cannot reach"):
            client.me()  # nobody listens now: the error the client always gave
    finally:
        client.close()


@pytest.fixture
def dead_proxy() -> Iterator[str]:
    """A proxy address that accepts connections and closes them at once."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    server.close()


def test_a_proxy_in_the_environment_is_honoured_as_requests_did(
    relay_url: str, dead_proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", dead_proxy)
    proxied = RelayClient(relay_url)
    try:
        with pytest.raises(RelayUnreachableError, match="cannot reach"):
            proxied.server_info()  # it went to the proxy, which hung up
    finally:
        proxied.close()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    direct = RelayClient(relay_url)
    try:
        assert direct.server_info().key  # the relay itself is exempt: reached directly
    finally:
        direct.close()


CHILD = """
import json, sys
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.relay_http import RelayConnection
client = RelayClient(sys.argv[1])
client.register("bob", sys.argv[2])
client.login("bob", sys.argv[2])
client.server_info(); client.me(); client.create_room("ops")
rooms = client.rooms(); client.history("ops", limit=50); client.changes("ops", since=0)
client.close()
print(json.dumps({"rooms": [r.name for r in rooms], "requests": "requests" in sys.modules}))
"""


def test_a_first_starts_calls_do_not_import_requests(relay_url: str) -> None:
    """Importing requests and urllib3 costs ~85 ms that a first start's paint waits for."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", CHILD, relay_url, PASSWORD],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert "ops" in answer["rooms"]
    assert answer["requests"] is False


def test_a_token_with_a_line_break_is_refused_before_a_connection_is_opened() -> None:
    """A pasted token with a newline must not split the request into a second one; nothing
    reaches the relay, and the error does not repeat the token (errors are logged)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        client = RelayClient(url, token="abc\r\nX-Injected: 1")
        try:
            with pytest.raises(RelayError, match="not sent to") as refused:
                client.me()
        finally:
            client.close()
        assert not isinstance(refused.value, RelayUnreachableError)
        assert "abc" not in str(refused.value)
        with pytest.raises(BlockingIOError):  # no connection is waiting to be accepted
            listener.accept()


@pytest.mark.parametrize(
    ("url", "port"),
    [("http://[::1]", 80), ("https://[2001:db8::1]", 443), ("http://[::1]:7002", 7002)],
)
def test_an_ipv6_address_without_a_port_gets_the_schemes_port(url: str, port: int) -> None:
    """http.client would read the last ":1" of a bare "::1" as the port."""
    connection = RelayConnection(url, None, connect_timeout=1, read_timeout=1)
    host = url.partition("[")[2].partition("]")[0]
    assert (connection._host, connection._port) == (host, port)


@pytest.mark.parametrize("url", ["http://host:99999", "http://host:abc"])
def test_a_server_address_with_a_bad_port_is_a_clear_error(url: str) -> None:
    """As with requests: the client is made, and its first call says the relay is not
    reachable there (no ValueError, no traceback from a half-made client)."""
    client = RelayClient(url)
    try:
        with pytest.raises(RelayUnreachableError, match="cannot reach"):
            client.me()
    finally:
        client.close()


@pytest.fixture
def redirecting() -> Iterator[tuple[str, list[str]]]:
    """A server answering every request with 308 to another host; the paths it saw."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(308)
            self.send_header("Location", "https://elsewhere.example/api/me")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_redirect_is_not_followed_and_says_where_to(
    redirecting: tuple[str, list[str]],
) -> None:
    """The token is never sent on to another address; the error names the one to use."""
    url, seen = redirecting
    client = RelayClient(url, token="secret-token")
    try:
        with pytest.raises(RelayError, match=r"elsewhere\.example") as refused:
            client.me()
    finally:
        client.close()
    assert refused.value.code == "redirected"
    assert seen == ["/api/me"]
