"""Connection lifecycle of the protocol core: greeting, ping/pong, bad frames, idling, shutdown."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pysher
import pytest
from pusher.util import validate_socket_id

from desktopchat.server import limits
from desktopchat.server.actions import Deliver
from tests.unit.helpers import (
    CREDS,
    PING,
    T0,
    closes,
    connect,
    decode,
    error_data,
    error_then_close,
    events,
    join,
    make_core,
    only_error,
    received,
    send,
    signin,
    subscribe,
    subscribe_signed,
)

SOCKET_ID = re.compile(r"\A\d+\.\d+\Z")


# ------------------------------------------------------------------------------- greeting


def test_open_greets_with_connection_established_whose_data_is_a_json_string() -> None:
    core = make_core(activity_timeout=45)
    socket_id, actions = core.open(T0)

    assert len(actions) == 1
    assert isinstance(actions[0], Deliver)
    assert actions[0].socket_ids == (socket_id,)
    message = decode(actions[0].frame)
    assert message["event"] == "pusher:connection_established"
    assert "channel" not in message
    # Double encoded: pysher json.loads() this string; a dict leaves its socket_id "".
    assert isinstance(message["data"], str)
    assert json.loads(message["data"]) == {"socket_id": socket_id, "activity_timeout": 45}
    assert SOCKET_ID.match(socket_id)


def test_socket_ids_are_unique_and_accepted_by_pusher_http_python() -> None:
    core = make_core()
    socket_ids = [connect(core) for _ in range(200)]

    assert len(set(socket_ids)) == 200
    assert core.connection_count == 200
    for socket_id in socket_ids:
        assert validate_socket_id(socket_id) == socket_id  # raises ValueError if not \d+.\d+
        assert core.is_connected(socket_id)


def test_pysher_reads_its_socket_id_from_the_greeting() -> None:
    core = make_core()
    socket_id, actions = core.open(T0)
    client = pysher.Pusher(CREDS.key, secret=CREDS.secret, log_level=logging.WARNING)

    # What pysher's connection does with the frame's data (no network involved).
    (greeting,) = received(actions, socket_id)
    client.connection._connect_handler(greeting["data"])

    assert client.connection.socket_id == socket_id
    assert client.connection.state == "connected"


# ------------------------------------------------------------------------------ ping/pong


@pytest.mark.parametrize(
    "ping",
    [PING, {"event": "pusher:ping"}, {"event": "pusher:ping", "data": None}],
    ids=["object-data", "no-data", "null-data"],
)
def test_pusher_ping_is_answered_with_pusher_pong_to_the_sender_only(ping: dict[str, Any]) -> None:
    core = make_core()
    sender, other = connect(core), connect(core)

    actions = send(core, sender, ping)

    assert len(actions) == 1
    assert isinstance(actions[0], Deliver)
    assert actions[0].socket_ids == (sender,)
    assert decode(actions[0].frame)["event"] == "pusher:pong"
    assert events(actions, other) == []


def test_pusher_pong_from_the_client_is_accepted_silently() -> None:
    core = make_core()
    socket_id = connect(core)

    assert send(core, socket_id, {"event": "pusher:pong", "data": {}}) == []
    assert core.is_connected(socket_id)


# ------------------------------------------------------------------------- malformed input

MALFORMED = [
    pytest.param("this is not json", id="not-json"),
    pytest.param("", id="empty"),
    pytest.param('{"event": "pusher:ping"', id="truncated-json"),
    pytest.param("[1, 2]", id="array"),
    pytest.param('"pusher:ping"', id="string"),
    pytest.param("null", id="null"),
    pytest.param("42", id="number"),
    pytest.param("[" * 15_000 + "]" * 15_000, id="deeply-nested"),  # under the size limit
    pytest.param('{"data": {}}', id="missing-event"),
    pytest.param('{"event": "", "data": {}}', id="empty-event"),
    pytest.param('{"event": 5, "data": {}}', id="non-string-event"),
    pytest.param('{"event": null}', id="null-event"),
    pytest.param(
        '{"event": "pusher:subscribe", "channel": 5, "data": {"channel": "a"}}',
        id="non-string-channel",
    ),
    pytest.param(
        '{"event": "client-x", "channel": ["private-a"], "data": "{}"}', id="list-channel"
    ),
    pytest.param(
        json.dumps({"event": "pusher:ping", "data": "x" * limits.MAX_CLIENT_FRAME_BYTES}),
        id="too-large",
    ),
    pytest.param('{"event": "pusher:bogus", "data": {}}', id="unknown-event"),
    pytest.param('{"event": "PUSHER:PING", "data": {}}', id="unknown-event-case"),
    pytest.param(
        '{"event": "pusher_internal:member_added", "channel": "presence-a", "data": "{}"}',
        id="server-only-event",
    ),
    pytest.param('{"event": "pusher:subscribe", "data": {}}', id="subscribe-without-channel"),
    pytest.param('{"event": "pusher:subscribe", "data": "a"}', id="subscribe-data-not-object"),
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_frame_gets_pusher_error_object_and_the_connection_is_kept(text: str) -> None:
    core = make_core()
    socket_id, other = connect(core), connect(core)

    data = only_error(core.receive(socket_id, text, T0), socket_id)

    assert data.get("code") is None or isinstance(data["code"], int)
    assert core.is_connected(socket_id)
    assert core.subscription_count("a") == 0
    # Still served afterwards.
    assert events(send(core, socket_id, PING), socket_id) == ["pusher:pong"]
    assert core.is_connected(other)


def test_frame_too_large_is_not_acted_on() -> None:
    core = make_core()
    socket_id = connect(core)
    padded = {
        "event": "pusher:subscribe",
        "data": {"channel": "news"},
        "padding": "x" * limits.MAX_CLIENT_FRAME_BYTES,
    }

    only_error(send(core, socket_id, padded), socket_id)

    assert core.subscription_count("news") == 0


def test_frame_size_limit_counts_utf8_bytes_not_characters() -> None:
    # MAX_CLIENT_FRAME_BYTES is a byte limit (like every Pusher size limit); 9,000 emoji are
    # 9,000 characters but 36,000 bytes of UTF-8 on the wire.
    core = make_core()
    socket_id = connect(core)
    text = json.dumps({"event": "pusher:ping", "data": "\U0001f600" * 9_000}, ensure_ascii=False)
    assert len(text) < limits.MAX_CLIENT_FRAME_BYTES < len(text.encode())

    only_error(core.receive(socket_id, text, T0), socket_id)


def test_frame_exactly_at_the_size_limit_is_accepted() -> None:
    core = make_core()
    socket_id = connect(core)
    envelope = json.dumps({"event": "pusher:ping", "data": ""})
    text = json.dumps(
        {"event": "pusher:ping", "data": "x" * (limits.MAX_CLIENT_FRAME_BYTES - len(envelope))}
    )
    assert len(text.encode()) == limits.MAX_CLIENT_FRAME_BYTES

    assert events(core.receive(socket_id, text, T0), socket_id) == ["pusher:pong"]


def test_frames_from_an_unknown_socket_are_ignored() -> None:
    core = make_core()
    listener = connect(core)
    subscribe(core, listener, "news")

    assert send(core, "123.456", PING) == []
    assert send(core, "123.456", {"event": "pusher:subscribe", "data": {"channel": "news"}}) == []
    assert core.subscription_count("news") == 1
    assert core.connection_count == 1


# ------------------------------------------------------------------------------ idle/pong


def test_tick_before_activity_timeout_does_nothing() -> None:
    core = make_core(activity_timeout=120, pong_timeout=30)
    connect(core, now=T0)

    assert core.tick(T0) == []
    assert core.tick(T0 + 119.9) == []


def test_silent_client_is_pinged_after_activity_timeout_and_only_once() -> None:
    core = make_core(activity_timeout=120, pong_timeout=30)
    socket_id = connect(core, now=T0)

    actions = core.tick(T0 + 120)

    assert len(actions) == 1
    assert isinstance(actions[0], Deliver)
    assert actions[0].socket_ids == (socket_id,)
    assert decode(actions[0].frame)["event"] == "pusher:ping"
    assert core.tick(T0 + 125) == []  # waiting for the pong, not pinging again


def test_only_the_idle_client_is_pinged() -> None:
    core = make_core(activity_timeout=120, pong_timeout=30)
    idle = connect(core, now=T0)
    busy = connect(core, now=T0)
    send(core, busy, PING, now=T0 + 100)

    actions = core.tick(T0 + 120)

    assert events(actions, idle) == ["pusher:ping"]
    assert events(actions, busy) == []


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({"event": "pusher:pong", "data": {}}, id="pusher-pong"),
        pytest.param(PING, id="any-frame"),
        pytest.param("garbage", id="even-a-bad-frame"),
    ],
)
def test_answer_within_pong_timeout_resets_the_idle_timer(answer: dict[str, Any] | str) -> None:
    core = make_core(activity_timeout=120, pong_timeout=30)
    socket_id = connect(core, now=T0)
    core.tick(T0 + 120)

    send(core, socket_id, answer, now=T0 + 140)

    assert core.tick(T0 + 150) == []  # would have been the 4201 deadline
    assert core.tick(T0 + 259) == []  # fewer than 120 s since the answer
    assert events(core.tick(T0 + 260), socket_id) == ["pusher:ping"]
    assert core.is_connected(socket_id)


def test_websocket_level_pong_counts_as_an_answer() -> None:
    core = make_core(activity_timeout=120, pong_timeout=30)
    socket_id = connect(core, now=T0)
    core.tick(T0 + 120)

    core.activity(socket_id, T0 + 140)

    assert core.tick(T0 + 150) == []
    assert closes(core.tick(T0 + 155)) == []


def test_unanswered_ping_gets_pusher_error_4201_before_close_4201() -> None:
    core = make_core(activity_timeout=120, pong_timeout=30)
    socket_id = connect(core, now=T0)
    core.tick(T0 + 120)

    assert core.tick(T0 + 149.9) == []
    actions = core.tick(T0 + 150)

    assert len(actions) == 2
    error_then_close(actions, socket_id, 4201)


def test_pong_timeout_drops_only_the_silent_client() -> None:
    core = make_core(activity_timeout=120, pong_timeout=30)
    silent = connect(core, now=T0)
    alive = connect(core, now=T0)
    core.tick(T0 + 120)
    send(core, alive, {"event": "pusher:pong"}, now=T0 + 121)

    actions = core.tick(T0 + 150)

    assert [c.socket_id for c in closes(actions)] == [silent]
    assert received(actions, alive) == []


def test_activity_of_an_unknown_socket_is_harmless() -> None:
    core = make_core()
    core.activity("1.1", T0)
    assert core.connection_count == 0


# ------------------------------------------------------------------------------- shutdown


def test_shutdown_sends_error_4100_then_close_4100_to_every_socket() -> None:
    core = make_core()
    plain = connect(core)
    member = connect(core)
    signed_in = connect(core)
    subscribe(core, plain, "news")
    join(core, member, "presence-room", "u1")
    subscribe_signed(core, signed_in, "private-x")
    signin(core, signed_in, "u2")

    actions = core.shutdown()

    for socket_id in (plain, member, signed_in):
        error_then_close(actions, socket_id, 4100)
    assert len(actions) == 6


def test_shutdown_never_uses_a_42xx_code() -> None:
    # 42xx makes pysher reconnect with interval 0 forever (pusher-protocol.md, X6).
    core = make_core()
    for _ in range(5):
        connect(core)

    actions = core.shutdown()

    codes = [c.code for c in closes(actions)]
    codes += [error_data(decode(d.frame))["code"] for d in actions if isinstance(d, Deliver)]
    assert len(codes) == 10
    assert all(not 4200 <= code <= 4299 for code in codes), codes
    assert all(4100 <= code <= 4199 for code in codes), codes


def test_shutdown_with_no_connections_does_nothing() -> None:
    assert make_core().shutdown() == []


# --------------------------------------------------------------------------------- closed


def test_closed_of_an_unknown_socket_is_harmless() -> None:
    core = make_core()
    socket_id = connect(core)
    subscribe(core, socket_id, "news")

    assert core.closed("999.999") == []
    assert core.closed("") == []
    assert core.is_connected(socket_id)
    assert core.subscription_count("news") == 1


def test_closed_twice_is_harmless() -> None:
    core = make_core()
    socket_id = connect(core)
    other = connect(core)
    join(core, socket_id, "presence-room", "u1")
    join(core, other, "presence-room", "u2")

    core.closed(socket_id)

    assert core.closed(socket_id) == []
    assert core.user_ids("presence-room") == ["u2"]


def test_closed_socket_leaves_its_channels_and_gets_nothing_more() -> None:
    core = make_core()
    gone = connect(core)
    stays = connect(core)
    for socket_id in (gone, stays):
        subscribe(core, socket_id, "news")

    core.closed(gone)

    assert not core.is_connected(gone)
    assert core.connection_count == 1
    assert core.subscription_count("news") == 1
    actions = core.trigger(["news"], "headline", "{}")
    assert [d.socket_ids for d in actions if isinstance(d, Deliver)] == [(stays,)]
    assert send(core, gone, PING) == []
    idle = core.tick(T0 + 10_000)
    assert events(idle, gone) == []
    assert events(idle, stays) == ["pusher:ping"]
