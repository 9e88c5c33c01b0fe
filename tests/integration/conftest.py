"""Fixtures for the relay: a relay-enabled hub on port 0, an HTTP API helper, pysher clients.

Everything is real: the hub with its relay mounted under ``/api/`` (triggering into the hub
through the ``pusher`` library over HTTP), ``requests`` for the API, pysher for events.
Subscriptions to rooms' channels are authorized by the relay (``POST /api/pusher/auth`` with
the user's Bearer token); the pysher clients here never hold the app secret.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pysher.channel
import pytest
import requests

from desktopchat.server.credentials import AppCredentials
from desktopchat.server.hub import HubConfig
from desktopchat.server.relay.database import PostgresSettings
from desktopchat.server.relay.service import RelayConfig
from desktopchat.server.runner import HubThread
from tests.conftest import PysherClient
from tests.inbox import WAIT, Inbox

PASSWORD = "correct horse battery"
SUCCEEDED = "pusher_internal:subscription_succeeded"
SUB_ERROR = "pusher:subscription_error"


@dataclass(frozen=True)
class Api:
    """The relay's HTTP API at ``base``, as one user (``token``) or anonymously."""

    base: str
    token: str | None = None
    user: dict[str, Any] | None = None

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """``requests.request`` against ``base + path`` with this user's Bearer token."""
        headers = dict(kwargs.pop("headers", {}))
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return requests.request(method, self.base + path, headers=headers, timeout=WAIT, **kwargs)

    def as_token(self, token: str | None) -> Api:
        """The same API with another token (or none)."""
        return replace(self, token=token, user=None)

    def register(self, username: str, password: str = PASSWORD, **fields: Any) -> requests.Response:
        """``POST /api/users``."""
        return self.call(
            "POST", "/api/users", json={"username": username, "password": password, **fields}
        )

    def login(self, username: str, password: str = PASSWORD) -> requests.Response:
        """``POST /api/sessions``."""
        return self.call("POST", "/api/sessions", json={"username": username, "password": password})

    def signed_up(self, username: str, **fields: Any) -> Api:
        """Register ``username`` and log in; the API as that user."""
        registered = self.register(username, **fields)
        assert registered.status_code == 201, registered.text
        session = self.login(username)
        assert session.status_code == 201, session.text
        body = session.json()
        return replace(self, token=body["token"], user=body["user"])

    def send(
        self, text: str, *, client_id: str | None = None, room: str = "general"
    ) -> requests.Response:
        """``POST /api/rooms/{room}/messages`` (a fresh ``client_id`` unless given)."""
        body = {"text": text, "client_id": client_id or uuid.uuid4().hex}
        return self.call("POST", f"/api/rooms/{room}/messages", json=body)

    def sent(self, text: str, **kwargs: Any) -> dict[str, Any]:
        """Send and return the stored message, asserting 201."""
        response = self.send(text, **kwargs)
        assert response.status_code == 201, response.text
        message: dict[str, Any] = response.json()
        return message

    def history(
        self,
        room: str = "general",
        *,
        after: int | None = None,
        before: int | None = None,
        limit: int | None = None,
    ) -> requests.Response:
        """``GET /api/rooms/{room}/messages`` with ``after``/``before``/``limit``."""
        given = {"after": after, "before": before, "limit": limit}
        params = {name: value for name, value in given.items() if value is not None}
        return self.call("GET", f"/api/rooms/{room}/messages", params=params)

    def pusher_auth(self, socket_id: str, channel: str) -> requests.Response:
        """``POST /api/pusher/auth`` with the form pusher-js posts."""
        return self.call(
            "POST", "/api/pusher/auth", data={"socket_id": socket_id, "channel_name": channel}
        )


def error_of(response: requests.Response, status: int) -> dict[str, str]:
    """Assert ``status`` and the one error shape ``{"error": {"code", "message"}}``."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, str] = body["error"]
    assert set(error) == {"code", "message"}, body
    assert isinstance(error["code"], str), body
    assert isinstance(error["message"], str), body
    assert error["code"], body
    assert error["message"], body
    return error


def base_url(hub: HubThread) -> str:
    """The hub's HTTP base URL, where its relay is mounted."""
    return f"http://127.0.0.1:{hub.port}"


@pytest.fixture
def start_hub(hub_config: HubConfig) -> Iterator[Callable[..., HubThread]]:
    """Start hubs (no relay) with some settings changed; each is stopped after the test."""
    hubs: list[HubThread] = []

    def start(**changes: Any) -> HubThread:
        thread = HubThread(replace(hub_config, **changes))
        hubs.append(thread)
        thread.start()
        return thread

    yield start
    for thread in hubs:
        thread.stop()


