"""Domain records: the relay's JSON parsed once, and anything malformed is a ProtocolError."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktopchat.client.domain import Author, Message, Room, ServerInfo, User, parse_time
from desktopchat.client.errors import ProtocolError

MESSAGE: dict[str, Any] = {
    "id": 42,
    "room": "general",
    "client_id": "dc-5f0c",
    "author": {"id": 7, "display_name": "Alice Liddell", "avatar_url": "/api/avatars/7.svg"},
    "text": "héllo 🎉 <b>not html</b>",
    "sent_at": "2026-11-28T16:21:46.123Z",
    "edited_at": None,
    "deleted": False,
    "attachments": [],
    "reply_to": None,
    "reactions": [],
}
EDITED = {**MESSAGE, "text": "fixed", "edited_at": "2026-11-28T16:22:01.500Z"}
REPLY = {
    **MESSAGE,
    "id": 43,
    "reply_to": {
        "id": 42,
        "author": {"id": 7, "display_name": "Alice Liddell", "avatar_url": "/api/avatars/7.svg"},
        "excerpt": "héllo 🎉",
        "deleted": False,
    },
    "reactions": [{"emoji": "👍", "count": 2, "user_ids": [8, 7]}],
}
USER: dict[str, Any] = {
    "id": 7,
    "username": "alice",
    "display_name": "Alice Liddell",
    "email": "alice@example.org",
    "avatar_url": "/api/avatars/7.svg",
}
ROOM: dict[str, Any] = {
    "name": "general",
    "topic": "Anything goes",
    "channel": "private-room-general",
    "presence_channel": "presence-room-general",
}
CONFIG: dict[str, Any] = {
    "pusher": {"key": "278d425bdf160c739803", "host": "127.0.0.1", "port": 6001, "tls": False},
    "auth_endpoint": "/api/pusher/auth",
    "max_message_bytes": 8192,
    "relay_version": "0.1.0",
}


def changed(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with ``path`` (``a.b``) set to ``value`` (or removed: DELETE)."""
    data = copy.deepcopy(base)
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


DELETE = object()


# ------------------------------------------------------------------------------- good JSON


def test_a_message_parses_with_its_author_and_times() -> None:
    message = Message.from_json(MESSAGE)
    assert message.id == 42
    assert message.room == "general"
    assert message.client_id == "dc-5f0c"
    assert message.author == Author(7, "Alice Liddell", "/api/avatars/7.svg")
    assert message.text == "héllo 🎉 <b>not html</b>"
    assert message.sent_at == datetime(2026, 11, 28, 16, 21, 46, 123000, tzinfo=UTC)
    assert message.sent_at.utcoffset() == timedelta(0)
    assert message.edited_at is None
    assert message.deleted is False


def test_an_edited_and_a_deleted_message_parse() -> None:
    edited = Message.from_json(EDITED)
    assert edited.edited_at == datetime(2026, 11, 28, 16, 22, 1, 500000, tzinfo=UTC)
    deleted = Message.from_json({**MESSAGE, "text": "", "deleted": True})
    assert deleted.deleted is True
    assert deleted.text == ""


def test_a_message_from_a_pusher_event_string_parses_after_json_decoding() -> None:
    assert Message.from_json(json.loads(json.dumps(MESSAGE))) == Message.from_json(MESSAGE)


@pytest.mark.parametrize("data", [MESSAGE, EDITED, {**MESSAGE, "deleted": True, "text": ""}, REPLY])
def test_message_to_json_round_trips(data: dict[str, Any]) -> None:
    message = Message.from_json(data)
    assert message.to_json() == data
    assert Message.from_json(message.to_json()) == message
    assert json.loads(json.dumps(message.to_json())) == data


def test_a_message_from_an_older_relay_has_no_quote_and_no_reactions() -> None:
    older = {k: v for k, v in MESSAGE.items() if k not in ("reply_to", "reactions")}
    message = Message.from_json(older)
    assert (message.reply_to, message.reactions) == (None, ())


