"""The seed bridge on a real hub: seed posts are stored, desktop messages reach the page.

The seed page is played here by what it sends (a form POST to ``/AJAX_save/send``) and
what it hears (pysher on the public ``test_channel``); the desktop side by the relay's API
and pysher on the room's private channel, authorized by the relay. The browser tests
(``test_seed_browser.py``) run the pages themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pusher
import pytest
import requests

from desktopchat.server.credentials import AppCredentials
from desktopchat.server.relay import limits
from desktopchat.server.runner import HubThread
from tests.conftest import PysherClient
from tests.inbox import WAIT, Inbox
from tests.integration.conftest import Api, base_url, error_of, events_of, listen_room
from tests.integration.seed.conftest import (
    SEED_CHANNEL,
    SEED_EVENT,
    payloads,
    seed_history,
    seed_post,
)


@pytest.fixture
def desktop_listener(
    seed_hub: HubThread, credentials: AppCredentials
) -> Iterator[Callable[[Api, str], dict[str, Inbox]]]:
    """A desktop client's pysher on a room's private channel (auth from the relay)."""
    clients: list[PysherClient] = []

    def listen(user: Api, room: str = "general") -> dict[str, Inbox]:
        client = PysherClient(credentials.key, seed_hub.port, secret="")
        clients.append(client)
        return listen_room(client, user, "message", "message-updated", "message-deleted", room=room)

    yield listen
    for client in clients:
        client.close()


def texts(user: Api, room: str = "general") -> list[tuple[str, str]]:
    """``(author, text)`` of a room's stored history, as a desktop client reads it."""
    response = user.history(room)
    assert response.status_code == 200, response.text
    return [(m["author"]["display_name"], m["text"]) for m in response.json()["messages"]]


# --------------------------------------------------------------------- page -> desktop


def test_a_seed_post_is_stored_and_reaches_desktop_clients(
    seed_hub: HubThread, alice: Api, desktop_listener, listen_seed
) -> None:
    inboxes = desktop_listener(alice, "general")
    page = listen_seed(seed_hub)

    response = seed_post(seed_hub, "hello from the page", name="Wendy")
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    answer = response.json()
    assert answer["status"] == "sent"
    assert answer["name"] == "Wendy (web)"

    (event,) = events_of(inboxes["message"], 1, "the seed post on the room's channel")
    assert event["id"] == answer["id"]
    assert event["text"] == "hello from the page"
    assert event["author"]["display_name"] == "Wendy (web)"
    assert texts(alice) == [("Wendy (web)", "hello from the page")]
    # ...and back to every seed page, marked as a web author's.
    (echo,) = payloads(page, 1, "the seed post back on test_channel")
    assert echo["msg"] == "Wendy (web): hello from the page"
    assert echo["name"] == "Wendy (web)"
    assert echo["web"] is True
    assert echo["id"] == answer["id"]


def test_a_post_without_a_name_is_from_web_guest(seed_hub: HubThread, alice: Api) -> None:
    assert seed_post(seed_hub, "anonymous").status_code == 200
    assert seed_post(seed_hub, "blank name", name="   ").status_code == 200
    assert texts(alice) == [("web guest", "anonymous"), ("web guest", "blank name")]


def test_a_retried_post_with_its_client_id_is_stored_once(seed_hub: HubThread, alice: Api) -> None:
    first = seed_post(seed_hub, "once", client_id="page-1")
    again = seed_post(seed_hub, "once", client_id="page-1")
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert texts(alice) == [("web guest", "once")]


# --------------------------------------------------------------------- desktop -> page


