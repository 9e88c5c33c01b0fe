"""Messages through the relay: stored, paged, edited, deleted, and announced to pysher.

Each event is checked against the stored message (same object as the HTTP response and the
history entry). "Nothing else was announced" is proven without sleeping: a control message
is sent after the action, and once its event arrived, anything the action triggered would
have arrived before it (the relay awaits each trigger, and a socket's frames are in order).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import PysherClient
from tests.integration.conftest import Api, error_of, events_of, listen_room

EVENTS = ("message", "message-updated", "message-deleted")


@pytest.fixture
def alice(api: Api) -> Api:
    return api.signed_up("alice", display_name="Alice A.")


@pytest.fixture
def bob(api: Api) -> Api:
    return api.signed_up("bob")


def max_message_bytes(api: Api) -> int:
    limit = api.call("GET", "/api/config").json()["max_message_bytes"]
    assert isinstance(limit, int)
    return limit


def test_sent_message_is_announced_to_the_rooms_private_channel(
    alice: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    inbox = listen_room(relay_pysher(), alice, *EVENTS)
    message = alice.sent("hello, room")
    assert message["text"] == "hello, room"
    assert message["room"] == "general"
    assert message["author"]["display_name"] == "Alice A."
    assert message["deleted"] is False
    assert message["edited_at"] is None
    assert events_of(inbox["message"], 1) == [message]
    history = alice.history().json()["messages"]
    assert history == [message]


def test_a_retry_with_the_same_client_id_stores_and_announces_once(
    alice: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    inbox = listen_room(relay_pysher(), alice, "message")
    first = alice.send("only once", client_id="c-1")
    assert first.status_code == 201
    retry = alice.send("only once", client_id="c-1")
    assert retry.status_code == 200
    assert retry.json() == first.json()
    control = alice.sent("control", client_id="c-2")
    # The control event arrived second: the retry announced nothing in between.
    assert events_of(inbox["message"], 2) == [first.json(), control]
    assert [m["id"] for m in alice.history().json()["messages"]] == [
        first.json()["id"],
        control["id"],
    ]
    assert len(inbox["message"].items) == 2


def test_client_ids_are_per_author(alice: Api, bob: Api) -> None:
    mine = alice.sent("mine", client_id="same")
    theirs = bob.sent("theirs", client_id="same")
    assert theirs["id"] == mine["id"] + 1
    assert [m["text"] for m in alice.history().json()["messages"]] == ["mine", "theirs"]


def test_history_pages_after_and_before_with_has_more(alice: Api) -> None:
    sent = [alice.sent(f"m{n}") for n in range(1, 6)]
    assert [m["id"] for m in sent] == [1, 2, 3, 4, 5]

    def page(**params: int) -> tuple[list[int], bool]:
        response = alice.call("GET", "/api/rooms/general/messages", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        return [m["id"] for m in body["messages"]], body["has_more"]

    assert page(after=2, limit=2) == ([3, 4], True)
    assert page(after=3, limit=2) == ([4, 5], False)
    assert page(after=5) == ([], False)
    assert page(before=3) == ([1, 2], False)
    assert page(before=5, limit=2) == ([3, 4], True)
    assert page() == ([1, 2, 3, 4, 5], False)
    assert page(limit=2) == ([4, 5], True)
    assert alice.history().json()["messages"] == sent


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"after": 1, "before": 3}, "invalid_range"),
        ({"limit": 0}, "invalid_limit"),
        ({"limit": 201}, "invalid_limit"),
        ({"after": -1}, "invalid_after"),
        ({"before": "x"}, "invalid_before"),
    ],
)
def test_history_refuses_bad_ranges(alice: Api, params: dict[str, object], code: str) -> None:
    alice.sent("something")
    assert (
        error_of(alice.call("GET", "/api/rooms/general/messages", params=params), 400)["code"]
        == code
    )


def test_history_of_a_missing_room_is_404(alice: Api) -> None:
    error_of(alice.history("nosuchroom"), 404)
    error_of(alice.send("hi", room="nosuchroom"), 404)


def test_editing_and_deleting_own_messages_announce_the_stored_object(
    alice: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    inbox = listen_room(relay_pysher(), alice, *EVENTS)
    original = alice.sent("frist")
    other = alice.sent("to be deleted")
    path = "/api/rooms/general/messages/{}"

    edited = alice.call("PATCH", path.format(original["id"]), json={"text": "first"})
    assert edited.status_code == 200, edited.text
    updated = edited.json()
    assert updated["text"] == "first"
    assert updated["id"] == original["id"]
    assert updated["edited_at"] is not None
    assert updated["sent_at"] == original["sent_at"]
    assert events_of(inbox["message-updated"], 1) == [updated]

    removed = alice.call("DELETE", path.format(other["id"]))
    assert removed.status_code == 200, removed.text
    deleted = removed.json()
    assert deleted["deleted"] is True
    assert deleted["text"] == ""
    assert deleted["id"] == other["id"]
    assert events_of(inbox["message-deleted"], 1) == [deleted]

    assert alice.history().json()["messages"] == [updated, deleted]
    assert events_of(inbox["message"], 2) == [original, other]
    # A deleted message stays deleted: no edits to the placeholder.
    assert error_of(alice.call("PATCH", path.format(other["id"]), json={"text": "x"}), 409)


def test_someone_elses_message_cannot_be_changed(
    alice: Api, bob: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    inbox = listen_room(relay_pysher(), bob, *EVENTS)
    message = alice.sent("alice's words")
    path = f"/api/rooms/general/messages/{message['id']}"
    assert error_of(bob.call("PATCH", path, json={"text": "bob's now"}), 403)["code"]
    assert error_of(bob.call("DELETE", path), 403)["code"]
    assert alice.history().json()["messages"] == [message]
    control = bob.sent("control")
    assert events_of(inbox["message"], 2) == [message, control]
    assert inbox["message-updated"].items == []
    assert inbox["message-deleted"].items == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/api/rooms/general/messages/99"),
        ("DELETE", "/api/rooms/general/messages/99"),
        ("PATCH", "/api/rooms/general/messages/abc"),
        ("PATCH", "/api/rooms/nosuchroom/messages/1"),
        ("DELETE", "/api/rooms/nosuchroom/messages/1"),
    ],
    ids=[
        "edit-missing-id",
        "delete-missing-id",
        "edit-non-numeric-id",
        "edit-in-missing-room",
        "delete-in-missing-room",
    ],
)
def test_changing_a_missing_message_or_room_is_404(alice: Api, method: str, path: str) -> None:
    alice.sent("exists")
    error = error_of(alice.call(method, path, json={"text": "edit"}), 404)
    assert error["code"] in {"no_such_message", "no_such_room"}
    assert [m["text"] for m in alice.history().json()["messages"]] == ["exists"]


@pytest.mark.parametrize("size", [None, 100_000], ids=["limit+1", "100000-chars"])
def test_oversize_text_is_413_stating_the_limit(alice: Api, size: int | None) -> None:
    limit = max_message_bytes(alice)
    error = error_of(alice.send("x" * (size or limit + 1)), 413)
    assert str(limit) in error["message"], error
    assert alice.history().json()["messages"] == []


def test_the_limit_counts_utf8_bytes_not_characters(alice: Api) -> None:
    limit = max_message_bytes(alice)
    # limit // 3 + 1 three-byte characters: under the limit in characters, over it in bytes.
    error = error_of(alice.send("€" * (limit // 3 + 1)), 413)
    assert str(limit) in error["message"]


def test_a_body_beyond_the_request_limit_is_413_too(alice: Api) -> None:
    error_of(alice.send("x" * 300_000), 413)


@pytest.mark.parametrize(
    "filler",
    ["x", "€", "😀", "x😀"],
    ids=["ascii", "3-byte", "4-byte", "ascii-with-one-emoji"],
)
def test_text_exactly_at_the_limit_is_stored_and_its_event_delivered(
    alice: Api, relay_pysher: Callable[..., PysherClient], filler: str
) -> None:
    """At the advertised limit the message must still fit one Pusher event (10 KB)."""
    limit = max_message_bytes(alice)
    if filler == "x😀":
        text = "x" * (limit - 4) + "😀"
    else:
        width = len(filler.encode())
        text = "x" * (limit % width) + filler * (limit // width)
    assert len(text.encode()) == limit
    inbox = listen_room(relay_pysher(), alice, "message")
    message = alice.sent(text)
    assert message["text"] == text
    assert events_of(inbox["message"], 1, "the event of a message at the limit") == [message]


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_blank_text_is_400(alice: Api, text: str) -> None:
    assert error_of(alice.send(text), 400)["code"] == "blank_text"


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "caf\xe9", "client_id": "c1"}',
        b'{"text": "\\ud800", "client_id": "c1"}',
        b'{"text": "a\\u0000b", "client_id": "c1"}',
        b'{"text": "unterminated',
        b'["text"]',
        b'{"text": 5, "client_id": "c1"}',
        b'{"text": "no client id"}',
        b'{"text": "bad client id", "client_id": "has space"}',
    ],
    ids=[
        "invalid-utf8",
        "lone-surrogate",
        "nul",
        "malformed",
        "not-an-object",
        "not-a-string",
        "no-client-id",
        "bad-client-id",
    ],
)
def test_invalid_bodies_are_400(alice: Api, body: bytes) -> None:
    response = alice.call(
        "POST",
        "/api/rooms/general/messages",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    error_of(response, 400)
    assert alice.history().json()["messages"] == []


def test_markup_is_stored_returned_and_announced_verbatim(
    alice: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    """The relay stores text, not HTML: escaping is the client's job when it renders.

    So markup must survive every hop unchanged — escaped on the way, a client would show
    ``&lt;b&gt;`` to users, or double-escape ``&amp;``.
    """
    text = "<script>alert(1)</script><b>x</b>&amp; \"quoted\" 'single'"
    inbox = listen_room(relay_pysher(), alice, "message")
    response = alice.send(text)
    assert response.status_code == 201
    assert response.json()["text"] == text
    assert json.loads(response.content)["text"] == text
    assert alice.history().json()["messages"][0]["text"] == text
    raw = inbox["message"].wait_count(1)[0]
    assert json.loads(raw)["text"] == text
