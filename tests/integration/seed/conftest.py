"""Fixtures for the seed bridge: a hub in seed mode, a desktop user, the seed's channel.

Everything is real: the hub with its relay (``seed_compat=True``) on port 0, the relay's
HTTP API with ``requests``, and pysher listening on ``test_channel`` as the seed page does
(public, no auth), and on the room's private channel as the desktop app does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from desktopchat.server.credentials import AppCredentials
from desktopchat.server.runner import HubThread
from tests.conftest import PysherClient
from tests.inbox import WAIT, Inbox
from tests.integration.conftest import SUCCEEDED, Api, base_url

SEED_CHANNEL = "test_channel"
SEED_EVENT = "message_event"


@pytest.fixture
def seed_hub(start_relay_hub: Callable[..., HubThread]) -> HubThread:
    """A hub on port 0 with its relay in seed mode, bridged to ``general``."""
    return start_relay_hub(seed_compat=True)


@pytest.fixture
def seed_api(seed_hub: HubThread) -> Api:
    """The seed hub's relay API, anonymous."""
    return Api(base_url(seed_hub))


@pytest.fixture
def alice(seed_api: Api) -> Api:
    """A desktop user of the seed hub, shown as "Alice"."""
    return seed_api.signed_up("alice", display_name="Alice")


def seed_post(hub: HubThread, message: str | None, **fields: str) -> requests.Response:
    """What the seed page sends: a form POST to ``/AJAX_save/send``."""
    form = dict(fields)
    if message is not None:
        form["message"] = message
    return requests.post(f"{base_url(hub)}/AJAX_save/send", data=form, timeout=WAIT)


def seed_history(hub: HubThread, **params: str) -> requests.Response:
    """``GET /AJAX_save/history``, as the served page loads it."""
    return requests.get(f"{base_url(hub)}/AJAX_save/history", params=params, timeout=WAIT)


@pytest.fixture
def listen_seed(
    credentials: AppCredentials,
) -> Iterator[Callable[[HubThread], Inbox]]:
    """Subscribe a pysher client to ``test_channel`` as the seed page does; decoded events."""
    clients: list[PysherClient] = []

    def listen(hub: HubThread) -> Inbox:
        client = PysherClient(credentials.key, hub.port)
        clients.append(client)
        succeeded, received = Inbox(), Inbox()

        def subscribe() -> None:
            channel = client.pusher.subscribe(SEED_CHANNEL)
            channel.bind(SUCCEEDED, succeeded.put)
            channel.bind(SEED_EVENT, lambda data: received.put(json.loads(data)))

        client.on_connect(subscribe)
        client.connect()
        succeeded.wait_count(1, "subscription to test_channel")
        return received

    yield listen
    for client in clients:
        client.close()


def payloads(inbox: Inbox, n: int, what: str = "") -> list[dict[str, Any]]:
    """The first ``n`` seed events, once ``n`` arrived."""
    return list(inbox.wait_count(n, what)[:n])


# ``desktopchat send`` and ``tail`` processes, as the client tests start them.
from tests.integration.client.conftest import cli, cli_env  # noqa: E402, F401
