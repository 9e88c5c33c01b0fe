"""The hub against hand-written frames: hostile, malformed or idle clients never crash it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace

import pusher
import pytest

from desktopchat.server import signing
from desktopchat.server.credentials import AppCredentials
from desktopchat.server.hub import HubConfig
from desktopchat.server.runner import HubThread
from tests.conftest import PysherClient
from tests.integration.raw_client import RawClient


@pytest.fixture
def connect(hub: HubThread, credentials: AppCredentials) -> Iterator[Callable[..., RawClient]]:
    """Open raw connections to the hub (the app's key unless told); all closed afterwards."""
    clients: list[RawClient] = []

    def make(key: str = credentials.key, query: str = "protocol=7") -> RawClient:
        clients.append(RawClient(hub.port, key, query))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def raw(connect: Callable[..., RawClient]) -> RawClient:
    return connect()


def assert_still_serving(client: RawClient) -> None:
    client.send({"event": "pusher:ping", "data": {}})
    client.expect("pusher:pong")


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2, 3]",
        '"a string"',
        "{}",
        '{"event": 42}',
        '{"event": "pusher:subscribe", "channel": ["x"]}',
        '{"event": "pusher:subscribe", "data": "not an object"}',
        '{"event": "pusher:unknown"}',
        '{"event": "pusher:subscribe", "data": {"channel": "bad name!"}}',
        "[" * 100_000,
        json.dumps({"event": "client-x", "channel": "private-a", "data": "x" * 40_000}),
    ],
    ids=[
        "not-json",
        "array",
        "string",
        "no-event",
        "event-not-string",
        "channel-not-string",
        "data-not-object",
        "unknown-event",
        "bad-channel-name",
        "deeply-nested",
        "oversized",
    ],
)
def test_malformed_frames_get_an_error_and_the_connection_survives(
    raw: RawClient, frame: str
) -> None:
    raw.socket_id()
    raw.send(frame)
    reply = raw.recv()
    assert reply["event"] in {"pusher:error", "pusher:subscription_error"}
    assert isinstance(reply["data"], dict), "pusher:error data must be an object for pysher"
    assert_still_serving(raw)


def test_binary_frames_get_an_error(raw: RawClient) -> None:
    raw.socket_id()
    raw.ws.send_binary(b"\x00\x01")
    assert raw.expect("pusher:error")["data"]["code"] is None
    assert_still_serving(raw)


def test_unknown_app_key_is_refused_with_4001(connect: Callable[..., RawClient]) -> None:
    client = connect(key="no-such-key")
    error = client.expect("pusher:error")
    assert error["data"]["code"] == 4001
    assert client.expect_close() == 4001


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", 4008),
        ("protocol=", 4008),
        ("protocol=8", 4007),
        ("protocol=0", 4007),
        ("protocol=999", 4007),
        ("protocol=x", 4006),
        ("protocol=%C2%B2", 4006),  # '²': str.isdigit() says yes, int() says no
        ("protocol=%D9%A7", 4006),  # Arabic-Indic 7: int() would read it as 7
        ("protocol=" + "7" * 5000, 4006),  # past int()'s 4,300-digit limit
        ("protocol=-7", 4006),
        ("protocol=+7", 4006),
        ("protocol=7.0", 4006),
        ("protocol=%207", 4006),
        ("protocol=%00", 4006),
    ],
    ids=[
        "missing",
        "empty",
        "8",
        "0",
        "999",
        "letter",
        "superscript-two",
        "arabic-indic-digit",
        "5000-digits",
        "negative",
        "plus-sign",
        "decimal",
        "leading-space",
        "nul",
    ],
)
def test_unsupported_protocol_versions_are_refused(
    connect: Callable[..., RawClient], query: str, code: int
) -> None:
    client = connect(query=query)
    assert client.expect("pusher:error")["data"]["code"] == code
    assert client.expect_close() == code


@pytest.mark.parametrize("version", [5, 6, 7])
def test_protocol_versions_5_to_7_are_served(
    connect: Callable[..., RawClient], version: int
) -> None:
    assert connect(query=f"protocol={version}").socket_id()


@pytest.mark.parametrize(
    "auth",
    [None, "", "garbage", "wrongkey:abc", "{key}:" + "0" * 64, "{key}:{other_socket_signature}"],
    ids=["missing", "empty", "garbage", "wrong-key", "zero-signature", "other-socket"],
)
def test_private_subscription_without_a_valid_signature_is_refused(
    raw: RawClient, credentials: AppCredentials, auth: str | None
) -> None:
    raw.socket_id()
    if auth is not None:
        other = signing.channel_auth(credentials.key, credentials.secret, "1.1", "private-a")
        auth = auth.format(key=credentials.key, other_socket_signature=other.split(":")[1])
    data = {"channel": "private-a"} if auth is None else {"channel": "private-a", "auth": auth}
    raw.send({"event": "pusher:subscribe", "data": data})
    error = raw.expect("pusher:subscription_error")
    assert error["channel"] == "private-a"
    assert error["data"]["status"] == 401


