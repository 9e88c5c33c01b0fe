"""The relay as mounted in the hub: ``/api/config`` and restarts (``--seed-compat``: ``seed/``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from desktopchat.server.credentials import AppCredentials
from desktopchat.server.runner import HubThread
from tests.conftest import PysherClient
from tests.inbox import WAIT
from tests.integration.conftest import (
    Api,
    base_url,
    error_of,
    events_of,
    listen_room,
)


def test_config_tells_clients_how_to_connect_and_no_secret(
    relay_hub: HubThread, credentials: AppCredentials
) -> None:
    for host in ("127.0.0.1", "localhost"):
        response = requests.get(f"http://{host}:{relay_hub.port}/api/config", timeout=WAIT)
        assert response.status_code == 200
        config = response.json()
        assert config["pusher"] == {
            "key": credentials.key,
            "host": host,
            "port": relay_hub.port,
            "tls": False,
        }
        assert config["auth_endpoint"] == "/api/pusher/auth"
        assert isinstance(config["max_message_bytes"], int)
        assert config["max_message_bytes"] > 0
        assert credentials.secret not in response.text
        assert all(credentials.secret not in value for value in response.headers.values())


@pytest.mark.parametrize(
    "host_header",
    ["evil.example:1", "evil.example", "127.0.0.1.evil.example:6001", "localhost:1", "[::2]:80"],
)
def test_config_never_echoes_a_foreign_host_header(
    relay_hub: HubThread, credentials: AppCredentials, host_header: str
) -> None:
    # A cache in front of the hub could hand an echoed host to every other client.
    response = requests.get(
        f"http://127.0.0.1:{relay_hub.port}/api/config",
        headers={"Host": host_header},
        timeout=WAIT,
    )
    assert response.status_code == 200
    pusher = response.json()["pusher"]
    assert pusher["port"] == relay_hub.port
    assert pusher["host"] in ("127.0.0.1", "localhost")
    assert "evil" not in response.text


def test_the_config_endpoint_works_for_pysher(
    api: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    """What /api/config says is enough to connect: key, host and port reach the hub."""
    config = api.call("GET", "/api/config").json()["pusher"]
    alice = api.signed_up("alice")
    inbox = listen_room(relay_pysher(config["port"]), alice, "message")
    message = alice.sent("configured")
    assert events_of(inbox["message"], 1) == [message]


def test_history_and_sessions_survive_a_restart(
    start_relay_hub: Callable[..., HubThread],
    relay_pysher: Callable[..., PysherClient],
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "kept"
    first = start_relay_hub(data_dir=data_dir)
    alice = Api(base_url(first)).signed_up("alice")
    sent = [alice.sent("before"), alice.sent("the restart")]
    first.stop()

    second = start_relay_hub(data_dir=data_dir)
    again = Api(base_url(second), alice.token)
    me = again.call("GET", "/api/me")
    assert me.status_code == 200, "the old token must still be valid"
    assert me.json()["user"] == alice.user
    assert again.history().json() == {"messages": sent, "has_more": False}
    # The restarted relay triggers into the new hub: events still flow.
    inbox = listen_room(relay_pysher(second.port), again, "message")
    after = again.sent("after")
    assert after["id"] == sent[-1]["id"] + 1
    assert events_of(inbox["message"], 1) == [after]
    error_of(Api(base_url(second)).register("alice"), 409)


def test_health_says_the_database_and_the_upstream_are_reachable(relay_hub: HubThread) -> None:
    response = requests.get(f"{base_url(relay_hub)}/api/health", timeout=WAIT)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": {"ok": True}, "upstream": {"ok": True}}
    assert response.headers["Cache-Control"] == "no-store"
