"""A relay-enabled hub that can be restarted, two signed-up users on it, fast retries.

Used by the client integration tests and the window-notification tests; registered for
the whole suite in tests/conftest.py (``pytest_plugins``), so neither copies it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktopchat.client import backoff
from desktopchat.server.credentials import AppCredentials
from tests.integration.client.helpers import Account, RestartableHub, signup


@pytest.fixture
def hub_server(credentials: AppCredentials, tmp_path: Path) -> Iterator[RestartableHub]:
    """A relay-enabled hub that a test can stop and start again on the same port and data."""
    server = RestartableHub(credentials, tmp_path / "hub-data")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def alice(hub_server: RestartableHub) -> Iterator[Account]:
    """The user whose sessions the tests open."""
    account = signup(hub_server.url, "alice")
    yield account
    account.client.close()


@pytest.fixture
def bob(hub_server: RestartableHub) -> Iterator[Account]:
    """Another user, writing through the relay's HTTP API."""
    account = signup(hub_server.url, "bob")
    yield account
    account.client.close()


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry delays of 50-250 ms, so reconnect and outbox tests do not wait out seconds."""
    monkeypatch.setattr(backoff, "BACKOFF_BASE", 0.05)
    monkeypatch.setattr(backoff, "BACKOFF_CAP", 0.25)
