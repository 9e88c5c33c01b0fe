"""Data-only helpers for driving :class:`ChannelsCore`: JSON frames in, decoded actions out.

Signatures are computed here with plain :mod:`hmac`, independently of
``desktopchat.server.signing``, so the core tests do not take the hub's own signing on trust
(``test_signing.py`` checks that module against the documented vectors and the real libraries).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from desktopchat.server.actions import Action, Close, Deliver, Webhook
from desktopchat.server.core import ChannelsCore
from desktopchat.server.credentials import AppCredentials

#: The credentials of Pusher's documentation examples (app 3), so vectors can be reused.
CREDS = AppCredentials(app_id="3", key="278d425bdf160c739803", secret="7ad3773142a6692b25b8")
#: An arbitrary start time; every test passes ``now`` explicitly relative to it.
T0 = 1_000.0

PING = {"event": "pusher:ping", "data": {}}

# Pusher's documented limits (docs/pusher-notes.md), written out here rather than
# read from desktopchat.server.limits, so that changing a limit there fails these tests.
MAX_DATA_BYTES = 10 * 1024
CLIENT_EVENTS_PER_SECOND = 10
MAX_NAME = 200  # channel names (as pusher-http-python, soketi, sockudo accept) and event names
MAX_TRIGGER_CHANNELS = 100


def make_core(**kwargs: Any) -> ChannelsCore:
    """A core for :data:`CREDS`; keyword arguments go to :class:`ChannelsCore`."""
    return ChannelsCore(CREDS, **kwargs)


# ------------------------------------------------------------------------------ signatures


def sign(message: str, secret: str = CREDS.secret, key: str = CREDS.key) -> str:
    """``key:hex(HMAC-SHA256(secret, message))``, the shape of every Pusher ``auth`` value."""
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return f"{key}:{digest}"


def channel_auth(socket_id: str, channel: str, channel_data: str = "") -> str:
    """The ``auth`` a correct auth endpoint returns for ``socket_id`` on ``channel``."""
    message = f"{socket_id}:{channel}"
    if channel_data:
        message += f":{channel_data}"
    return sign(message)


# ------------------------------------------------------------------------ decoding actions


def decode(frame: str) -> dict[str, Any]:
    """One delivered frame as a dict (it must be a JSON object)."""
    message = json.loads(frame)
    assert isinstance(message, dict), frame
    return message


def delivers(actions: Sequence[Action]) -> list[Deliver]:
    """The :class:`Deliver` actions, in order."""
    return [a for a in actions if isinstance(a, Deliver)]


def closes(actions: Sequence[Action]) -> list[Close]:
    """The :class:`Close` actions, in order."""
    return [a for a in actions if isinstance(a, Close)]


def webhooks(actions: Sequence[Action]) -> list[dict[str, Any]]:
    """The webhook events, in order."""
    return [dict(a.event) for a in actions if isinstance(a, Webhook)]


def received(actions: Sequence[Action], socket_id: str) -> list[dict[str, Any]]:
    """Every frame ``socket_id`` is sent by ``actions``, decoded, in order."""
    return [decode(a.frame) for a in delivers(actions) if socket_id in a.socket_ids]


def events(actions: Sequence[Action], socket_id: str) -> list[str]:
    """The event names ``socket_id`` is sent, in order."""
    return [message["event"] for message in received(actions, socket_id)]


def string_data(message: dict[str, Any]) -> Any:
    """The decoded ``data`` of a server frame, which must be a JSON *string* (double encoded)."""
    data = message["data"]
    assert isinstance(data, str), f"data of {message['event']} must be a JSON string: {data!r}"
    return json.loads(data)


def error_data(message: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of a ``pusher:error``, which must be an *object* with a message."""
    assert message["event"] == "pusher:error", message
    data = message["data"]
    assert isinstance(data, dict), f"pusher:error data must be an object: {data!r}"
    assert isinstance(data.get("message"), str)
    assert data["message"]
    return data


def only_error(actions: Sequence[Action], socket_id: str) -> dict[str, Any]:
    """Assert ``actions`` are exactly one ``pusher:error`` to ``socket_id``, no close; its data."""
    assert closes(actions) == [], actions
    assert len(actions) == 1, actions
    assert isinstance(actions[0], Deliver)
    assert actions[0].socket_ids == (socket_id,)
    return error_data(decode(actions[0].frame))