def test_desktop_messages_edits_and_deletes_reach_the_seed_channel(
    seed_hub: HubThread, alice: Api, listen_seed
) -> None:
    page = listen_seed(seed_hub)
    sent = alice.sent("hi <b>page</b>")
    edited = alice.call(
        "PATCH", f"/api/rooms/general/messages/{sent['id']}", json={"text": "hi page"}
    )
    assert edited.status_code == 200, edited.text
    deleted = alice.call("DELETE", f"/api/rooms/general/messages/{sent['id']}")
    assert deleted.status_code == 200, deleted.text

    new, edit, gone = payloads(page, 3, "message, edit and delete on test_channel")
    assert new["msg"] == "Alice: hi <b>page</b>"
    assert (new["name"], new["web"], new["id"], new["event"]) == (
        "Alice",
        False,
        sent["id"],
        "message",
    )
    assert edit["msg"] == "Alice (edited): hi page"
    assert (edit["event"], edit["id"], edit["edited"]) == ("message-updated", sent["id"], True)
    assert gone["msg"] == "Alice deleted a message"
    assert (gone["event"], gone["id"], gone["deleted"]) == ("message-deleted", sent["id"], True)


def test_a_message_at_the_size_limit_fits_the_seed_event(
    seed_hub: HubThread, alice: Api, listen_seed
) -> None:
    """The mirrored event does not repeat the text, so it stays within Pusher's 10 KB."""
    page = listen_seed(seed_hub)
    text = "x" * limits.MAX_TEXT_BYTES
    alice.sent(text)
    (event,) = payloads(page, 1, "the largest message on test_channel")
    assert event["msg"] == f"Alice: {text}"


def test_other_rooms_are_not_bridged(seed_hub: HubThread, alice: Api, listen_seed) -> None:
    page = listen_seed(seed_hub)
    created = alice.call("POST", "/api/rooms", json={"name": "elsewhere", "topic": ""})
    assert created.status_code == 201, created.text
    alice.sent("not for the page", room="elsewhere")
    alice.sent("for the page")
    (event,) = payloads(page, 1)
    assert event["msg"] == "Alice: for the page"
    assert [e["msg"] for e in page.items] == ["Alice: for the page"]


def test_seed_room_names_the_bridged_room(
    start_relay_hub: Callable[..., HubThread], listen_seed
) -> None:
    hub = start_relay_hub(seed_compat=True, seed_room="lobby")
    bob = Api(base_url(hub)).signed_up("bob", display_name="Bob")
    page = listen_seed(hub)
    assert seed_post(hub, "into the lobby").status_code == 200
    bob.sent("general is not bridged now")
    bob.sent("lobby is", room="lobby")
    assert texts(bob, "lobby") == [("web guest", "into the lobby"), ("Bob", "lobby is")]
    assert texts(bob, "general") == [("Bob", "general is not bridged now")]
    assert [e["msg"] for e in payloads(page, 2)] == [
        "web guest: into the lobby",
        "Bob: lobby is",
    ]


# --------------------------------------------------------------------- impersonation


def test_a_web_author_cannot_pass_for_a_desktop_account(seed_hub: HubThread, alice: Api) -> None:
    alice.sent("the real Alice")
    assert seed_post(seed_hub, "the fake Alice", name="Alice").status_code == 200
    history = alice.history().json()["messages"]
    real, fake = history
    assert real["author"]["display_name"] == "Alice"
    assert fake["author"]["display_name"] == "Alice (web)"
    assert fake["author"]["id"] != real["author"]["id"]


def test_web_usernames_cannot_be_registered_or_signed_in(seed_api: Api, seed_hub) -> None:
    seed_post(seed_hub, "makes a web author", name="Mallory")
    error_of(seed_api.register("web:mallory"), 400)
    # The reserved namespace refuses every password, whatever the store holds.
    for username in ("web:mallory", "WEB:anything"):
        error_of(seed_api.login(username, "correct horse battery"), 401)


