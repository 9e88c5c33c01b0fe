"""``parse_trigger``: the HTTP API's validation of an event, with no server involved."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pusher.pusher_client import PusherClient

from desktopchat.server.http_api import TriggerRequest, parse_trigger
from desktopchat.server.http_errors import ApiError
from tests.unit.helpers import MAX_DATA_BYTES, MAX_NAME, MAX_TRIGGER_CHANNELS

MAX_DATA = MAX_DATA_BYTES


def event(**fields: Any) -> dict[str, Any]:
    """A valid ``events`` body with ``fields`` replaced (``None`` removes a field)."""
    body: dict[str, Any] = {"name": "message", "data": '{"text":"hi"}', "channels": ["room"]}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


GOOD = [
    pytest.param(
        event(), TriggerRequest(("room",), "message", '{"text":"hi"}', None, ()), id="basic"
    ),
    pytest.param(
        event(channels=None, channel="room"),
        TriggerRequest(("room",), "message", '{"text":"hi"}', None, ()),
        id="single-channel",
    ),
    pytest.param(
        event(channels=["b", "a", "b"]),
        TriggerRequest(("b", "a"), "message", '{"text":"hi"}', None, ()),
        id="duplicates-removed-in-order",
    ),
    pytest.param(
        event(socket_id="123.456"),
        TriggerRequest(("room",), "message", '{"text":"hi"}', "123.456", ()),
        id="socket-id",
    ),
    pytest.param(
        event(info="user_count,subscription_count"),
        TriggerRequest(
            ("room",), "message", '{"text":"hi"}', None, ("user_count", "subscription_count")
        ),
        id="info",
    ),
    pytest.param(
        event(data=""), TriggerRequest(("room",), "message", "", None, ()), id="empty-data"
    ),
]


@pytest.mark.parametrize(("payload", "expected"), GOOD)
def test_valid_trigger_is_parsed(payload: dict[str, Any], expected: TriggerRequest) -> None:
    assert parse_trigger(payload) == expected


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(event(data="x" * MAX_DATA), id="data-exactly-10kb"),
        pytest.param(event(data="\u00e9" * (MAX_DATA // 2)), id="utf8-data-exactly-10kb"),
        pytest.param(event(name="e" * MAX_NAME), id="name-200-chars"),
        pytest.param(
            event(channels=[f"c{i}" for i in range(MAX_TRIGGER_CHANNELS)]),
            id="100-channels",
        ),
        pytest.param(event(channels=["x" * MAX_NAME]), id="channel-200-chars"),
        pytest.param(
            event(channels=["private-encrypted-a", "presence-b", "-_=@,.;"]),
            id="every-kind-of-name",
        ),
    ],
)
def test_trigger_at_the_limits_is_accepted(payload: dict[str, Any]) -> None:
    request = parse_trigger(payload)
    assert request.data == payload["data"]
    assert request.name == payload["name"]
    assert list(request.channels) == payload["channels"]


BAD = [
    # name
    pytest.param(event(name=None), 400, "invalid_event_name", id="name-missing"),
    pytest.param(event(name=""), 400, "invalid_event_name", id="name-empty"),
    pytest.param(event(name=5), 400, "invalid_event_name", id="name-not-string"),
    pytest.param(event(name="e" * (MAX_NAME + 1)), 400, "invalid_event_name", id="name-201"),
    # data
    pytest.param(event(data=None), 400, "invalid_data", id="data-missing"),
    pytest.param(event(data={"text": "hi"}), 400, "invalid_data", id="data-object"),
    pytest.param(event(data=5), 400, "invalid_data", id="data-number"),
    pytest.param(event(data="x" * (MAX_DATA + 1)), 413, "payload_too_large", id="data-10241"),
    pytest.param(
        event(data="\u00e9" * (MAX_DATA // 2 + 1)), 413, "payload_too_large", id="utf8-over-10kb"
    ),
    pytest.param(
        event(data="\U0001f600" * (MAX_DATA // 4 + 1)), 413, "payload_too_large", id="emoji"
    ),
    # channels
    pytest.param(event(channels=None), 400, "invalid_channels", id="channels-missing"),
    pytest.param(event(channels=[]), 400, "invalid_channels", id="channels-empty"),
    pytest.param(event(channels="room"), 400, "invalid_channels", id="channels-string"),
    pytest.param(event(channels={"room": 1}), 400, "invalid_channels", id="channels-object"),
    pytest.param(
        event(channels=[f"c{i}" for i in range(MAX_TRIGGER_CHANNELS + 1)]),
        400,
        "too_many_channels",
        id="101-channels",
    ),
    pytest.param(event(channels=["bad name"]), 400, "invalid_channel_name", id="channel-space"),
    pytest.param(event(channels=[""]), 400, "invalid_channel_name", id="channel-empty"),
    pytest.param(event(channels=[5]), 400, "invalid_channel_name", id="channel-number"),
    pytest.param(event(channels=[["a"]]), 400, "invalid_channel_name", id="channel-list"),
    pytest.param(event(channels=[None]), 400, "invalid_channel_name", id="channel-null"),
    pytest.param(
        event(channels=["ok", "x" * (MAX_NAME + 1)]),
        400,
        "invalid_channel_name",
        id="channel-201",
    ),
    pytest.param(event(channels=["#news"]), 400, "invalid_channel_name", id="hash-prefix"),
    pytest.param(
        event(channels=["#server-to-user-"]), 400, "invalid_channel_name", id="user-channel-no-id"
    ),
    pytest.param(
        event(channels=["#server-to-user-a b"]), 400, "invalid_channel_name", id="user-bad-id"
    ),
    pytest.param(
        event(channels=None, channel=None),
        400,
        "invalid_channels",
        id="neither-channel-nor-channels",
    ),
    pytest.param(
        event(channels=None, channel="bad/name"), 400, "invalid_channel_name", id="bad-channel"
    ),
    # socket_id
    pytest.param(event(socket_id="abc"), 400, "invalid_socket_id", id="socket-id-letters"),
    pytest.param(event(socket_id="1.2.3"), 400, "invalid_socket_id", id="socket-id-3-parts"),
    pytest.param(event(socket_id="1."), 400, "invalid_socket_id", id="socket-id-half"),
    pytest.param(event(socket_id="1.2\n"), 400, "invalid_socket_id", id="socket-id-newline"),
    pytest.param(event(socket_id=1.2), 400, "invalid_socket_id", id="socket-id-number"),
    # info
    pytest.param(event(info=["user_count"]), 400, "invalid_info", id="info-list"),
    pytest.param(event(info=5), 400, "invalid_info", id="info-number"),
]


@pytest.mark.parametrize(("payload", "status", "code"), BAD)
def test_invalid_trigger_is_refused(payload: dict[str, Any], status: int, code: str) -> None:
    with pytest.raises(ApiError) as raised:
        parse_trigger(payload)

    assert raised.value.status == status
    assert raised.value.code == code
    assert str(raised.value)


def test_send_to_user_body_of_pusher_http_python_is_accepted() -> None:
    # Pusher.send_to_user(user_id, ...) triggers on "#server-to-user-{user_id}".
    request = PusherClient(app_id="3", key="key", secret="secret").trigger.make_request(
        ["#server-to-user-alice"], "notice", {"text": "hi"}
    )

    parsed = parse_trigger(json.loads(request.body))

    assert parsed.channels == ("#server-to-user-alice",)
    assert json.loads(parsed.data) == {"text": "hi"}


def test_batch_item_takes_one_channel() -> None:
    assert parse_trigger(event(channels=None, channel="room"), batch_item=True).channels == (
        "room",
    )


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(event(), id="channels-list"),
        pytest.param(event(channel="room"), id="both"),
        pytest.param(event(channels=None), id="neither"),
    ],
)
def test_batch_item_with_channels_is_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(ApiError) as raised:
        parse_trigger(payload, batch_item=True)

    assert (raised.value.status, raised.value.code) == (400, "invalid_channels")


def test_data_too_large_is_413_even_with_other_faults_after_it() -> None:
    # pusher-http-python maps 413 to PusherBadStatus: the size must not be masked by later checks.
    with pytest.raises(ApiError) as raised:
        parse_trigger(event(data="x" * (MAX_DATA + 1), channels=["bad name"]))

    assert raised.value.status == 413
