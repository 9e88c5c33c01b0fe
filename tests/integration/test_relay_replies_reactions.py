"""Replies, reactions and ``around=`` through the relay, on every store.

Each reaction or reply is checked where a client sees it: the HTTP answer, history, the
Pusher event, and ``/changes`` for a client that was away (each change exactly once).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from desktopchat.server.relay.reactions import MAX_DISTINCT_PER_MESSAGE
from tests.conftest import HubThread, PysherClient
from tests.integration.conftest import Api, base_url, error_of, events_of, listen_room


@pytest.fixture
def alice(api: Api) -> Api:
    return api.signed_up("alice", display_name="Alice A.")


@pytest.fixture
def bob(api: Api) -> Api:
    return api.signed_up("bob", display_name="Bob B.")


def reply(api: Api, text: str, reply_to: object, room: str = "general") -> requests.Response:
    body = {"text": text, "client_id": uuid.uuid4().hex, "reply_to": reply_to}
    return api.call("POST", f"/api/rooms/{room}/messages", json=body)


def react(
    api: Api, message_id: object, emoji: str, *, method: str = "PUT", room: str = "general"
) -> requests.Response:
    path = f"/api/rooms/{room}/messages/{message_id}/reactions/{quote(emoji, safe='')}"
    return api.call(method, path)


def changes(api: Api, since: int | None = None) -> dict[str, Any]:
    params = {} if since is None else {"since": since}
    response = api.call("GET", "/api/rooms/general/changes", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# ------------------------------------------------------------------------------ replies


def test_a_reply_carries_a_quote_of_its_original(alice: Api, bob: Api) -> None:
    original = alice.sent("Lunch at noon?\nsecond line is not quoted")
    answer = reply(bob, "yes!", original["id"])
    assert answer.status_code == 201, answer.text
    message = answer.json()
    assert message["reply_to"] == {
        "id": original["id"],
        "author": original["author"],
        "excerpt": "Lunch at noon?",
        "deleted": False,
    }
    assert original["reply_to"] is None
    assert original["reactions"] == []
    assert bob.history().json()["messages"][-1] == message


def test_a_reply_is_announced_with_its_quote(
    alice: Api, bob: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    inbox = listen_room(relay_pysher(), alice, "message")
    original = alice.sent("the plan")
    message = reply(bob, "agreed", original["id"]).json()
    assert events_of(inbox["message"], 2)[1] == message
    assert message["reply_to"]["id"] == original["id"]


def test_a_retried_reply_is_stored_once(alice: Api, bob: Api) -> None:
    original = alice.sent("once")
    body = {"text": "only once", "client_id": "r-1", "reply_to": original["id"]}
    first = bob.call("POST", "/api/rooms/general/messages", json=body)
    again = bob.call("POST", "/api/rooms/general/messages", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["reply_to"]["id"] == original["id"]
    assert len(bob.history().json()["messages"]) == 2


@pytest.mark.parametrize("target", [0, -1, "1", 1.5, True, [1], 2**63])
def test_a_reply_to_something_not_an_id_is_refused(alice: Api, target: object) -> None:
    alice.sent("there is one message")
    assert error_of(reply(alice, "hm", target), 400)["code"] == "invalid_reply_to"
    assert len(alice.history().json()["messages"]) == 1


def test_a_reply_to_a_message_of_another_room_is_refused_and_stores_nothing(alice: Api) -> None:
    assert alice.call("POST", "/api/rooms", json={"name": "other"}).status_code == 201
    elsewhere = alice.sent("in other", room="other")
    alice.sent("in general")
    refused = reply(alice, "lost?", elsewhere["id"] + 5)
    assert error_of(refused, 400)["code"] == "no_such_reply_target"
    refused = reply(alice, "wrong room", 2, room="other")
    assert error_of(refused, 400)["code"] == "no_such_reply_target"
    assert len(alice.history("other").json()["messages"]) == 1
    # The failed reply took no id: the next message is 2, no gap.
    assert alice.sent("next", room="other")["id"] == 2


def test_the_quote_follows_edits_and_deletes_of_the_original(alice: Api, bob: Api) -> None:
    original = alice.sent("first draft")
    answer = reply(bob, "nice", original["id"]).json()
    since = changes(bob)["until"]
    edited = alice.call(
        "PATCH", f"/api/rooms/general/messages/{original['id']}", json={"text": "final"}
    )
    assert edited.status_code == 200
    quote_now = bob.history().json()["messages"][-1]["reply_to"]
    assert quote_now["excerpt"] == "final"
    # A client that was away learns of the new quote through the change counter, once.
    caught = changes(bob, since)
    assert [m["id"] for m in caught["messages"]] == [original["id"], answer["id"]]
    assert caught["messages"][1]["reply_to"]["excerpt"] == "final"
    assert alice.call("DELETE", f"/api/rooms/general/messages/{original['id']}").ok
    caught = changes(bob, caught["until"])
    assert [m["id"] for m in caught["messages"]] == [original["id"], answer["id"]]
    assert caught["messages"][1]["reply_to"]["deleted"] is True
    assert caught["messages"][1]["reply_to"]["excerpt"] == ""
    assert changes(bob, caught["until"])["messages"] == []


# ------------------------------------------------------------------------------ around


def test_around_gives_the_message_and_its_neighbours(alice: Api) -> None:
    for n in range(1, 31):
        alice.sent(f"m{n}")
    page = alice.call("GET", "/api/rooms/general/messages", params={"around": 5, "limit": 6})
    body = page.json()
    assert [m["id"] for m in body["messages"]] == [3, 4, 5, 6, 7, 8]
    assert (body["has_more"], body["has_more_after"]) == (True, True)
    first = alice.call("GET", "/api/rooms/general/messages", params={"around": 1, "limit": 4})
    assert [m["id"] for m in first.json()["messages"]] == [1, 2, 3, 4]
    assert first.json()["has_more"] is False
    last = alice.call("GET", "/api/rooms/general/messages", params={"around": 30, "limit": 4})
    assert [m["id"] for m in last.json()["messages"]] == [27, 28, 29, 30]
    assert last.json()["has_more_after"] is False


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"around": 99}, 404, "no_such_message"),
        ({"around": "x"}, 400, "invalid_around"),
        ({"around": 1, "after": 1}, 400, "invalid_range"),
        ({"around": 1, "limit": 0}, 400, "invalid_limit"),
    ],
)
def test_around_refuses_what_it_cannot_answer(
    alice: Api, params: dict[str, object], status: int, code: str
) -> None:
    alice.sent("one")
    response = alice.call("GET", "/api/rooms/general/messages", params=params)
    assert error_of(response, status)["code"] == code


# ---------------------------------------------------------------------------- reactions


def test_reactions_count_who_reacted_and_are_idempotent(alice: Api, bob: Api) -> None:
    message = alice.sent("ship it")
    assert react(bob, message["id"], "👍").status_code == 200
    again = react(bob, message["id"], ":thumbsup:")  # the same emoji, by its shortcode
    assert again.status_code == 200
    answer = react(alice, message["id"], ":+1:").json()
    assert answer["reactions"] == [
        {"emoji": "👍", "count": 2, "user_ids": [bob.user["id"], alice.user["id"]]}  # type: ignore[index]
    ]
    react(alice, message["id"], "❤")  # text-style heart: stored as the emoji ❤️
    history = alice.history().json()["messages"][0]
    assert [(r["emoji"], r["count"]) for r in history["reactions"]] == [("👍", 2), ("❤️", 1)]
    removed = react(bob, message["id"], "👍", method="DELETE").json()
    assert [(r["emoji"], r["count"]) for r in removed["reactions"]] == [("👍", 1), ("❤️", 1)]
    twice = react(bob, message["id"], "👍", method="DELETE")
    assert twice.status_code == 200
    assert twice.json() == removed


def test_a_reaction_is_announced_once_and_caught_up_once(
    alice: Api, bob: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    inbox = listen_room(relay_pysher(), alice, "message", "message-reactions")
    message = alice.sent("vote")
    since = changes(bob)["until"]
    reacted = react(bob, message["id"], "🎉").json()
    react(bob, message["id"], "🎉")  # a repeat: announces nothing
    control = alice.sent("control")
    assert events_of(inbox["message"], 2)[1] == control
    assert events_of(inbox["message-reactions"], 1) == [reacted]
    assert len(inbox["message-reactions"].items) == 1
    caught = changes(bob, since)
    assert caught["messages"] == [reacted]
    assert changes(bob, caught["until"])["messages"] == []


def test_a_reaction_made_while_the_hub_was_down_reaches_a_client_once_after_restart(
    start_relay_hub: Callable[..., HubThread], tmp_path: Path
) -> None:
    data_dir = tmp_path / "kept"
    first = start_relay_hub(data_dir=data_dir)
    alice = Api(base_url(first)).signed_up("alice")
    message = alice.sent("before the restart")
    since = changes(alice)["until"]
    first.stop()
    second = start_relay_hub(data_dir=data_dir)
    bob = Api(base_url(second)).signed_up("bob")
    alice = Api(base_url(second), alice.token, alice.user)
    reacted = react(bob, message["id"], "🚀").json()
    caught = changes(alice, since)
    assert caught["messages"] == [reacted]
    assert reacted["reactions"][0]["user_ids"] == [bob.user["id"]]  # type: ignore[index]


@pytest.mark.parametrize("emoji", ["a", "👍👍", ":no_such_code:", "👍 x", "%00", " "])
def test_a_reaction_that_is_not_one_emoji_is_refused(alice: Api, emoji: str) -> None:
    message = alice.sent("hi")
    assert error_of(react(alice, message["id"], emoji), 400)["code"] == "invalid_emoji"
    assert alice.history().json()["messages"][0]["reactions"] == []


def test_reactions_are_capped_per_message_but_joining_one_is_not(alice: Api, bob: Api) -> None:
    message = alice.sent("react to me")
    faces = [chr(0x1F600 + n) for n in range(MAX_DISTINCT_PER_MESSAGE + 1)]
    for face in faces[:-1]:
        assert react(alice, message["id"], face).status_code == 200
    refused = react(alice, message["id"], faces[-1])
    assert error_of(refused, 409)["code"] == "too_many_reactions"
    assert react(bob, message["id"], faces[0]).status_code == 200  # an existing chip
    stored = alice.history().json()["messages"][0]["reactions"]
    assert len(stored) == MAX_DISTINCT_PER_MESSAGE


def test_reactions_on_what_is_not_there_are_refused(alice: Api, bob: Api) -> None:
    message = alice.sent("soon gone")
    assert error_of(react(alice, 99, "👍"), 404)["code"] == "no_such_message"
    assert error_of(react(alice, "x", "👍"), 404)["code"] == "no_such_message"
    assert error_of(react(alice, 1, "👍", room="nowhere"), 404)["code"] == "no_such_room"
    assert alice.call("DELETE", f"/api/rooms/general/messages/{message['id']}").ok
    assert error_of(react(bob, message["id"], "👍"), 409)["code"] == "message_deleted"
    unauthenticated = bob.as_token(None)
    assert error_of(react(unauthenticated, message["id"], "👍"), 401)["code"] == "unauthenticated"
