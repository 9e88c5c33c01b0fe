"""Direct messages over the relay's API: private to their members, idempotent, throttled.

Real hub + relay on both stores; real pysher for channel auth and ``dm-created``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from desktopchat.server.relay import limits
from tests.conftest import PysherClient
from tests.integration.conftest import (
    SUB_ERROR,
    Api,
    error_of,
    events_of,
    wait_subscribed,
    watch_presence,
    watch_room,
)

SOCKET_ID = "1234.5678"


def start_dm(api: Api, *users: str | int, status: int = 201) -> dict[str, Any]:
    response = api.call("POST", "/api/dms", json={"users": list(users)})
    assert response.status_code == status, response.text
    dm: dict[str, Any] = response.json()["dm"]
    return dm


def test_a_dm_is_made_once_for_the_same_people_whoever_starts_it(api: Api) -> None:
    alice, bob = api.signed_up("alice"), api.signed_up("bob", display_name="Bob B")
    assert alice.user is not None
    assert bob.user is not None
    dm = start_dm(alice, "bob")
    assert dm["name"].startswith("dm-")
    assert dm["channel"] == f"private-room-{dm['name']}"
    assert dm["presence_channel"] == f"presence-room-{dm['name']}"
    assert [m["username"] for m in dm["members"]] == ["alice", "bob"]
    assert dm["members"][1]["display_name"] == "Bob B"
    assert dm["created_by"] == alice.user["id"]
    # Again, by username in another case, by id, or from Bob's side: the same DM, 200.
    assert start_dm(alice, "BOB", status=200) == dm
    assert start_dm(alice, bob.user["id"], "alice", status=200) == dm
    assert start_dm(bob, "alice", status=200) == dm
    assert alice.call("GET", "/api/dms").json() == {"dms": [dm], "has_more": False}
    assert bob.call("GET", "/api/dms").json()["dms"] == [dm]


def test_a_dm_is_listed_only_to_its_members_and_never_as_a_room(api: Api) -> None:
    alice, _bob, carol = api.signed_up("alice"), api.signed_up("bob"), api.signed_up("carol")
    dm = start_dm(alice, "bob")
    assert carol.call("GET", "/api/dms").json() == {"dms": [], "has_more": False}
    for user in (alice, carol):
        names = [room["name"] for room in user.call("GET", "/api/rooms").json()["rooms"]]
        assert names == ["general"], names
    assert dm["name"] not in json.dumps(carol.call("GET", "/api/rooms").json())


def test_members_talk_and_an_outsider_is_refused_everything(api: Api) -> None:
    alice, bob, carol = api.signed_up("alice"), api.signed_up("bob"), api.signed_up("carol")
    dm = start_dm(alice, "bob")
    room = dm["name"]
    sent = alice.sent("just us", room=room)
    assert sent["room"] == room
    assert [m["text"] for m in bob.history(room).json()["messages"]] == ["just us"]
    # The outsider: every read and write path answers as for a room that does not exist.
    for response in (
        carol.history(room),
        carol.send("let me in", room=room),
        carol.call("GET", f"/api/rooms/{room}/changes"),
        carol.call("PATCH", f"/api/rooms/{room}", json={"topic": "mine now"}),
        carol.call("PATCH", f"/api/rooms/{room}/messages/{sent['id']}", json={"text": "x"}),
        carol.call("DELETE", f"/api/rooms/{room}/messages/{sent['id']}"),
    ):
        assert error_of(response, 404)["code"] == "no_such_room"
    for channel in (dm["channel"], dm["presence_channel"]):
        assert error_of(carol.pusher_auth(SOCKET_ID, channel), 403)["code"] == "no_such_room"
        assert bob.pusher_auth(SOCKET_ID, channel).status_code == 200
    assert [m["text"] for m in alice.history(room).json()["messages"]] == ["just us"]


def test_a_dm_has_no_topic(api: Api) -> None:
    alice, _bob = api.signed_up("alice"), api.signed_up("bob")
    dm = start_dm(alice, "bob")
    response = alice.call("PATCH", f"/api/rooms/{dm['name']}", json={"topic": "ours"})
    assert error_of(response, 409)["code"] == "not_a_room"


def test_a_public_room_cannot_take_a_dm_name(api: Api) -> None:
    alice, _bob = api.signed_up("alice"), api.signed_up("bob")
    dm = start_dm(alice, "bob")
    for name in (dm["name"], "dm-anything"):
        response = alice.call("POST", "/api/rooms", json={"name": name})
        assert error_of(response, 400)["code"] == "reserved_room_name"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "invalid_users"),
        ({"users": []}, 400, "invalid_users"),
        ({"users": "bob"}, 400, "invalid_users"),
        ({"users": [None]}, 400, "invalid_users"),
        ({"users": [True]}, 400, "invalid_users"),
        ({"users": [-3]}, 400, "invalid_users"),
        ({"users": ["alice"]}, 400, "invalid_users"),
        ({"users": ["nobody"]}, 404, "unknown_user"),
        ({"users": [987654]}, 404, "unknown_user"),
        ({"users": ["bad\x00name"]}, 404, "unknown_user"),
        ({"users": ["bob"] * 17}, 400, "too_many_members"),
        # Too many is said first, even when some of them are no one.
        ({"users": [f"nobody{i}" for i in range(9)]}, 400, "too_many_members"),
        ({"users": ["bob", *(f"nobody{i}" for i in range(7))]}, 400, "too_many_members"),
        ({"users": ["bob", "nobody", "nobody", 987654]}, 404, "unknown_user"),
    ],
)
def test_bad_dm_requests_get_a_clear_error(
    api: Api, body: dict[str, Any], status: int, code: str
) -> None:
    alice, _bob = api.signed_up("alice"), api.signed_up("bob")
    assert error_of(alice.call("POST", "/api/dms", json=body), status)["code"] == code
    assert alice.call("GET", "/api/dms").json()["dms"] == []


def test_a_group_is_at_most_eight_people(api: Api) -> None:
    alice = api.signed_up("alice")
    others = [f"user{i}" for i in range(8)]
    for name in others:
        api.signed_up(name)
    group = start_dm(alice, *others[:7])
    assert len(group["members"]) == 8
    response = alice.call("POST", "/api/dms", json={"users": others})
    assert error_of(response, 400)["code"] == "too_many_members"


def test_bad_listing_parameters_are_400(api: Api) -> None:
    alice = api.signed_up("alice")
    for params, code in (({"limit": "0"}, "invalid_limit"), ({"after": "x\x00"}, "invalid_after")):
        assert error_of(alice.call("GET", "/api/dms", params=params), 400)["code"] == code
    assert error_of(api.call("GET", "/api/dms"), 401)["code"] == "unauthenticated"
    assert error_of(api.call("POST", "/api/dms", json={"users": ["x"]}), 401)


def test_starting_dms_is_throttled_per_user_but_finding_one_is_not(
    monkeypatch: pytest.MonkeyPatch, start_relay_hub: Callable[..., Any]
) -> None:
    monkeypatch.setattr(limits, "DMS_PER_USER", 2)
    from tests.integration.conftest import base_url

    api = Api(base_url(start_relay_hub()))
    alice = api.signed_up("alice")
    for name in ("bob", "carol", "dave"):
        api.signed_up(name)
    start_dm(alice, "bob")
    start_dm(alice, "carol")
    response = alice.call("POST", "/api/dms", json={"users": ["dave"]})
    assert error_of(response, 429)["code"] == "too_many_dms"
    assert int(response.headers["Retry-After"]) >= 1
    start_dm(alice, "bob", status=200)  # an existing one is still found
    assert len(alice.call("GET", "/api/dms").json()["dms"]) == 2


def test_only_its_user_may_follow_a_user_channel(api: Api) -> None:
    alice, bob = api.signed_up("alice"), api.signed_up("bob")
    assert alice.user is not None
    assert bob.user is not None
    assert alice.pusher_auth(SOCKET_ID, f"private-user-{alice.user['id']}").status_code == 200
    response = alice.pusher_auth(SOCKET_ID, f"private-user-{bob.user['id']}")
    assert error_of(response, 403)["code"] == "not_your_channel"


def test_dm_created_reaches_every_device_of_each_member_and_no_one_else(
    api: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    alice, bob, carol = api.signed_up("alice"), api.signed_up("bob"), api.signed_up("carol")
    bob_laptop = bob.login("bob").json()["token"]
    inboxes = []
    for who, token in ((bob, bob.token), (bob, bob_laptop), (alice, alice.token)):
        client = relay_pysher()
        assert who.user is not None
        box = watch_room(
            client, who.as_token(token), f"private-user-{who.user['id']}", "dm-created"
        )
        client.connect()
        wait_subscribed(box, "the user's own channel")
        inboxes.append(box)
    snoop = relay_pysher()
    assert bob.user is not None
    refused = watch_room(snoop, carol, f"private-user-{bob.user['id']}", "dm-created")
    snoop.connect()
    assert refused[SUB_ERROR].wait_count(1, "refusal")[0]["relay_status"] == 403
    dm = start_dm(alice, "bob")
    for box in inboxes:
        assert events_of(box["dm-created"], 1) == [{"dm": dm}]
    start_dm(bob, "alice", status=200)  # found, not made: announced no second time
    marker = alice.sent("after", room=dm["name"])
    assert marker["id"] == 1
    assert all(len(box["dm-created"].items) == 1 for box in inboxes)


def test_dm_messages_and_presence_reach_both_members(
    api: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    alice, bob = api.signed_up("alice"), api.signed_up("bob")
    dm = start_dm(alice, "bob")
    bob_client = relay_pysher()
    messages = watch_room(bob_client, bob, dm["channel"], "message")
    presence = watch_presence(
        bob_client, bob, dm["presence_channel"], "pusher_internal:member_added"
    )
    bob_client.connect()
    wait_subscribed(messages, "Bob's DM channel")
    wait_subscribed(presence, "Bob's DM presence")
    alice_client = relay_pysher()
    alice_presence = watch_presence(alice_client, alice, dm["presence_channel"])
    alice_client.connect()
    wait_subscribed(alice_presence, "Alice's DM presence")
    joined = events_of(presence["pusher_internal:member_added"], 1)
    assert alice.user is not None
    assert joined[0]["user_id"] == str(alice.user["id"])
    sent = alice.sent("hello Bob", room=dm["name"])
    assert events_of(messages["message"], 1) == [sent]
