"""Subscriptions, presence, server triggers and user sign-in in the protocol core."""

from __future__ import annotations

import json
import logging
from typing import Any

import pusher
import pysher
import pytest

from desktopchat.server import limits
from desktopchat.server.actions import Close, Deliver
from desktopchat.server.core import ChannelsCore
from tests.unit.helpers import (
    CREDS,
    MAX_NAME,
    T0,
    channel_auth,
    client_event,
    closes,
    connect,
    decode,
    delivers,
    error_then_close,
    events,
    join,
    make_core,
    presence_data,
    received,
    refused,
    send,
    sign,
    signin,
    string_data,
    subscribe,
    subscribe_signed,
    succeeded,
    webhooks,
)


def targets(actions: list[Any], channel: str) -> set[str]:
    """Every socket a frame on ``channel`` goes to."""
    return {
        socket_id
        for d in delivers(actions)
        if decode(d.frame).get("channel") == channel
        for socket_id in d.socket_ids
    }


def reaches(core: ChannelsCore, channel: str) -> set[str]:
    """The sockets a server event on ``channel`` reaches right now."""
    return targets(core.trigger([channel], "probe", "{}"), channel)


# --------------------------------------------------------------------------------- public


def test_public_subscribe_succeeds_with_data_the_string_empty_object() -> None:
    core = make_core()
    socket_id = connect(core)

    actions = subscribe(core, socket_id, "news")

    assert len(actions) == 1
    message = received(actions, socket_id)[0]
    assert message == {
        "event": "pusher_internal:subscription_succeeded",
        "channel": "news",
        "data": "{}",
    }
    assert core.subscription_count("news") == 1
    assert reaches(core, "news") == {socket_id}


def test_subscribing_twice_is_one_subscription() -> None:
    core = make_core()
    socket_id = connect(core)
    subscribe(core, socket_id, "news")

    assert succeeded(subscribe(core, socket_id, "news"), socket_id, "news") == {}
    assert core.subscription_count("news") == 1
    (deliver,) = delivers(core.trigger(["news"], "e", "{}"))
    assert deliver.socket_ids == (socket_id,)


@pytest.mark.parametrize(
    "channel",
    [
        pytest.param("", id="empty"),
        pytest.param("has space", id="space"),
        pytest.param("a/b", id="slash"),
        pytest.param("private-a:b", id="colon"),
        pytest.param("caf\u00e9", id="non-ascii"),
        pytest.param("x" * (MAX_NAME + 1), id="too-long"),
        pytest.param("#news", id="hash-prefix"),
        pytest.param("#server-to-user-", id="server-to-user-without-id"),
        pytest.param("#server-to-user-a b", id="server-to-user-bad-id"),
        pytest.param("news\n", id="trailing-newline"),
    ],
)
def test_invalid_channel_name_is_refused_with_status_400(channel: str) -> None:
    core = make_core()
    socket_id = connect(core)

    data = refused(subscribe(core, socket_id, channel), socket_id, channel)

    assert data["status"] == 400
    assert core.subscription_count(channel) == 0
    assert list(core.occupied_channels()) == []


@pytest.mark.parametrize(
    "channel",
    ["x" * MAX_NAME, "a-b_c=d@e,f.g;h", "private", "presence"],
    ids=["max-length", "every-allowed-symbol", "bare-private", "bare-presence"],
)
def test_valid_public_channel_names_are_accepted(channel: str) -> None:
    core = make_core()
    socket_id = connect(core)

    assert succeeded(subscribe(core, socket_id, channel), socket_id, channel) == {}


@pytest.mark.parametrize("channel", [5, None, ["news"], {"name": "news"}])
def test_subscribe_with_a_non_string_channel_gets_pusher_error(channel: object) -> None:
    core = make_core()
    socket_id = connect(core)

    actions = send(core, socket_id, {"event": "pusher:subscribe", "data": {"channel": channel}})

    assert events(actions, socket_id) == ["pusher:error"]
    assert isinstance(received(actions, socket_id)[0]["data"], dict)
    assert closes(actions) == []
    assert list(core.occupied_channels()) == []


# -------------------------------------------------------------------------------- private


