"""Client events (``client-*``) in the protocol core: where, to whom, in what shape, how often."""

from __future__ import annotations

import json

import pytest

from desktopchat.server.core import ChannelsCore
from tests.unit.helpers import (
    CLIENT_EVENTS_PER_SECOND,
    MAX_DATA_BYTES,
    MAX_NAME,
    T0,
    client_event,
    closes,
    connect,
    decode,
    delivers,
    events,
    join,
    make_core,
    only_error,
    received,
    subscribe,
    subscribe_signed,
    webhooks,
)


def pair(core: ChannelsCore, channel: str) -> tuple[str, str]:
    """A sender and a receiver, both subscribed to ``channel``."""
    sender, receiver = connect(core), connect(core)
    for socket_id in (sender, receiver):
        if channel.startswith("presence-"):
            join(core, socket_id, channel, f"user-{socket_id}")
        else:
            subscribe_signed(core, socket_id, channel)
    return sender, receiver


@pytest.mark.parametrize("channel", ["private-chat", "presence-chat"])
def test_client_event_reaches_the_other_subscribers(channel: str) -> None:
    core = make_core()
    sender, receiver = pair(core, channel)
    third = connect(core)
    if channel.startswith("presence-"):
        join(core, third, channel, "third")
    else:
        subscribe_signed(core, third, channel)

    actions = client_event(core, sender, channel, '{"typing":true}')

    assert closes(actions) == []
    (deliver,) = delivers(actions)
    assert set(deliver.socket_ids) == {receiver, third}
    message = decode(deliver.frame)
    assert message["event"] == "client-typing"
    assert message["channel"] == channel
    assert message["data"] == '{"typing":true}'


@pytest.mark.parametrize("channel", ["private-chat", "presence-chat"])
def test_client_event_is_never_echoed_to_the_sender(channel: str) -> None:
    core = make_core()
    sender, _ = pair(core, channel)

    assert events(client_event(core, sender, channel), sender) == []


def test_client_event_with_no_one_else_subscribed_delivers_nothing_and_is_no_error() -> None:
    core = make_core()
    sender = connect(core)
    subscribe_signed(core, sender, "private-chat")

    assert client_event(core, sender, "private-chat") == []


def test_presence_client_event_carries_the_senders_trusted_user_id() -> None:
    core = make_core()
    sender, receiver = connect(core), connect(core)
    join(core, sender, "presence-chat", "alice")
    join(core, receiver, "presence-chat", "bob")

    actions = client_event(core, sender, "presence-chat", '{"user_id":"bob"}')

    (message,) = received(actions, receiver)
    assert message["user_id"] == "alice"
    assert message["data"] == '{"user_id":"bob"}'


def test_private_client_event_has_no_user_id() -> None:
    core = make_core()
    sender, receiver = pair(core, "private-chat")

    (message,) = received(client_event(core, sender, "private-chat"), receiver)

    assert "user_id" not in message


def test_client_cannot_set_its_own_user_id() -> None:
    core = make_core()
    sender, receiver = connect(core), connect(core)
    join(core, sender, "presence-chat", "alice")
    join(core, receiver, "presence-chat", "bob")
    frame = {"event": "client-x", "channel": "presence-chat", "data": "{}", "user_id": "bob"}

    (message,) = received(core.receive(sender, json.dumps(frame), T0), receiver)

    assert message["user_id"] == "alice"


@pytest.mark.parametrize(
    "data",
    [{"text": "h\u00e9llo", "n": [1, 2]}, [1, "two"], 5, True],
    ids=["object", "list", "number", "bool"],
)
def test_non_string_data_is_re_encoded_as_a_json_string(data: object) -> None:
    core = make_core()
    sender, receiver = pair(core, "private-chat")

    (message,) = received(client_event(core, sender, "private-chat", data), receiver)

    assert isinstance(message["data"], str)
    assert json.loads(message["data"]) == data


def test_string_data_is_passed_through_unchanged() -> None:
    core = make_core()
    sender, receiver = pair(core, "private-chat")
    data = '{ "spaced" : "out", "x": 1.0 }'

    (message,) = received(client_event(core, sender, "private-chat", data), receiver)

    assert message["data"] == data


@pytest.mark.parametrize(
    "channel",
    ["news", "private-encrypted-chat"],
    ids=["public", "encrypted"],
)
def test_client_event_is_refused_on_public_and_encrypted_channels(channel: str) -> None:
    core = make_core()
    sender, receiver = pair(core, channel)

    actions = client_event(core, sender, channel)

    only_error(actions, sender)
    assert events(actions, receiver) == []
    assert core.is_connected(sender)


@pytest.mark.parametrize("channel", ["private-chat", "presence-chat"])
def test_client_event_before_subscribing_is_refused(channel: str) -> None:
    core = make_core()
    _, receiver = pair(core, channel)
    outsider = connect(core)

    actions = client_event(core, outsider, channel)

    only_error(actions, outsider)
    assert events(actions, receiver) == []


def test_client_event_after_a_refused_subscription_is_refused() -> None:
    core = make_core()
    _, receiver = pair(core, "private-chat")
    intruder = connect(core)
    subscribe(core, intruder, "private-chat", auth="bogus:signature")

    actions = client_event(core, intruder, "private-chat")

    only_error(actions, intruder)
    assert events(actions, receiver) == []