def test_presence_subscription_must_sign_the_exact_channel_data(
    raw: RawClient, credentials: AppCredentials
) -> None:
    socket_id = raw.socket_id()
    signed = json.dumps({"user_id": "alice"})
    auth = signing.channel_auth(
        credentials.key, credentials.secret, socket_id, "presence-a", signed
    )
    swapped = json.dumps({"user_id": "mallory"})
    raw.send(
        {
            "event": "pusher:subscribe",
            "data": {"channel": "presence-a", "auth": auth, "channel_data": swapped},
        }
    )
    assert raw.expect("pusher:subscription_error")["data"]["status"] == 401


def test_presence_client_events_carry_the_senders_user_id(
    connect: Callable[..., RawClient], credentials: AppCredentials
) -> None:
    def join(user_id: str) -> RawClient:
        client = connect()
        socket_id = client.socket_id()
        channel_data = json.dumps({"user_id": user_id, "user_info": {}})
        auth = signing.channel_auth(
            credentials.key, credentials.secret, socket_id, "presence-room", channel_data
        )
        client.send(
            {
                "event": "pusher:subscribe",
                "data": {"channel": "presence-room", "auth": auth, "channel_data": channel_data},
            }
        )
        client.expect("pusher_internal:subscription_succeeded")
        return client

    alice = join("alice")
    bob = join("bob")
    alice.expect("pusher_internal:member_added")
    # A forged user_id in the frame is ignored: the hub adds the signed one.
    bob.send({"event": "client-typing", "channel": "presence-room", "data": {}, "user_id": "eve"})
    event = alice.expect("client-typing")
    assert event["user_id"] == "bob"
    assert event["data"] == "{}"


@pytest.fixture
def impatient_hub_config(hub_config: HubConfig) -> HubConfig:
    return replace(hub_config, activity_timeout=1, pong_timeout=0.5)


def test_idle_clients_are_pinged_then_dropped_with_4201_but_pysher_stays(
    impatient_hub_config: HubConfig, credentials: AppCredentials
) -> None:
    hub = HubThread(impatient_hub_config)
    hub.start()
    pysher_client = PysherClient(credentials.key, hub.port, secret=credentials.secret)
    closers = [hub.stop, pysher_client.close]
    try:
        pysher_client.connect()
        silent = RawClient(hub.port, credentials.key)
        closers.append(silent.close)
        silent.socket_id()
        silent.expect("pusher:ping")
        error = silent.expect("pusher:error")
        assert error["data"]["code"] == 4201
        assert silent.expect_close() == 4201
        # pysher answered its pings in the same time, so it is still connected, once.
        assert hub.call(lambda: hub.running.hub.core.is_connected(pysher_client.socket_id))
        assert pysher_client.connections == 1
        assert pysher_client.errors == []
    finally:
        for close in reversed(closers):
            close()


def test_over_capacity_connections_are_told_to_back_off_and_the_api_stays_up(
    hub_config: HubConfig, credentials: AppCredentials
) -> None:
    hub = HubThread(replace(hub_config, max_connections=2))
    hub.start()
    clients = [RawClient(hub.port, credentials.key) for _ in range(3)]
    try:
        clients[0].socket_id()
        clients[1].socket_id()
        refused = clients[2]
        assert refused.expect("pusher:error")["data"]["code"] == 4100
        assert refused.expect_close() == 4100
        rest = pusher.Pusher(
            app_id=credentials.app_id,
            key=credentials.key,
            secret=credentials.secret,
            host="127.0.0.1",
            port=hub.port,
            ssl=False,
        )
        assert rest.channels_info() == {"channels": {}}
    finally:
        for client in clients:
            client.close()
        hub.stop()


def test_serve_raises_a_low_open_files_limit() -> None:
    code = (
        "import resource\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))\n"
        "from desktopchat.commands.serve import raise_open_files_limit\n"
        "print(raise_open_files_limit(), resource.getrlimit(resource.RLIMIT_NOFILE)[0], hard)"
    )
    limit, soft, hard = map(
        int,
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
        ).stdout.split(),
    )
    assert limit == soft
    assert soft == min(hard, 65536) if hard > 0 else soft > 256