def test_a_reaction_shows_at_once_and_is_taken_back_the_same_way() -> None:
    message = Message.from_json(REPLY)
    mine = message.with_reaction(9, "👍", on=True)
    assert mine.reactions[0].user_ids == (8, 7, 9)
    assert mine.with_reaction(9, "👍", on=True) == mine
    new = message.with_reaction(9, "🎉", on=True)
    assert [(r.emoji, r.count) for r in new.reactions] == [("👍", 2), ("🎉", 1)]
    assert new.with_reaction(9, "🎉", on=False) == message
    gone = message.with_reaction(8, "👍", on=False).with_reaction(7, "👍", on=False)
    assert gone.reactions == ()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reply_to", "42"),
        ("reply_to", {"id": "42"}),
        ("reactions", {}),
        ("reactions", [{"emoji": "👍", "user_ids": ["7"]}]),
        ("reactions", ["👍"]),
    ],
)
def test_a_malformed_quote_or_reaction_is_a_protocol_error(field: str, value: object) -> None:
    with pytest.raises(ProtocolError):
        Message.from_json({**REPLY, field: value})


def test_to_json_writes_utc_with_a_z_and_keeps_other_offsets() -> None:
    data = {**MESSAGE, "sent_at": "2026-11-28T18:21:46.123+02:00"}
    message = Message.from_json(data)
    assert message.to_json()["sent_at"] == "2026-11-28T18:21:46.123+02:00"
    assert message.sent_at.utcoffset() == timedelta(hours=2)
    assert message.sent_at.tzinfo is not None
    assert Message.from_json(message.to_json()) == message
    utc = Message.from_json({**MESSAGE, "sent_at": "2026-11-28T16:21:46.123+00:00"})
    assert utc.to_json()["sent_at"] == "2026-11-28T16:21:46.123Z"


def test_records_are_frozen() -> None:
    message = Message.from_json(MESSAGE)
    with pytest.raises(AttributeError):
        message.text = "changed"  # type: ignore[misc]


def test_a_user_parses_with_or_without_email() -> None:
    assert User.from_json(USER) == User(
        7, "alice", "Alice Liddell", "alice@example.org", "/api/avatars/7.svg"
    )
    assert User.from_json({**USER, "email": None}).email is None
    assert User.from_json(changed(USER, "email", DELETE)).email is None


def test_a_room_parses() -> None:
    assert Room.from_json(ROOM) == Room(
        "general", "Anything goes", "private-room-general", "presence-room-general"
    )


def test_server_info_parses_a_self_hosted_and_a_cluster_config() -> None:
    info = ServerInfo.from_json(CONFIG)
    assert info == ServerInfo(
        key="278d425bdf160c739803",
        host="127.0.0.1",
        port=6001,
        cluster=None,
        tls=False,
        auth_endpoint="/api/pusher/auth",
        max_message_bytes=8192,
        relay_version="0.1.0",
    )
    cloud = ServerInfo.from_json({**CONFIG, "pusher": {"key": "k", "cluster": "eu", "tls": True}})
    assert (cloud.host, cloud.port, cloud.cluster, cloud.tls) == (None, None, "eu", True)


def test_server_info_holds_no_secret_even_if_sent_one() -> None:
    info = ServerInfo.from_json(changed(CONFIG, "pusher.secret", "7ad3773142a6692b25b8"))
    assert "7ad3773142a6692b25b8" not in repr(info)


# --------------------------------------------------------------------------- malformed JSON

NOT_OBJECTS = [None, [], [MESSAGE], "message", 42, 4.2, True]

BAD_MESSAGES = [
    *NOT_OBJECTS,
    {},
    changed(MESSAGE, "id", DELETE),
    changed(MESSAGE, "id", "42"),
    changed(MESSAGE, "id", 42.0),
    changed(MESSAGE, "id", True),
    changed(MESSAGE, "id", None),
    changed(MESSAGE, "room", DELETE),
    changed(MESSAGE, "room", 1),
    changed(MESSAGE, "client_id", None),
    changed(MESSAGE, "text", DELETE),
    changed(MESSAGE, "text", None),
    changed(MESSAGE, "text", ["a"]),
    changed(MESSAGE, "text", {"html": "x"}),
    changed(MESSAGE, "author", DELETE),
    changed(MESSAGE, "author", None),
    changed(MESSAGE, "author", "alice"),
    changed(MESSAGE, "author", []),
    changed(MESSAGE, "author.id", DELETE),
    changed(MESSAGE, "author.id", "7"),
    changed(MESSAGE, "author.display_name", None),
    changed(MESSAGE, "author.avatar_url", 3),
    changed(MESSAGE, "sent_at", DELETE),
    changed(MESSAGE, "sent_at", None),
    changed(MESSAGE, "sent_at", 1764346906.123),
    changed(MESSAGE, "sent_at", ""),
    changed(MESSAGE, "sent_at", "yesterday"),
    changed(MESSAGE, "sent_at", "2026-13-45T99:99:99Z"),
    changed(MESSAGE, "sent_at", "x" * 100_000),
    changed(MESSAGE, "edited_at", "not a time"),
]


