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
from pathlib import Path

import pytest

from desktopchat.client.errors import RelayError, RelayUnreachableError
from desktopchat.client.relay_client import RelayClient
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


def test_a_token_with_a_line_break_is_refused_before_anything_is_sent(relay_url: str) -> None:
    """A pasted token with a newline must not split the request into a second one."""
    client = RelayClient(relay_url, token="abc\r\nX-Injected: 1")
    try:
        with pytest.raises(RelayError, match="not sent to") as refused:
            client.me()
        assert not isinstance(refused.value, RelayUnreachableError)
    finally:
        client.close()