def test_private_subscribe_with_a_valid_signature_succeeds() -> None:
    core = make_core()
    socket_id = connect(core)

    actions = subscribe(
        core, socket_id, "private-chat", auth=channel_auth(socket_id, "private-chat")
    )

    assert succeeded(actions, socket_id, "private-chat") == {}
    assert reaches(core, "private-chat") == {socket_id}


def test_private_subscribe_signed_by_pusher_http_python_succeeds() -> None:
    core = make_core()
    socket_id = connect(core)
    server = pusher.Pusher(app_id=CREDS.app_id, key=CREDS.key, secret=CREDS.secret)
    auth = server.authenticate(channel="private-chat", socket_id=socket_id)

    actions = subscribe(core, socket_id, "private-chat", auth=auth["auth"])

    assert succeeded(actions, socket_id, "private-chat") == {}


def test_subscribe_signed_locally_by_pysher_with_its_socket_id_succeeds() -> None:
    core = make_core()
    socket_id, greeting = core.open(T0)
    client = pysher.Pusher(
        CREDS.key,
        secret=CREDS.secret,
        user_data={"user_id": 7, "user_info": {"name": "Zo\u00eb"}},
        log_level=logging.WARNING,
    )
    client.connection._connect_handler(received(greeting, socket_id)[0]["data"])

    private = subscribe(core, socket_id, "private-a", auth=client._generate_auth_token("private-a"))
    # pysher sends json.dumps(user_data) (spaces, \u escapes, an int user_id) as channel_data.
    presence = subscribe(
        core,
        socket_id,
        "presence-a",
        auth=client._generate_presence_token("presence-a"),
        channel_data=json.dumps(client.user_data),
    )

    assert succeeded(private, socket_id, "private-a") == {}
    assert succeeded(presence, socket_id, "presence-a")["presence"]["ids"] == ["7"]


FORGED = {
    "missing": lambda sid, ch: None,
    "empty": lambda sid, ch: "",
    "not-a-string": lambda sid, ch: 12345,
    "wrong-secret": lambda sid, ch: sign(f"{sid}:{ch}", secret="0" * 20),
    "wrong-key": lambda sid, ch: sign(f"{sid}:{ch}", key="ffffffffffffffffffff"),
    "no-key-prefix": lambda sid, ch: channel_auth(sid, ch).split(":", 1)[1],
    "other-socket": lambda sid, ch: channel_auth("1234.1234", ch),
    "other-channel": lambda sid, ch: channel_auth(sid, ch + "x"),
    "upper-case-hex": lambda sid, ch: CREDS.key + ":" + channel_auth(sid, ch).split(":")[1].upper(),
    "trailing-space": lambda sid, ch: channel_auth(sid, ch) + " ",
}


@pytest.mark.parametrize("forge", FORGED.values(), ids=FORGED.keys())
@pytest.mark.parametrize("channel", ["private-chat", "private-encrypted-chat"])
def test_badly_signed_private_subscribe_is_refused_and_gets_no_events(
    forge: Any, channel: str
) -> None:
    core = make_core()
    intruder, member = connect(core), connect(core)
    subscribe_signed(core, member, channel)

    data = refused(
        subscribe(core, intruder, channel, auth=forge(intruder, channel)), intruder, channel
    )

    assert data["status"] == 401
    assert isinstance(data["error"], str)
    assert core.subscription_count(channel) == 1
    assert reaches(core, channel) == {member}
    later = client_event(core, member, channel)
    assert events(later, intruder) == []


def test_private_signature_for_another_socket_is_refused_even_if_that_socket_exists() -> None:
    core = make_core()
    owner, thief = connect(core), connect(core)
    stolen = channel_auth(owner, "private-chat")

    refused(subscribe(core, thief, "private-chat", auth=stolen), thief, "private-chat")
    assert (
        succeeded(subscribe(core, owner, "private-chat", auth=stolen), owner, "private-chat") == {}
    )


# ------------------------------------------------------------------------------- presence


def test_presence_subscription_succeeded_has_exact_ids_hash_and_count() -> None:
    core = make_core()
    alice, bob, alice2 = connect(core), connect(core), connect(core)
    join(core, alice, "presence-room", "alice", {"name": "Alice"})
    join(core, bob, "presence-room", "bob")

    actions = join(core, alice2, "presence-room", "alice", {"name": "Alice"})

    assert succeeded(actions, alice2, "presence-room") == {
        "presence": {
            "ids": ["alice", "bob"],
            "hash": {"alice": {"name": "Alice"}, "bob": None},
            "count": 2,
        }
    }


