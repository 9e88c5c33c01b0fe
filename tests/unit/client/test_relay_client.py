"""RelayClient against real HTTP servers: the relay's errors become the client's error tree.

The relay is the real one (a hub with its relay on port 0); "not a relay" is the hub
without one, and a plain ``http.server`` answering HTML or foreign JSON.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from desktopchat.client.errors import (
    AuthenticationError,
    ProtocolError,
    RateLimitedError,
    RelayError,
    RelayUnreachableError,
)
from desktopchat.client.relay_client import RelayClient
from desktopchat.server.runner import HubThread
from tests.unit.client.conftest import PASSWORD


@pytest.fixture
def client_for() -> Iterator[Callable[..., RelayClient]]:
    """RelayClients for any URL, closed after the test."""
    clients: list[RelayClient] = []

    def make(url: str, token: str | None = None) -> RelayClient:
        client = RelayClient(url, token)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def alice(relay_url: str, client_for: Callable[..., RelayClient]) -> RelayClient:
    """A client logged in as alice, a new user of the relay."""
    client = client_for(relay_url)
    client.register("alice", PASSWORD)
    client.login("alice", PASSWORD)
    return client


@pytest.fixture
def plain_server() -> Iterator[Callable[[int, str, bytes], str]]:
    """Start HTTP servers that answer every request with one status, type and body."""
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(status: int, content_type: str, body: bytes) -> str:
        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_DELETE = answer  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join()


def free_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# ---------------------------------------------------------------------------- the relay


def test_a_relay_answers_with_its_config_and_logs_in(
    relay_url: str, client_for: Callable[..., RelayClient]
) -> None:
    client = client_for(relay_url)
    info = client.server_info()
    assert info.auth_endpoint == "/api/pusher/auth"
    client.register("alice", PASSWORD)
    token, user = client.login("alice", PASSWORD)
    assert client.token == token
    assert user.username == "alice"
    assert client_for(relay_url, token).me() == user


def test_a_wrong_password_is_an_authentication_error(
    relay_url: str, client_for: Callable[..., RelayClient]
) -> None:
    client = client_for(relay_url)
    client.register("alice", PASSWORD)
    with pytest.raises(AuthenticationError) as caught:
        client.login("alice", "wrong password")
    error = caught.value
    assert error.status == 401
    assert error.code == "invalid_credentials"
    assert not error.transient
    assert "password" in str(error).lower()
    assert client.token is None


def test_a_revoked_token_is_an_authentication_error(alice: RelayClient) -> None:
    token = alice.token
    alice.logout()
    with pytest.raises(AuthenticationError):
        RelayClient(alice.server_url, token).me()


def throttle(client: RelayClient) -> RateLimitedError:
    """Fail alice's login until the relay throttles it; the 429's error."""
    client.register("alice", PASSWORD)
    for _ in range(10):
        try:
            client.login("alice", "wrong password")
        except RateLimitedError as exc:
            return exc
        except AuthenticationError:
            continue
    raise AssertionError("ten wrong passwords in a row were never throttled")


def test_repeated_wrong_passwords_are_rate_limited(
    relay_url: str, client_for: Callable[..., RelayClient]
) -> None:
    error = throttle(client_for(relay_url))
    assert isinstance(error, RelayError)
    assert error.status == 429
    assert error.code == "too_many_attempts"
    assert error.transient
    assert error.retry_after > 0


def test_retry_after_is_the_wait_the_relay_asks_for(
    relay_url: str, client_for: Callable[..., RelayClient]
) -> None:
    """The message says "retry in N s"; ``retry_after`` (what the UI counts down) agrees."""
    error = throttle(client_for(relay_url))
    said = re.search(r"retry in (\d+) s", str(error))
    assert said is not None, str(error)
    assert abs(error.retry_after - int(said.group(1))) <= 2, (error.retry_after, str(error))


def test_text_over_the_limit_is_a_permanent_413(alice: RelayClient) -> None:
    with pytest.raises(RelayError) as caught:
        alice.send("general", "x" * 9000, "dc-too-large")
    error = caught.value
    assert type(error) is RelayError
    assert error.status == 413
    assert error.code == "text_too_large"
    assert not error.transient
    assert "8192" in str(error)


def test_an_unknown_room_is_a_permanent_error(alice: RelayClient) -> None:
    with pytest.raises(RelayError) as caught:
        alice.send("no-such-room", "hello", "dc-1")
    assert caught.value.status == 404
    assert not caught.value.transient


# --------------------------------------------------------------------------- no answer


def test_nothing_listening_is_unreachable_and_transient(
    client_for: Callable[..., RelayClient],
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RelayUnreachableError) as caught:
        client_for(url).server_info()
    error = caught.value
    assert error.transient
    assert error.status == 0
    assert url in str(error)
    assert isinstance(error.__cause__, Exception)


# -------------------------------------------------------------------------- not a relay


def test_a_hub_without_a_relay_is_not_mistaken_for_one(
    hub: HubThread, client_for: Callable[..., RelayClient]
) -> None:
    url = f"http://127.0.0.1:{hub.port}"
    with pytest.raises((ProtocolError, RelayError)) as caught:
        client_for(url).server_info()
    message = str(caught.value)
    assert url in message or "relay" in message, f"unclear: {message!r}"


def test_the_hubs_pusher_api_path_is_not_a_relay(
    relay_hub: HubThread, client_for: Callable[..., RelayClient]
) -> None:
    url = f"http://127.0.0.1:{relay_hub.port}/apps"
    with pytest.raises((ProtocolError, RelayError)) as caught:
        client_for(url).server_info()
    message = str(caught.value)
    assert url in message or "relay" in message, f"unclear: {message!r}"


def test_a_web_page_is_a_protocol_error(
    plain_server: Callable[[int, str, bytes], str], client_for: Callable[..., RelayClient]
) -> None:
    url = plain_server(200, "text/html", b"<!doctype html><title>Welcome to nginx!</title>")
    with pytest.raises(ProtocolError) as caught:
        client_for(url).server_info()
    assert url in str(caught.value)
    assert "non-JSON" in str(caught.value)


def test_an_html_error_page_is_a_relay_error_with_its_status(
    plain_server: Callable[[int, str, bytes], str], client_for: Callable[..., RelayClient]
) -> None:
    url = plain_server(404, "text/html", b"<html><body><h1>404 Not Found</h1></body></html>")
    with pytest.raises(RelayError) as caught:
        client_for(url).server_info()
    assert caught.value.status == 404
    assert not caught.value.transient
    assert url in str(caught.value)


@pytest.mark.parametrize(
    "body", [b"{}", b'{"ok": true}', b"[]", b"null", b'"text"', b'{"pusher": "yes"}']
)
def test_foreign_json_config_is_a_protocol_error(
    plain_server: Callable[[int, str, bytes], str],
    client_for: Callable[..., RelayClient],
    body: bytes,
) -> None:
    url = plain_server(200, "application/json", body)
    with pytest.raises(ProtocolError, match="relay"):
        client_for(url).server_info()


#: JSON that is not the relay's: no members, an array, members of the wrong kinds.
FOREIGN = (
    b"{}",
    b"[]",
    b'{"messages": 3, "has_more": false, "rooms": 1, "user": [], "until": "soon"}',
)
#: Answers right but for one member, per call.
ALMOST = {"changes": [b'{"messages": [], "has_more": false, "until": "soon"}']}

CALLS: dict[str, Callable[[RelayClient], object]] = {
    "register": lambda c: c.register("alice", PASSWORD),
    "login": lambda c: c.login("alice", PASSWORD),
    "me": lambda c: c.me(),
    "rooms": lambda c: c.rooms(),
    "create_room": lambda c: c.create_room("new"),
    "send": lambda c: c.send("general", "hi", "dc-1"),
    "history": lambda c: c.history("general"),
    "changes": lambda c: c.changes("general", 0),
    "edit": lambda c: c.edit("general", 1, "hi"),
    "delete": lambda c: c.delete("general", 1),
    "pusher_auth": lambda c: c.pusher_auth("1.2", "private-room-general"),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_foreign_json_answers_are_protocol_errors_never_key_or_type_errors(
    plain_server: Callable[[int, str, bytes], str],
    client_for: Callable[..., RelayClient],
    call: str,
) -> None:
    problems = []
    for body in (*FOREIGN, *ALMOST.get(call, [])):
        client = client_for(plain_server(200, "application/json", body), "some-token")
        try:
            CALLS[call](client)
        except ProtocolError:
            continue
        except Exception as exc:  # the point: nothing else may escape
            problems.append(f"{body!r}: {type(exc).__name__} {exc}")
        else:
            problems.append(f"{body!r}: accepted from a server that is not a relay")
    assert not problems, f"{call}: " + "; ".join(problems)
