"""A relay-enabled hub that can be restarted, and two signed-up users on it.

Used by the client integration tests and the window-notification tests; registered for
the whole suite in tests/conftest.py (``pytest_plugins``), so neither copies it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