def test_first_presence_member_sees_only_themselves() -> None:
    core = make_core()
    socket_id = connect(core)

    actions = join(core, socket_id, "presence-room", "u1", {"n": 1})

    assert len(actions) == 1  # no member_added to anyone
    assert succeeded(actions, socket_id, "presence-room") == {
        "presence": {"ids": ["u1"], "hash": {"u1": {"n": 1}}, "count": 1}
    }


def test_member_added_goes_to_the_others_only_on_a_users_first_socket() -> None:
    core = make_core()
    bob, alice1, alice2 = connect(core), connect(core), connect(core)
    join(core, bob, "presence-room", "bob")

    first = join(core, alice1, "presence-room", "alice", {"name": "Alice"})
    second = join(core, alice2, "presence-room", "alice", {"name": "Alice"})

    added = [m for m in received(first, bob) if m["event"] == "pusher_internal:member_added"]
    assert len(added) == 1
    assert added[0]["channel"] == "presence-room"
    assert string_data(added[0]) == {"user_id": "alice", "user_info": {"name": "Alice"}}
    assert events(first, alice1) == ["pusher_internal:subscription_succeeded"]
    # The second socket of the same user is no new member.
    assert events(second, bob) == []
    assert events(second, alice1) == []
    assert events(second, alice2) == ["pusher_internal:subscription_succeeded"]


def test_member_added_reaches_every_socket_of_the_existing_members() -> None:
    core = make_core()
    bob1, bob2, carol = connect(core), connect(core), connect(core)
    join(core, bob1, "presence-room", "bob")
    join(core, bob2, "presence-room", "bob")

    actions = join(core, carol, "presence-room", "carol")

    for socket_id in (bob1, bob2):
        assert events(actions, socket_id) == ["pusher_internal:member_added"]


def test_member_removed_only_when_a_users_last_socket_leaves() -> None:
    core = make_core()
    bob, alice1, alice2 = connect(core), connect(core), connect(core)
    join(core, bob, "presence-room", "bob")
    join(core, alice1, "presence-room", "alice")
    join(core, alice2, "presence-room", "alice")

    first = core.closed(alice1)
    assert events(first, bob) == []
    assert core.user_ids("presence-room") == ["bob", "alice"]

    last = send(core, alice2, {"event": "pusher:unsubscribe", "data": {"channel": "presence-room"}})
    removed = received(last, bob)
    assert [m["event"] for m in removed] == ["pusher_internal:member_removed"]
    assert removed[0]["channel"] == "presence-room"
    assert string_data(removed[0]) == {"user_id": "alice"}
    assert events(last, alice2) == []
    assert core.user_ids("presence-room") == ["bob"]


def test_same_user_on_two_sockets_is_counted_once() -> None:
    core = make_core()
    a1, a2, b = connect(core), connect(core), connect(core)
    join(core, a1, "presence-room", "alice")
    join(core, a2, "presence-room", "alice")
    join(core, b, "presence-room", "bob")

    assert core.user_count("presence-room") == 2
    assert core.user_ids("presence-room") == ["alice", "bob"]
    assert core.subscription_count("presence-room") == 3


def test_user_count_and_ids_follow_joins_and_leaves() -> None:
    core = make_core()
    assert core.user_count("presence-room") == 0
    assert core.user_ids("presence-room") == []
    sockets = [connect(core) for _ in range(3)]
    for index, socket_id in enumerate(sockets):
        join(core, socket_id, "presence-room", f"u{index}")
    assert core.user_ids("presence-room") == ["u0", "u1", "u2"]

    core.closed(sockets[1])

    assert core.user_count("presence-room") == 2
    assert core.user_ids("presence-room") == ["u0", "u2"]
    for socket_id in (sockets[0], sockets[2]):
        core.closed(socket_id)
    assert core.user_count("presence-room") == 0
    assert core.user_ids("presence-room") == []
    assert list(core.occupied_channels()) == []