def error_then_close(actions: Sequence[Action], socket_id: str, code: int) -> None:
    """Assert ``socket_id`` gets ``pusher:error`` with ``code`` and *then* ``Close(code)``."""
    mine = [
        a
        for a in actions
        if (isinstance(a, Deliver) and socket_id in a.socket_ids)
        or (isinstance(a, Close) and a.socket_id == socket_id)
    ]
    assert len(mine) == 2, mine
    first, second = mine
    assert isinstance(first, Deliver), "pusher:error must come before the close (pysher)"
    assert error_data(decode(first.frame))["code"] == code
    assert isinstance(second, Close)
    assert second.code == code


# -------------------------------------------------------------------------- driving frames


def connect(core: ChannelsCore, now: float = T0) -> str:
    """Open a connection; its socket id."""
    socket_id, _ = core.open(now)
    return socket_id


def send(
    core: ChannelsCore, socket_id: str, message: dict[str, Any] | str, now: float = T0
) -> list[Action]:
    """Feed one client frame (a dict is JSON-encoded) to the core."""
    text = message if isinstance(message, str) else json.dumps(message)
    return core.receive(socket_id, text, now)


def subscribe(
    core: ChannelsCore,
    socket_id: str,
    channel: str,
    *,
    auth: object = None,
    channel_data: object = None,
    now: float = T0,
) -> list[Action]:
    """``pusher:subscribe`` with exactly the fields given."""
    data: dict[str, Any] = {"channel": channel}
    if auth is not None:
        data["auth"] = auth
    if channel_data is not None:
        data["channel_data"] = channel_data
    return send(core, socket_id, {"event": "pusher:subscribe", "data": data}, now)


def subscribe_signed(
    core: ChannelsCore, socket_id: str, channel: str, now: float = T0
) -> list[Action]:
    """Subscribe to a public or private channel with a correct signature."""
    return subscribe(core, socket_id, channel, auth=channel_auth(socket_id, channel), now=now)


def presence_data(user_id: object, user_info: object = None) -> str:
    """``channel_data`` for a presence member."""
    member: dict[str, Any] = {"user_id": user_id}
    if user_info is not None:
        member["user_info"] = user_info
    return json.dumps(member)


def join(
    core: ChannelsCore,
    socket_id: str,
    channel: str,
    user_id: object,
    user_info: object = None,
    *,
    now: float = T0,
) -> list[Action]:
    """Subscribe to a presence channel as ``user_id`` with a correct signature."""
    data = presence_data(user_id, user_info)
    return subscribe(
        core,
        socket_id,
        channel,
        auth=channel_auth(socket_id, channel, data),
        channel_data=data,
        now=now,
    )


def signin(core: ChannelsCore, socket_id: str, user_id: str, now: float = T0) -> list[Action]:
    """``pusher:signin`` as ``user_id`` with a correct signature."""
    user_data = json.dumps({"id": user_id})
    auth = sign(f"{socket_id}::user::{user_data}")
    return send(
        core,
        socket_id,
        {"event": "pusher:signin", "data": {"auth": auth, "user_data": user_data}},
        now,
    )


def client_event(
    core: ChannelsCore,
    socket_id: str,
    channel: str,
    data: object = "{}",
    *,
    event: str = "client-typing",
    now: float = T0,
) -> list[Action]:
    """A client event from ``socket_id``."""
    return send(core, socket_id, {"event": event, "channel": channel, "data": data}, now)


def succeeded(actions: Sequence[Action], socket_id: str, channel: str) -> Any:
    """Assert ``socket_id`` got ``subscription_succeeded`` for ``channel``; its decoded data."""
    found = [
        m
        for m in received(actions, socket_id)
        if m["event"] == "pusher_internal:subscription_succeeded"
    ]
    assert len(found) == 1, received(actions, socket_id)
    assert found[0]["channel"] == channel
    return string_data(found[0])


def refused(actions: Sequence[Action], socket_id: str, channel: str) -> dict[str, Any]:
    """Assert ``socket_id`` got only ``pusher:subscription_error`` for ``channel``; its data."""
    assert closes(actions) == []
    mine = received(actions, socket_id)
    assert [m["event"] for m in mine] == ["pusher:subscription_error"], mine
    assert len(delivers(actions)) == 1, actions  # nothing for anyone else
    assert mine[0]["channel"] == channel
    data = mine[0]["data"]
    assert isinstance(data, dict)
    return data