def test_client_event_after_unsubscribing_is_refused() -> None:
    core = make_core()
    sender, receiver = pair(core, "private-chat")
    core.receive(
        sender, json.dumps({"event": "pusher:unsubscribe", "data": {"channel": "private-chat"}}), T0
    )

    actions = client_event(core, sender, "private-chat")

    only_error(actions, sender)
    assert events(actions, receiver) == []


def test_client_event_without_a_channel_is_refused() -> None:
    core = make_core()
    sender, _ = pair(core, "private-chat")

    only_error(core.receive(sender, '{"event":"client-x","data":"{}"}', T0), sender)


def test_client_event_name_over_200_characters_is_refused() -> None:
    core = make_core()
    sender, receiver = pair(core, "private-chat")
    name = "client-" + "x" * (MAX_NAME - len("client-") + 1)

    actions = client_event(core, sender, "private-chat", event=name)

    only_error(actions, sender)
    assert events(actions, receiver) == []


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("x" * (MAX_DATA_BYTES + 1), id="string-10241-bytes"),
        pytest.param("\u00e9" * (MAX_DATA_BYTES // 2 + 1), id="utf8-over-10kb"),
        pytest.param({"text": "x" * MAX_DATA_BYTES}, id="object-over-10kb"),
    ],
)
def test_client_event_data_over_10_kb_is_refused(data: object) -> None:
    core = make_core()
    sender, receiver = pair(core, "private-chat")

    actions = client_event(core, sender, "private-chat", data)

    only_error(actions, sender)
    assert events(actions, receiver) == []
    assert core.is_connected(sender)


def test_client_event_data_of_exactly_10_kb_is_delivered() -> None:
    core = make_core()
    sender, receiver = pair(core, "private-chat")
    data = "x" * MAX_DATA_BYTES

    (message,) = received(client_event(core, sender, "private-chat", data), receiver)

    assert message["data"] == data


# ----------------------------------------------------------------------------- rate limit


def test_eleventh_client_event_within_a_second_gets_4301_and_is_not_delivered() -> None:
    core = make_core()
    sender, receiver = pair(core, "private-chat")
    for index in range(CLIENT_EVENTS_PER_SECOND):
        actions = client_event(core, sender, "private-chat", now=T0 + index * 0.09)
        assert events(actions, receiver) == ["client-typing"], index

    actions = client_event(core, sender, "private-chat", now=T0 + 0.95)

    assert only_error(actions, sender)["code"] == 4301
    assert events(actions, receiver) == []
    assert closes(actions) == []
    assert core.is_connected(sender)


def test_client_events_are_accepted_again_a_second_later() -> None:
    core = make_core()
    sender, receiver = pair(core, "private-chat")
    for _ in range(CLIENT_EVENTS_PER_SECOND):
        client_event(core, sender, "private-chat", now=T0)
    assert (
        only_error(client_event(core, sender, "private-chat", now=T0 + 0.5), sender)["code"] == 4301
    )

    actions = client_event(core, sender, "private-chat", now=T0 + 1.0)

    assert events(actions, receiver) == ["client-typing"]


def test_rate_limit_is_a_sliding_one_second_window() -> None:
    core = make_core()
    sender, receiver = pair(core, "private-chat")
    for index in range(CLIENT_EVENTS_PER_SECOND):
        client_event(core, sender, "private-chat", now=T0 + index * 0.1)

    # One second after the first: exactly one slot has freed up.
    assert events(client_event(core, sender, "private-chat", now=T0 + 1.0), receiver) == [
        "client-typing"
    ]
    refused = client_event(core, sender, "private-chat", now=T0 + 1.05)
    assert only_error(refused, sender)["code"] == 4301


def test_rate_limit_counts_all_channels_of_one_connection() -> None:
    core = make_core()
    sender, receiver = pair(core, "private-a")
    for socket_id in (sender, receiver):
        subscribe_signed(core, socket_id, "private-b")
    for index in range(CLIENT_EVENTS_PER_SECOND):
        client_event(core, sender, "private-a" if index % 2 else "private-b", now=T0)

    actions = client_event(core, sender, "private-b", now=T0 + 0.5)

    assert only_error(actions, sender)["code"] == 4301


def test_rate_limit_is_per_connection() -> None:
    core = make_core()
    busy, calm = pair(core, "private-chat")
    for _ in range(CLIENT_EVENTS_PER_SECOND + 1):
        client_event(core, busy, "private-chat", now=T0)

    actions = client_event(core, calm, "private-chat", now=T0)

    assert events(actions, busy) == ["client-typing"]


def test_client_event_webhook_when_enabled() -> None:
    core = make_core(webhooks=True)
    sender, _ = connect(core), connect(core)
    join(core, sender, "presence-chat", "alice")

    actions = client_event(core, sender, "presence-chat", {"a": 1})

    assert webhooks(actions) == [
        {
            "name": "client_event",
            "channel": "presence-chat",
            "event": "client-typing",
            "data": '{"a":1}',
            "socket_id": sender,
            "user_id": "alice",
        }
    ]