def test_integer_user_id_is_normalised_to_a_string() -> None:
    core = make_core()
    first, second = connect(core), connect(core)
    join(core, first, "presence-room", 42, {"n": 1})

    actions = join(core, second, "presence-room", "42", {"n": 1})

    assert succeeded(actions, second, "presence-room") == {
        "presence": {"ids": ["42"], "hash": {"42": {"n": 1}}, "count": 1}
    }
    assert events(actions, first) == []  # the same member, not a new one
    assert core.user_ids("presence-room") == ["42"]


def test_presence_signed_by_pusher_http_python_succeeds() -> None:
    core = make_core()
    socket_id = connect(core)
    server = pusher.Pusher(app_id=CREDS.app_id, key=CREDS.key, secret=CREDS.secret)
    auth = server.authenticate(
        channel="presence-room",
        socket_id=socket_id,
        custom_data={"user_id": "u1", "user_info": {"name": "\u00c5sa"}},
    )

    actions = subscribe(
        core, socket_id, "presence-room", auth=auth["auth"], channel_data=auth["channel_data"]
    )

    assert succeeded(actions, socket_id, "presence-room")["presence"]["hash"] == {
        "u1": {"name": "\u00c5sa"}
    }


def _presence_forgeries(sid: str) -> dict[str, tuple[object, object]]:
    good = presence_data("u1")
    return {
        "missing-auth": (None, good),
        "private-style-auth": (channel_auth(sid, "presence-room"), good),
        "missing-channel-data": (channel_auth(sid, "presence-room", good), None),
        "tampered-channel-data": (channel_auth(sid, "presence-room", good), presence_data("admin")),
        "reformatted-channel-data": (
            channel_auth(sid, "presence-room", good),
            json.dumps(json.loads(good), separators=(",", ":")),
        ),
        "other-socket": (channel_auth("1.1", "presence-room", good), good),
    }


@pytest.mark.parametrize(
    "case", list(_presence_forgeries("0.0")), ids=list(_presence_forgeries("0.0"))
)
def test_badly_signed_presence_subscribe_is_refused_and_adds_no_member(case: str) -> None:
    core = make_core()
    intruder, member = connect(core), connect(core)
    join(core, member, "presence-room", "member")
    auth, channel_data = _presence_forgeries(intruder)[case]

    actions = subscribe(core, intruder, "presence-room", auth=auth, channel_data=channel_data)

    assert refused(actions, intruder, "presence-room")["status"] == 401
    assert events(actions, member) == []
    assert core.user_ids("presence-room") == ["member"]
    assert reaches(core, "presence-room") == {member}


@pytest.mark.parametrize(
    ("channel_data", "status"),
    [
        pytest.param("not json", 400, id="not-json"),
        pytest.param("[1]", 400, id="not-an-object"),
        pytest.param("{}", 400, id="no-user-id"),
        pytest.param('{"user_id": ""}', 400, id="empty-user-id"),
        pytest.param('{"user_id": null}', 400, id="null-user-id"),
        pytest.param('{"user_id": true}', 400, id="bool-user-id"),
        pytest.param('{"user_id": 1.5}', 400, id="float-user-id"),
        pytest.param('{"user_id": ["a"]}', 400, id="list-user-id"),
        pytest.param(
            json.dumps(
                {"user_id": "u", "user_info": {"bio": "x" * limits.MAX_PRESENCE_MEMBER_BYTES}}
            ),
            413,
            id="member-too-large",
        ),
    ],
)
def test_validly_signed_but_unusable_channel_data_is_refused(
    channel_data: str, status: int
) -> None:
    core = make_core()
    socket_id = connect(core)

    actions = subscribe(
        core,
        socket_id,
        "presence-room",
        auth=channel_auth(socket_id, "presence-room", channel_data),
        channel_data=channel_data,
    )

    assert refused(actions, socket_id, "presence-room")["status"] == status
    assert core.user_count("presence-room") == 0
    assert core.subscription_count("presence-room") == 0


def test_channel_data_that_is_not_a_string_is_refused() -> None:
    core = make_core()
    socket_id = connect(core)
    member = {"user_id": "u1"}

    actions = subscribe(
        core,
        socket_id,
        "presence-room",
        auth=channel_auth(socket_id, "presence-room", json.dumps(member)),
        channel_data=member,
    )

    assert refused(actions, socket_id, "presence-room")["status"] == 400


