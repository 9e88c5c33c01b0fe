"""Mentions (user ids on a message) and read marks (per user and room, for all their devices).

Against the real hub and relay on each store, with pysher listening: a mention travels in
the event, history and the change feed; a read mark only moves forward, is announced on
the user's own channel (which nobody else may follow) and survives a hub restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktopchat.server.runner import HubThread
from tests.conftest import PysherClient
from tests.integration.conftest import (
    SUB_ERROR,
    Api,
    base_url,
    error_of,
    events_of,
    listen_room,
    wait_subscribed,
    watch_room,
)


@pytest.fixture
def alice(api: Api) -> Api:
    return api.signed_up("alice", display_name="Alice A.")


@pytest.fixture
def bob(api: Api) -> Api:
    return api.signed_up("bob", display_name="Bob B.")


def uid(who: Api) -> int:
    assert who.user is not None
    user_id = who.user["id"]
    assert isinstance(user_id, int)
    return user_id


def mention(who: Api, text: str, ids: list[Any], **body: Any) -> Any:
    return who.call(
        "POST",
        "/api/rooms/general/messages",
        json={"text": text, "client_id": body.pop("client_id", uuid.uuid4().hex), "mentions": ids},
    )


def read(who: Api, message_id: Any, room: str = "general") -> Any:
    return who.call("PUT", f"/api/rooms/{room}/read", json={"message_id": message_id})


def listen_user(client: PysherClient, who: Api) -> dict[str, Any]:
    inboxes = watch_room(client, who, f"private-user-{uid(who)}", "read-state", "message")
    client.connect()
    wait_subscribed(inboxes, "subscription to the user's channel")
    return inboxes


# ---------------------------------------------------------------------------- mentions


def test_a_mention_is_stored_announced_and_caught_up_by_user_id(
    alice: Api, bob: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    inbox = listen_room(relay_pysher(), bob, "message")
    before = alice.call("GET", "/api/rooms/general/changes").json()["until"]
    sent = mention(alice, "hi @Bob B.", [uid(bob), uid(bob)])
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["mentions"] == [uid(bob)]
    assert events_of(inbox["message"], 1) == [message]
    assert alice.history().json()["messages"] == [message]
    # Stored with its mentions in one commit: never read without them, so no change to tell.
    changes = alice.call("GET", f"/api/rooms/general/changes?since={before}").json()
    assert changes["messages"] == []
    # A retry is the same message with the same mentions, and changes nothing more.
    retry = mention(alice, "hi @Bob B.", [uid(bob)], client_id=message["client_id"])
    assert (retry.status_code, retry.json()) == (200, message)
    again = alice.call("GET", f"/api/rooms/general/changes?since={changes['until']}").json()
    assert again["messages"] == []


def test_a_message_without_mentions_says_so(alice: Api) -> None:
    assert alice.sent("plain")["mentions"] == []


def test_an_edit_replaces_the_mentions_only_when_it_names_them(alice: Api, bob: Api) -> None:
    message = mention(alice, "hey @Bob B.", [uid(bob)]).json()
    path = f"/api/rooms/general/messages/{message['id']}"
    kept = alice.call("PATCH", path, json={"text": "hey @Bob B. (edited)"}).json()
    assert kept["mentions"] == [uid(bob)]
    moved = alice.call("PATCH", path, json={"text": "hey @Alice A.", "mentions": [uid(alice)]})
    assert moved.json()["mentions"] == [uid(alice)]
    assert alice.history().json()["messages"][0]["mentions"] == [uid(alice)]
    deleted = alice.call("DELETE", path).json()
    assert deleted["mentions"] == []


def test_an_edit_that_adds_a_mention_is_one_change_with_it(alice: Api, bob: Api) -> None:
    """The change feed carries the edit and its mention together, one counter step: a
    catch-up between the two never hands out the new text without the mention."""
    message = alice.sent("lunch?")
    before = alice.call("GET", "/api/rooms/general/changes").json()["until"]
    path = f"/api/rooms/general/messages/{message['id']}"
    edited = alice.call("PATCH", path, json={"text": "lunch @Bob B.?", "mentions": [uid(bob)]})
    assert edited.status_code == 200, edited.text
    changes = alice.call("GET", f"/api/rooms/general/changes?since={before}").json()
    assert [(m["text"], m["mentions"]) for m in changes["messages"]] == [
        ("lunch @Bob B.?", [uid(bob)])
    ]
    assert changes["until"] == before + 1


@pytest.mark.parametrize(
    ("mentions", "code"),
    [
        ("2", "invalid_mentions"),
        ([True], "invalid_mentions"),
        ([-1], "invalid_mentions"),
        (["2"], "invalid_mentions"),
        ([2**63], "invalid_mentions"),
        (list(range(1, 52)), "too_many_mentions"),
        ([999], "unknown_mentions"),
    ],
)
def test_bad_mentions_are_refused_and_store_nothing(alice: Api, mentions: Any, code: str) -> None:
    error = error_of(mention(alice, "nobody", mentions), 400)
    assert error["code"] == code
    assert alice.history().json()["messages"] == []


def test_an_edit_with_unknown_mentions_changes_nothing(alice: Api) -> None:
    message = alice.sent("as it was")
    path = f"/api/rooms/general/messages/{message['id']}"
    error = error_of(alice.call("PATCH", path, json={"text": "new", "mentions": [999]}), 400)
    assert error["code"] == "unknown_mentions"
    assert alice.history().json()["messages"] == [message]


# -------------------------------------------------------------------------- read state


def test_a_read_mark_moves_forward_only_and_reaches_the_users_other_devices(
    alice: Api, bob: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    other_device = listen_user(relay_pysher(), alice)
    for n in range(3):
        bob.sent(f"m{n}")
    answer = read(alice, 2)
    assert (answer.status_code, answer.json()) == (200, {"room": "general", "message_id": 2})
    back = read(alice, 1)
    assert back.json() == {"room": "general", "message_id": 2}  # never backwards
    read(alice, 3)
    # Two moves, two events, in order (the refused step back announced nothing).
    assert events_of(other_device["read-state"], 2) == [
        {"room": "general", "message_id": 2},
        {"room": "general", "message_id": 3},
    ]
    listing = alice.call("GET", "/api/read-state").json()
    assert listing["rooms"] == [{"room": "general", "message_id": 3}]
    assert bob.call("GET", "/api/read-state").json()["rooms"] == []


def test_nobody_else_may_follow_a_users_channel(
    alice: Api, bob: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    client = relay_pysher()
    inboxes = watch_room(client, bob, f"private-user-{uid(alice)}", "read-state")
    client.connect()
    refused = inboxes[SUB_ERROR].wait_count(1, "the refusal")[0]
    assert refused["relay_status"] == 403
    assert '"not_your_channel"' in refused["body"]


@pytest.mark.parametrize(
    ("room", "body", "status", "code"),
    [
        ("nowhere", {"message_id": 1}, 404, "no_such_room"),
        ("general", {"message_id": 5}, 404, "no_such_message"),
        ("general", {"message_id": "1"}, 400, "invalid_message_id"),
        ("general", {"message_id": -1}, 400, "invalid_message_id"),
        ("general", {"message_id": True}, 400, "invalid_message_id"),
        ("general", {}, 400, "invalid_message_id"),
    ],
)
def test_bad_read_marks_are_refused(
    alice: Api, room: str, body: dict[str, Any], status: int, code: str
) -> None:
    alice.sent("one")
    answer = alice.call("PUT", f"/api/rooms/{room}/read", json=body)
    assert error_of(answer, status)["code"] == code
    assert alice.call("GET", "/api/read-state").json()["rooms"] == []


def test_read_state_needs_a_session(api: Api) -> None:
    assert error_of(api.call("GET", "/api/read-state"), 401)["code"] == "unauthenticated"
    assert error_of(read(api, 1), 401)["code"] == "unauthenticated"


def test_read_marks_survive_a_hub_restart(
    start_relay_hub: Callable[..., HubThread], tmp_path: Path
) -> None:
    first = start_relay_hub(data_dir=tmp_path / "kept")
    alice = Api(base_url(first)).signed_up("alice")
    alice.sent("one")
    read(alice, 1)
    first.stop()
    second = start_relay_hub(data_dir=tmp_path / "kept")
    again = Api(base_url(second), token=alice.token)
    assert again.call("GET", "/api/read-state").json()["rooms"] == [
        {"room": "general", "message_id": 1}
    ]