@pytest.mark.parametrize("data", BAD_MESSAGES)
def test_malformed_messages_raise_protocol_error(data: Any) -> None:
    with pytest.raises(ProtocolError):
        Message.from_json(data)


def test_protocol_error_messages_are_short_even_for_huge_input() -> None:
    with pytest.raises(ProtocolError) as caught:
        Message.from_json(changed(MESSAGE, "sent_at", "x" * 100_000))
    assert len(str(caught.value)) < 200


BAD_USERS = [
    *NOT_OBJECTS,
    {},
    changed(USER, "id", DELETE),
    changed(USER, "id", "7"),
    changed(USER, "id", False),
    changed(USER, "username", None),
    changed(USER, "display_name", 5),
    changed(USER, "avatar_url", DELETE),
]


@pytest.mark.parametrize("data", BAD_USERS)
def test_malformed_users_raise_protocol_error(data: Any) -> None:
    with pytest.raises(ProtocolError):
        User.from_json(data)


BAD_ROOMS = [
    *NOT_OBJECTS,
    {},
    changed(ROOM, "name", DELETE),
    changed(ROOM, "name", 1),
    changed(ROOM, "topic", None),
    changed(ROOM, "channel", DELETE),
    changed(ROOM, "presence_channel", ["presence-room-general"]),
]


@pytest.mark.parametrize("data", BAD_ROOMS)
def test_malformed_rooms_raise_protocol_error(data: Any) -> None:
    with pytest.raises(ProtocolError):
        Room.from_json(data)


BAD_CONFIGS = [
    *NOT_OBJECTS,
    {},
    {"error": {"code": "not_found", "message": "Not Found"}},
    changed(CONFIG, "pusher", DELETE),
    changed(CONFIG, "pusher", "278d425bdf160c739803"),
    changed(CONFIG, "pusher", []),
    changed(CONFIG, "pusher.key", DELETE),
    changed(CONFIG, "pusher.key", 5),
    changed(CONFIG, "auth_endpoint", DELETE),
    changed(CONFIG, "auth_endpoint", None),
    changed(CONFIG, "max_message_bytes", "8192"),
    changed(CONFIG, "max_message_bytes", True),
    changed(CONFIG, "relay_version", DELETE),
]


@pytest.mark.parametrize("data", BAD_CONFIGS)
def test_malformed_configs_raise_protocol_error(data: Any) -> None:
    with pytest.raises(ProtocolError):
        ServerInfo.from_json(data)


def test_a_config_that_is_not_a_relays_says_so() -> None:
    with pytest.raises(ProtocolError, match="does not look like a desktopchat relay"):
        ServerInfo.from_json({"ok": True})


@pytest.mark.parametrize("value", ["", "soon", "2026-02-30T00:00:00Z", "12:00"])
def test_parse_time_rejects_non_timestamps(value: str) -> None:
    with pytest.raises(ProtocolError, match="malformed timestamp"):
        parse_time(value)


@pytest.mark.parametrize("value", ["2026-11-28T16:21:46.123", "2026-11-28T16:21:46", "2026-11-28"])
def test_a_timestamp_without_a_timezone_is_malformed(value: str) -> None:
    """The relay always says UTC (``Z``); a naive time would be read as local time, and
    comparing it with the aware ones raises TypeError far from here."""
    with pytest.raises(ProtocolError):
        parse_time(value)
    with pytest.raises(ProtocolError):
        Message.from_json({**MESSAGE, "sent_at": value})