# --------------------------------------------------------------------- bad input, limits


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({}, 400, "blank_message"),
        ({"message": ""}, 400, "blank_message"),
        ({"message": " \n\t"}, 400, "blank_message"),
        ({"message": "x" * (limits.MAX_TEXT_BYTES + 1)}, 413, "text_too_large"),
        ({"message": "é" * (limits.MAX_TEXT_BYTES // 2 + 1)}, 413, "text_too_large"),
        ({"message": "nul\x00inside"}, 400, "invalid_text"),
        ({"message": "hi", "name": "n" * 41}, 400, "invalid_name"),  # MAX_SEED_NAME + 1
        ({"message": "hi", "name": "bidi\u202eeman"}, 400, "invalid_name"),
        ({"message": "hi", "client_id": "not valid!"}, 400, "invalid_client_id"),
    ],
)
def test_bad_seed_posts_get_a_json_error_and_store_nothing(
    seed_hub: HubThread, alice: Api, fields: dict[str, str], status: int, code: str
) -> None:
    response = requests.post(f"{base_url(seed_hub)}/AJAX_save/send", data=fields, timeout=WAIT)
    assert error_of(response, status)["code"] == code
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert texts(alice) == []


def test_seed_posts_are_rate_limited_per_address(seed_hub: HubThread, alice: Api) -> None:
    for n in range(limits.SEED_POSTS_PER_ADDRESS):
        assert seed_post(seed_hub, f"post {n}").status_code == 200
    refused = seed_post(seed_hub, "one too many")
    assert error_of(refused, 429)["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= limits.SEED_WINDOW
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    stored = texts(alice)
    assert len(stored) == limits.SEED_POSTS_PER_ADDRESS
    assert ("web guest", "one too many") not in stored
    # Desktop users are not throttled by the page's limit.
    alice.sent("still fine")


# --------------------------------------------------------------------- history


def test_history_gives_the_rooms_latest_messages_oldest_first(
    seed_hub: HubThread, alice: Api
) -> None:
    for n in range(3):
        alice.sent(f"desktop {n}")
    seed_post(seed_hub, "from the page", name="Wendy")
    response = seed_history(seed_hub, limit="3")
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["has_more"] is True
    assert [m["msg"] for m in body["messages"]] == [
        "Alice: desktop 1",
        "Alice: desktop 2",
        "Wendy (web): from the page",
    ]
    assert [m["web"] for m in body["messages"]] == [False, False, True]


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "²"])
def test_history_refuses_a_bad_limit(seed_hub: HubThread, limit: str) -> None:
    assert error_of(seed_history(seed_hub, limit=limit), 400)["code"] == "invalid_limit"


def test_history_is_rate_limited_per_address(seed_hub: HubThread) -> None:
    for _ in range(limits.SEED_HISTORY_PER_ADDRESS):
        assert seed_history(seed_hub).status_code == 200
    refused = seed_history(seed_hub)
    assert error_of(refused, 429)["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1


# --------------------------------------------------------------------- off by default


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/AJAX_save/send"),
        ("GET", "/AJAX_save/history"),
        ("GET", "/seed/"),
        ("GET", "/seed/seed.js"),
        ("GET", "/seed/pusher.min.js"),
    ],
)
def test_nothing_of_the_seed_is_served_without_seed_compat(
    relay_hub: HubThread, method: str, path: str
) -> None:
    response = requests.request(
        method, f"{base_url(relay_hub)}{path}", data={"message": "hi"}, timeout=WAIT
    )
    assert response.status_code == 404


def test_desktop_messages_reach_no_seed_channel_without_seed_compat(
    relay_hub: HubThread, credentials: AppCredentials, listen_seed
) -> None:
    page = listen_seed(relay_hub)
    carol = Api(base_url(relay_hub)).signed_up("carol")
    desktop = PysherClient(credentials.key, relay_hub.port, secret="")
    try:
        room = listen_room(desktop, carol, "message")
        carol.sent("private to the app")
        events_of(room["message"], 1, "the room's own event")
    finally:
        desktop.close()
    # A sentinel triggered afterwards on the seed channel: anything bridged would be before it.
    server = pusher.Pusher(
        app_id=credentials.app_id,
        key=credentials.key,
        secret=credentials.secret,
        host="127.0.0.1",
        port=relay_hub.port,
        ssl=False,
    )
    server.trigger(SEED_CHANNEL, SEED_EVENT, {"msg": "sentinel"})
    assert payloads(page, 1, "the sentinel") == [{"msg": "sentinel"}]
