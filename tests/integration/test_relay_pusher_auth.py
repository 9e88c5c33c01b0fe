"""Channel authorization by the relay: ``POST /api/pusher/auth`` with a Bearer token.

The pysher clients here hold no app secret: a subscription succeeds only with the relay's
signature, and the relay signs only rooms' channels for logged-in users.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from desktopchat.server.credentials import AppCredentials
from tests.conftest import PysherClient
from tests.integration.conftest import (
    SUB_ERROR,
    Api,
    error_of,
    events_of,
    listen_room,
    wait_subscribed,
    watch_presence,
    watch_room,
)

SOCKET_ID = "1234.5678"


def test_private_room_channel_auth_is_signed_for_the_socket(
    api: Api, credentials: AppCredentials
) -> None:
    alice = api.signed_up("alice")
    response = alice.pusher_auth(SOCKET_ID, "private-room-general")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"auth"}
    key, _, signature = body["auth"].partition(":")
    assert key == credentials.key
    assert len(signature) == 64
    assert credentials.secret not in response.text
    # JSON bodies are accepted as well as pusher-js's form.
    as_json = alice.call(
        "POST",
        "/api/pusher/auth",
        json={"socket_id": SOCKET_ID, "channel_name": "private-room-general"},
    )
    assert as_json.json() == body


def test_pysher_without_the_secret_subscribes_with_the_relays_auth(
    api: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    alice = api.signed_up("alice")
    inbox = listen_room(relay_pysher(), alice, "message")
    message = alice.sent("through the relay's signature")
    assert events_of(inbox["message"], 1) == [message]


@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["no-token", "bad-token"])
def test_auth_without_a_valid_token_is_401(api: Api, token: str | None) -> None:
    api.signed_up("alice")
    response = api.as_token(token).pusher_auth(SOCKET_ID, "private-room-general")
    assert error_of(response, 401)["code"] in {"unauthenticated", "invalid_token"}


def test_auth_after_logout_is_401(api: Api) -> None:
    alice = api.signed_up("alice")
    assert alice.pusher_auth(SOCKET_ID, "private-room-general").status_code == 200
    assert alice.call("DELETE", "/api/sessions/current").status_code == 204
    assert error_of(alice.pusher_auth(SOCKET_ID, "private-room-general"), 401)["code"] == (
        "invalid_token"
    )


@pytest.mark.parametrize(
    "channel",
    [
        "private-other",
        "private-room-nosuchroom",
        "presence-room-nosuchroom",
        "presence-general",
        "private-encrypted-room-general",
        "test_channel",
    ],
)
def test_channels_that_are_not_a_rooms_are_refused_403(api: Api, channel: str) -> None:
    alice = api.signed_up("alice")
    error = error_of(alice.pusher_auth(SOCKET_ID, channel), 403)
    assert error["code"] in {"not_a_room_channel", "no_such_room"}


@pytest.mark.parametrize(
    ("socket_id", "channel"),
    [("", "private-room-general"), ("abc", "private-room-general"), (SOCKET_ID, "")],
)
def test_malformed_auth_requests_are_400(api: Api, socket_id: str, channel: str) -> None:
    alice = api.signed_up("alice")
    error_of(alice.pusher_auth(socket_id, channel), 400)


def test_a_refused_auth_leaves_pysher_unsubscribed(
    api: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    alice = api.signed_up("alice")
    logged_out = api.signed_up("bob")
    assert logged_out.call("DELETE", "/api/sessions/current").status_code == 204
    refused_client = relay_pysher()
    refused = watch_room(refused_client, logged_out, "private-room-general", "message")
    refused_client.connect()
    assert refused[SUB_ERROR].wait_count(1)[0]["relay_status"] == 401
    listening = listen_room(relay_pysher(), alice, "message")
    message = alice.sent("not for bob")
    assert events_of(listening["message"], 1) == [message]
    assert refused["message"].items == []


def test_presence_auth_carries_the_users_identity(api: Api) -> None:
    alice = api.signed_up("alice", display_name="Alice A.")
    assert alice.user is not None
    response = alice.pusher_auth(SOCKET_ID, "presence-room-general")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"auth", "channel_data"}
    assert json.loads(body["channel_data"]) == {
        "user_id": str(alice.user["id"]),
        "user_info": {"display_name": "Alice A.", "avatar_url": alice.user["avatar_url"]},
    }


def test_presence_subscription_with_the_relays_channel_data_lists_the_user(
    api: Api, relay_pysher: Callable[..., PysherClient]
) -> None:
    alice = api.signed_up("alice", display_name="Alice A.")
    bob = api.signed_up("bob", display_name="Bob B.")
    assert alice.user is not None
    assert bob.user is not None
    alice_client = relay_pysher()
    alice_view = watch_presence(
        alice_client, alice, "presence-room-general", "pusher_internal:member_added"
    )
    alice_client.connect()
    members = json.loads(wait_subscribed(alice_view, "alice's presence subscription"))
    alice_info = {"display_name": "Alice A.", "avatar_url": alice.user["avatar_url"]}
    assert members == {
        "presence": {
            "ids": [str(alice.user["id"])],
            "hash": {str(alice.user["id"]): alice_info},
            "count": 1,
        }
    }

    bob_client = relay_pysher()
    bob_view = watch_presence(bob_client, bob, "presence-room-general")
    bob_client.connect()
    bob_members = json.loads(wait_subscribed(bob_view, "bob's presence subscription"))
    assert bob_members["presence"]["count"] == 2
    assert bob_members["presence"]["hash"][str(bob.user["id"])] == {
        "display_name": "Bob B.",
        "avatar_url": bob.user["avatar_url"],
    }
    added = events_of(alice_view["pusher_internal:member_added"], 1)
    assert added == [
        {
            "user_id": str(bob.user["id"]),
            "user_info": {"display_name": "Bob B.", "avatar_url": bob.user["avatar_url"]},
        }
    ]