def test_full_presence_channel_refuses_new_members_but_not_more_sockets_of_one() -> None:
    core = make_core()
    first = ""
    for index in range(limits.MAX_PRESENCE_MEMBERS):
        socket_id = connect(core)
        first = first or socket_id
        succeeded(join(core, socket_id, "presence-room", f"u{index}"), socket_id, "presence-room")
    newcomer, again = connect(core), connect(core)

    assert (
        refused(join(core, newcomer, "presence-room", "new"), newcomer, "presence-room")["status"]
        == 403
    )
    succeeded(join(core, again, "presence-room", "u0"), again, "presence-room")
    assert core.user_count("presence-room") == limits.MAX_PRESENCE_MEMBERS


# ------------------------------------------------------------------------- server-to-user


@pytest.mark.parametrize("signed_in_as", [None, "bob", "alice2"])
def test_server_to_user_channel_is_refused_unless_signed_in_as_that_user(
    signed_in_as: str | None,
) -> None:
    core = make_core()
    socket_id = connect(core)
    if signed_in_as is not None:
        signin(core, socket_id, signed_in_as)

    actions = subscribe(core, socket_id, "#server-to-user-alice")

    assert refused(actions, socket_id, "#server-to-user-alice")["status"] == 403
    assert core.subscription_count("#server-to-user-alice") == 0


def test_signed_in_user_subscribes_to_their_own_server_to_user_channel() -> None:
    core = make_core()
    alice, mallory = connect(core), connect(core)
    signin(core, alice, "alice")
    signin(core, mallory, "mallory")
    subscribe(core, mallory, "#server-to-user-alice", auth=channel_auth(mallory, "x"))

    actions = subscribe(core, alice, "#server-to-user-alice")

    assert succeeded(actions, alice, "#server-to-user-alice") == {}
    assert reaches(core, "#server-to-user-alice") == {alice}
    assert "#server-to-user-alice" not in list(core.occupied_channels())


# ---------------------------------------------------------------------------- unsubscribe


def test_unsubscribe_stops_delivery_and_has_no_reply() -> None:
    core = make_core()
    leaver, stayer = connect(core), connect(core)
    for socket_id in (leaver, stayer):
        subscribe(core, socket_id, "news")

    actions = send(core, leaver, {"event": "pusher:unsubscribe", "data": {"channel": "news"}})

    assert actions == []
    assert core.subscription_count("news") == 1
    assert reaches(core, "news") == {stayer}


def test_unsubscribing_the_last_socket_vacates_the_channel() -> None:
    core = make_core()
    socket_id = connect(core)
    subscribe(core, socket_id, "news")

    send(core, socket_id, {"event": "pusher:unsubscribe", "data": {"channel": "news"}})

    assert list(core.occupied_channels()) == []
    assert core.trigger(["news"], "e", "{}") == []


@pytest.mark.parametrize(
    "data",
    [{"channel": "other"}, {"channel": 5}, {}, "news", None],
    ids=["not-subscribed", "non-string", "no-channel", "string-data", "null-data"],
)
def test_unsubscribe_that_matches_nothing_is_a_no_op(data: object) -> None:
    core = make_core()
    socket_id = connect(core)
    subscribe(core, socket_id, "news")

    assert send(core, socket_id, {"event": "pusher:unsubscribe", "data": data}) == []
    assert reaches(core, "news") == {socket_id}


def test_resubscribe_after_unsubscribe_works() -> None:
    core = make_core()
    socket_id = connect(core)
    subscribe_signed(core, socket_id, "private-a")
    send(core, socket_id, {"event": "pusher:unsubscribe", "data": {"channel": "private-a"}})

    assert succeeded(subscribe_signed(core, socket_id, "private-a"), socket_id, "private-a") == {}
    assert reaches(core, "private-a") == {socket_id}


# -------------------------------------------------------------------------------- trigger


def test_trigger_delivers_one_frame_per_channel_to_all_its_subscribers() -> None:
    core = make_core()
    a_only, b_only, both, neither = (connect(core) for _ in range(4))
    for socket_id in (a_only, both):
        subscribe(core, socket_id, "a")
    for socket_id in (b_only, both):
        subscribe(core, socket_id, "b")
    subscribe(core, neither, "c")

    actions = core.trigger(["a", "b", "empty"], "headline", '{"text":"hi"}')

    assert len(actions) == 2
    by_channel = {decode(d.frame)["channel"]: d for d in delivers(actions)}
    assert set(by_channel) == {"a", "b"}
    assert set(by_channel["a"].socket_ids) == {a_only, both}
    assert set(by_channel["b"].socket_ids) == {b_only, both}
    for channel, deliver in by_channel.items():
        assert len(deliver.socket_ids) == len(set(deliver.socket_ids))
        assert decode(deliver.frame) == {
            "event": "headline",
            "channel": channel,
            "data": '{"text":"hi"}',
        }


