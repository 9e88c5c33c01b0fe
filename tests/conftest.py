"""Fixtures shared by every test: an isolated DESKTOPCHAT_HOME, a real hub on port 0, clients.

Clients are the real libraries a user would point at the hub: pysher (receiving) and
pusher-http-python (triggering). Nothing here is a mock.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pusher
import pysher
import pytest

from desktopchat.server.credentials import AppCredentials, generate
from desktopchat.server.hub import HubConfig
from desktopchat.server.runner import HubThread
from tests.hub_peers import server_library
from tests.inbox import WAIT
from tests.qt_platform import use_laptop_screen

# Before any QApplication: offscreen windows on a laptop-sized screen (tests/qt_platform.py).
use_laptop_screen(os.environ)

pytest_plugins = [
    "tests.chat_fixtures",
    "tests.integration.tls_fixtures",
    "tests.postgres_server",
]


@pytest.fixture(autouse=True)
def desktopchat_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes under its own DESKTOPCHAT_HOME, never the user's real directories.

    The XDG data and config homes move there too, so launcher and autostart entries a test
    writes never reach the real desktop; and windows do not offer to install the launcher
    entry (a test that wants the offer removes the variable).
    """
    home = tmp_path / "home"
    monkeypatch.setenv("DESKTOPCHAT_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("DESKTOPCHAT_OFFER_DESKTOP_ENTRY", "0")
    return home


@pytest.fixture
def credentials() -> AppCredentials:
    """Fresh app credentials for one test's hub."""
    return generate()


@pytest.fixture
def hub_config(credentials: AppCredentials) -> HubConfig:
    """A hub on a free loopback port (tests may ``dataclasses.replace`` timeouts)."""
    return HubConfig(credentials=credentials, port=0)


@pytest.fixture
def hub(hub_config: HubConfig) -> Iterator[HubThread]:
    """A real hub, listening, on its own event loop thread; stopped after the test."""
    thread = HubThread(hub_config)
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture
def rest(hub: HubThread, credentials: AppCredentials) -> pusher.Pusher:
    """The official Python server library, pointed at the hub."""
    return server_library(hub.port, credentials)


class PysherClient:
    """A real pysher connection with the project's pitfall workarounds applied.

    ``on_connect`` runs on every ``pusher:connection_established`` (first connect and each
    reconnect), which is where subscriptions must be (re)made: pysher's ``auto_sub`` breaks
    private channels.
    """

    def __init__(self, key: str, port: int, secret: str = "", **kwargs: object) -> None:
        self.pusher = pysher.Pusher(
            key,
            secure=False,
            custom_host="127.0.0.1",
            port=port,
            secret=secret,
            log_level=logging.WARNING,
            reconnect_interval=kwargs.pop("reconnect_interval", 1),
            **kwargs,
        )
        self.pusher.connection.socket_kwargs["ping_timeout"] = 1
        self.connected = threading.Event()
        self.connections = 0
        self.errors: list[dict[str, object]] = []
        self._on_connect: list[Callable[[], None]] = []
        self.pusher.connection.bind("pusher:connection_established", self._established)
        self.pusher.connection.bind("pusher:error", self.errors.append)

    def on_connect(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` (on pysher's thread) after every connection is established."""
        self._on_connect.append(callback)

    def _established(self, data: str) -> None:
        self.connections += 1
        for callback in self._on_connect:
            callback()
        self.connected.set()

    @property
    def socket_id(self) -> str:
        """The socket id the hub gave this connection."""
        return str(self.pusher.connection.socket_id)

    def connect(self) -> PysherClient:
        """Connect and wait until the hub greeted us (and ``on_connect`` callbacks ran)."""
        self.pusher.connect()
        assert self.connected.wait(WAIT), "pysher never got pusher:connection_established"
        return self

    def close(self) -> None:
        """Disconnect; quick because ``ping_timeout`` is 1 s (see pusher-protocol.md §4.5)."""
        self.pusher.disconnect(timeout=5)


@pytest.fixture
def pysher_client(
    hub: HubThread, credentials: AppCredentials
) -> Iterator[Callable[..., PysherClient]]:
    """Factory of pysher clients for the hub (signing locally with the app secret by default)."""
    clients: list[PysherClient] = []

    def make(*, secret: str | None = None, **kwargs: object) -> PysherClient:
        """A client; ``secret`` defaults to the app's (pysher then signs locally)."""
        client = PysherClient(
            credentials.key,
            hub.port,
            secret=credentials.secret if secret is None else secret,
            **kwargs,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
