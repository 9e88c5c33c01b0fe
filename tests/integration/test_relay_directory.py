"""Room announcements: every signed-in user's client follows ``private-directory``.

Rooms made or changed by anyone are triggered there (``room-created``, ``room-updated``)
after they are stored, so room lists stay live; real pysher clients without the secret
subscribe with the relay's signature.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import PysherClient
from tests.integration.conftest import Api, error_of, events_of, wait_subscribed, watch_room

DIRECTORY = "private-directory"


def test_config_names_the_directory_channel(api: Api) -> None:
    assert api.call("GET", "/api/config").json()["directory_channel"] == DIRECTORY


def test_a_room_made_by_one_user_is_announced_to_another(
    api: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    alice, bob = api.signed_up("alice"), api.signed_up("bob")
    client = relay_pysher()
    inboxes = watch_room(client, bob, DIRECTORY, "room-created", "room-updated")
    client.connect()
    wait_subscribed(inboxes, "bob's subscription to the directory")
    created = alice.call("POST", "/api/rooms", json={"name": "design", "topic": "Pixels"})
    assert created.status_code == 201, created.text
    [announced] = events_of(inboxes["room-created"], 1)
    assert announced == {"room": created.json()["room"]}
    changed = alice.call("PATCH", "/api/rooms/design", json={"topic": "Pixels and type"})
    assert changed.status_code == 200, changed.text
    [updated] = events_of(inboxes["room-updated"], 1)
    assert updated["room"]["topic"] == "Pixels and type"
    rooms = {r["name"]: r for r in bob.call("GET", "/api/rooms").json()["rooms"]}
    assert rooms["design"]["topic"] == "Pixels and type"


def test_the_directory_needs_a_signed_in_user(api: Api) -> None:
    api.signed_up("alice")
    response = api.pusher_auth("1234.5678", DIRECTORY)
    assert error_of(response, 401)["code"] in {"unauthenticated", "invalid_token"}


def test_a_topic_change_is_checked(api: Api) -> None:
    alice = api.signed_up("alice")
    assert error_of(alice.call("PATCH", "/api/rooms/nosuchroom", json={"topic": "x"}), 404)
    assert error_of(alice.call("PATCH", "/api/rooms/general", json={}), 400)["code"] == (
        "missing_topic"
    )
    too_long = alice.call("PATCH", "/api/rooms/general", json={"topic": "x" * 1000})
    assert too_long.status_code in (400, 413)


def test_a_topic_that_would_spoof_the_title_is_refused(api: Api) -> None:
    """Every window shows the topic in the room's title: no bidi overrides, no controls."""
    alice = api.signed_up("alice")
    for topic in ("\u202egnp.exe", "two\nlines", "bell\x07"):
        refused = alice.call("PATCH", "/api/rooms/general", json={"topic": topic})
        assert error_of(refused, 400)["code"] == "invalid_topic", topic
        created = alice.call("POST", "/api/rooms", json={"name": "spoof", "topic": topic})
        assert error_of(created, 400)["code"] == "invalid_topic", topic
    fine = alice.call("PATCH", "/api/rooms/general", json={"topic": "  Café ☕ — plans  "})
    assert fine.json()["room"]["topic"] == "Café ☕ — plans"