def test_trigger_on_channels_without_subscribers_does_nothing() -> None:
    core = make_core()
    connect(core)
    assert core.trigger(["nobody-here", "presence-empty"], "e", "{}") == []


def test_exclude_socket_id_excludes_only_that_socket_on_every_channel() -> None:
    core = make_core()
    sender, other1, other2 = connect(core), connect(core), connect(core)
    for socket_id in (sender, other1, other2):
        subscribe(core, socket_id, "a")
    subscribe(core, sender, "b")
    subscribe(core, other1, "b")

    actions = core.trigger(["a", "b"], "e", "{}", exclude_socket_id=sender)

    assert targets(actions, "a") == {other1, other2}
    assert targets(actions, "b") == {other1}
    assert events(actions, sender) == []


def test_excluding_the_only_subscriber_delivers_nothing() -> None:
    core = make_core()
    sender = connect(core)
    subscribe(core, sender, "a")

    assert core.trigger(["a"], "e", "{}", exclude_socket_id=sender) == []


def test_excluding_a_socket_that_is_not_subscribed_changes_nothing() -> None:
    core = make_core()
    subscriber, bystander = connect(core), connect(core)
    subscribe(core, subscriber, "a")

    actions = core.trigger(["a"], "e", "{}", exclude_socket_id=bystander)

    assert targets(actions, "a") == {subscriber}


def test_trigger_data_is_passed_through_as_the_same_string() -> None:
    core = make_core()
    socket_id = connect(core)
    subscribe(core, socket_id, "a")
    data = '{ "text" : "caf\u00e9 \\u00e9 \U0001f600", "n": 1.50 }'

    (deliver,) = delivers(core.trigger(["a"], "e", data))

    assert decode(deliver.frame)["data"] == data


def test_encrypted_channel_payload_is_passed_through_untouched() -> None:
    core = make_core()
    receiver, sender = connect(core), connect(core)
    channel = "private-encrypted-room"
    refused(subscribe(core, receiver, channel), receiver, channel)  # needs a signature too
    succeeded(subscribe_signed(core, receiver, channel), receiver, channel)
    sealed = '{"nonce":"4Q2Ph+nl2hsB1tWbcB0fEX3ShDh84L+b","ciphertext":"T0k2Vpx5k/0mWGa3NE4b=="}'

    actions = core.trigger([channel], "message", sealed, exclude_socket_id=sender)

    assert received(actions, receiver) == [{"event": "message", "channel": channel, "data": sealed}]


# -------------------------------------------------------------------- signin / terminate


def test_signin_succeeds_with_signin_success_carrying_user_data() -> None:
    core = make_core()
    socket_id = connect(core)

    actions = signin(core, socket_id, "alice")

    (message,) = received(actions, socket_id)
    assert message["event"] == "pusher:signin_success"
    assert string_data(message) == {"user_data": json.dumps({"id": "alice"})}
    assert closes(actions) == []


def test_signin_signed_by_pusher_http_python_succeeds() -> None:
    core = make_core()
    socket_id = connect(core)
    server = pusher.Pusher(app_id=CREDS.app_id, key=CREDS.key, secret=CREDS.secret)
    auth = server.authenticate_user(socket_id, {"id": "alice", "user_info": {"n": 1}})

    actions = send(core, socket_id, {"event": "pusher:signin", "data": auth})

    assert events(actions, socket_id) == ["pusher:signin_success"]
    error_then_close(core.terminate_user("alice"), socket_id, 4009)


def test_terminate_user_closes_that_users_sockets_with_pusher_error_first() -> None:
    core = make_core()
    alice1, alice2, bob, anonymous = (connect(core) for _ in range(4))
    for socket_id in (alice1, alice2):
        signin(core, socket_id, "alice")
    signin(core, bob, "bob")

    actions = core.terminate_user("alice")

    error_then_close(actions, alice1, 4009)
    error_then_close(actions, alice2, 4009)
    assert len(actions) == 4
    assert events(actions, bob) == []
    assert events(actions, anonymous) == []