#: Every store the relay has; the relay's API suite (tests/integration/test_relay_*.py) runs
#: on each, unless a module names fewer with ``pytestmark = pytest.mark.relay_stores(...)``.
RELAY_STORES = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each relay API test once per store (``relay_database`` chooses it)."""
    if "relay_database" not in metafunc.fixturenames:
        return
    if not metafunc.module.__name__.rpartition(".")[2].startswith("test_relay_"):
        return
    marker = metafunc.definition.get_closest_marker("relay_stores")
    stores = marker.args if marker is not None else RELAY_STORES
    metafunc.parametrize("relay_database", stores, indirect=True)


@pytest.fixture
def relay_database(request: pytest.FixtureRequest) -> PostgresSettings | None:
    """The relay's store: None for SQLite in the data dir, or a fresh PostgreSQL database.

    Outside the relay's API suite (client and window tests) it is SQLite, as embedded.
    """
    if getattr(request, "param", "sqlite") == "sqlite":
        return None
    server = request.getfixturevalue("postgres")
    return server.settings(server.emptied_database())


@pytest.fixture
def start_relay_hub(
    hub_config: HubConfig, tmp_path: Path, relay_database: PostgresSettings | None
) -> Iterator[Callable[..., HubThread]]:
    """Start hubs with the relay mounted (on the test's store); each stopped after the test."""
    hubs: list[HubThread] = []

    def start(
        *,
        seed_compat: bool = False,
        seed_room: str | None = None,
        data_dir: Path | None = None,
        local_login: bool = False,
        **config: Any,
    ) -> HubThread:
        relay = RelayConfig(
            data_dir=data_dir or tmp_path / "hub",
            seed_compat=seed_compat,
            local_login=local_login,
            database=relay_database,
            **config,
        )
        if seed_room is not None:
            relay = replace(relay, seed_room=seed_room)
        thread = HubThread(replace(hub_config, relay=relay))
        hubs.append(thread)
        thread.start()
        return thread

    yield start
    for thread in hubs:
        thread.stop()


@pytest.fixture
def relay_hub(start_relay_hub: Callable[..., HubThread]) -> HubThread:
    """A hub on port 0 with its relay at ``/api/`` (no seed compatibility)."""
    return start_relay_hub()


@pytest.fixture
def api(relay_hub: HubThread) -> Api:
    """The relay hub's API, anonymous (``signed_up`` gives a user's)."""
    return Api(base_url(relay_hub))


@pytest.fixture
def relay_pysher(
    relay_hub: HubThread, credentials: AppCredentials
) -> Iterator[Callable[..., PysherClient]]:
    """pysher clients of the relay hub (or of ``port``), without the app secret."""
    clients: list[PysherClient] = []

    def make(port: int | None = None, **kwargs: Any) -> PysherClient:
        client = PysherClient(credentials.key, port or relay_hub.port, secret="", **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def watch_room(client: PysherClient, api: Api, channel: str, *events: str) -> dict[str, Inbox]:
    """On every connect, subscribe to a private ``channel`` with auth from the relay.

    A refused authorization lands in the ``SUB_ERROR`` inbox as ``{"relay_status", "body"}``.
    """
    inboxes = {name: Inbox() for name in (SUCCEEDED, SUB_ERROR, *events)}

    def subscribe() -> None:
        response = api.pusher_auth(client.socket_id, channel)
        if response.status_code != 200:
            inboxes[SUB_ERROR].put({"relay_status": response.status_code, "body": response.text})
            return
        subscription = client.pusher.subscribe(channel, auth=response.json()["auth"])
        for name, inbox in inboxes.items():
            subscription.bind(name, inbox.put)

    client.on_connect(subscribe)
    return inboxes


def watch_presence(client: PysherClient, api: Api, channel: str, *events: str) -> dict[str, Inbox]:
    """Subscribe to a presence ``channel`` with the relay's auth *and* its channel_data.

    pysher would send its own channel_data (pusher-protocol.md §3), so the subscribe frame is
    sent by hand and the Channel object registered for pysher to dispatch its events.
    """
    inboxes = {name: Inbox() for name in (SUCCEEDED, SUB_ERROR, *events)}

    def subscribe() -> None:
        response = api.pusher_auth(client.socket_id, channel)
        if response.status_code != 200:
            inboxes[SUB_ERROR].put({"relay_status": response.status_code, "body": response.text})
            return
        auth = response.json()
        subscription = pysher.channel.Channel(channel, client.pusher.connection)
        for name, inbox in inboxes.items():
            subscription.bind(name, inbox.put)
        client.pusher.channels[channel] = subscription
        client.pusher.connection.send_event(
            "pusher:subscribe",
            {"channel": channel, "auth": auth["auth"], "channel_data": auth["channel_data"]},
        )

    client.on_connect(subscribe)
    return inboxes


def wait_subscribed(inboxes: dict[str, Inbox], what: str) -> Any:
    """Wait for ``subscription_succeeded``; the failure names any error that came instead."""
    try:
        return inboxes[SUCCEEDED].wait_count(1, what)[0]
    except AssertionError as exc:
        raise AssertionError(f"{exc}; errors: {inboxes[SUB_ERROR].items!r}") from None


def listen_room(
    client: PysherClient, api: Api, *events: str, room: str = "general"
) -> dict[str, Inbox]:
    """Connect ``client`` subscribed (authorized by the relay) to ``room``'s private channel."""
    inboxes = watch_room(client, api, f"private-room-{room}", *events)
    client.connect()
    wait_subscribed(inboxes, f"subscription to room {room}")
    return inboxes


def events_of(inbox: Inbox, n: int, what: str = "") -> list[Any]:
    """The first ``n`` events' decoded data, once at least ``n`` arrived."""
    return [json.loads(data) for data in inbox.wait_count(n, what)[:n]]