def test_terminate_user_without_sockets_does_nothing() -> None:
    core = make_core()
    socket_id = connect(core)
    signin(core, socket_id, "alice")

    assert core.terminate_user("nobody") == []
    core.closed(socket_id)
    assert core.terminate_user("alice") == []


def test_closed_socket_is_forgotten_by_every_user_it_signed_in_as() -> None:
    core = make_core()
    socket_id = connect(core)
    signin(core, socket_id, "alice")
    signin(core, socket_id, "bob")

    core.closed(socket_id)

    assert core.terminate_user("alice") == []
    assert core.terminate_user("bob") == []


def _signin_frame(sid: str, case: str) -> dict[str, Any]:
    user_data = json.dumps({"id": "alice"})
    good = sign(f"{sid}::user::{user_data}")
    cases: dict[str, dict[str, Any] | str | None] = {
        "forged": {
            "auth": sign(f"{sid}::user::{user_data}", secret="x" * 20),
            "user_data": user_data,
        },
        "other-socket": {"auth": sign(f"1.1::user::{user_data}"), "user_data": user_data},
        "tampered-user-data": {"auth": good, "user_data": json.dumps({"id": "admin"})},
        "channel-style-signature": {"auth": sign(f"{sid}:{user_data}"), "user_data": user_data},
        "missing-auth": {"user_data": user_data},
        "missing-user-data": {"auth": good},
        "user-data-object": {"auth": good, "user_data": {"id": "alice"}},
        "no-id": {"auth": sign(f"{sid}::user::{{}}"), "user_data": "{}"},
        "integer-id": {"auth": sign(f'{sid}::user::{{"id": 5}}'), "user_data": '{"id": 5}'},
        "empty-id": {"auth": sign(f'{sid}::user::{{"id": ""}}'), "user_data": '{"id": ""}'},
        "not-json": {"auth": sign(f"{sid}::user::nope"), "user_data": "nope"},
        "json-list": {"auth": sign(f"{sid}::user::[1]"), "user_data": "[1]"},
        "data-not-object": "alice",
        "no-data": None,
    }
    return {"event": "pusher:signin", "data": cases[case]}


BAD_SIGNINS = [
    "forged",
    "other-socket",
    "tampered-user-data",
    "channel-style-signature",
    "missing-auth",
    "missing-user-data",
    "user-data-object",
    "no-id",
    "integer-id",
    "empty-id",
    "not-json",
    "json-list",
    "data-not-object",
    "no-data",
]


@pytest.mark.parametrize("case", BAD_SIGNINS)
def test_bad_signin_gets_pusher_error_4009_then_close_4009(case: str) -> None:
    core = make_core()
    socket_id = connect(core)

    actions = send(core, socket_id, _signin_frame(socket_id, case))

    assert len(actions) == 2
    error_then_close(actions, socket_id, 4009)
    assert core.terminate_user("alice") == []
    assert core.terminate_user("admin") == []


# ------------------------------------------------------------------------------- webhooks


def test_webhooks_follow_occupancy_and_membership() -> None:
    core = make_core(webhooks=True)
    a, b = connect(core), connect(core)

    assert webhooks(join(core, a, "presence-room", "alice")) == [
        {"name": "channel_occupied", "channel": "presence-room"},
        {"name": "member_added", "channel": "presence-room", "user_id": "alice"},
    ]
    assert webhooks(join(core, b, "presence-room", "alice")) == []
    assert webhooks(core.closed(a)) == []
    assert webhooks(core.closed(b)) == [
        {"name": "member_removed", "channel": "presence-room", "user_id": "alice"},
        {"name": "channel_vacated", "channel": "presence-room"},
    ]


def test_no_webhooks_unless_enabled() -> None:
    core = make_core()
    a, b = connect(core), connect(core)
    actions = join(core, a, "presence-room", "alice") + join(core, b, "presence-room", "bob")
    actions += client_event(core, a, "presence-room") + core.closed(a) + core.closed(b)

    assert webhooks(actions) == []
    assert all(isinstance(action, Deliver | Close) for action in actions)
