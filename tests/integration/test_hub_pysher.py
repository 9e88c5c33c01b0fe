"""The hub against the real client libraries: pysher receives, pusher-http-python triggers.

Negative checks ("nothing was delivered") never sleep: after the refused action, a control
event is triggered on the same channel, and once it has arrived the refused one provably
did not, because each socket's frames arrive in order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pusher
import pusher.errors
import pytest

from desktopchat.server.credentials import AppCredentials
from desktopchat.server.hub import HubConfig
from desktopchat.server.runner import HubThread
from tests.conftest import PysherClient
from tests.inbox import Inbox, loads_data

SUCCEEDED = "pusher_internal:subscription_succeeded"
SUB_ERROR = "pusher:subscription_error"


def watch(client: PysherClient, channel_name: str, *events: str) -> dict[str, Inbox]:
    """Subscribe ``client`` to ``channel_name`` on every (re)connect and record ``events``.

    Binding happens on each ``connection_established`` because pysher's ``subscribe()``
    creates a new Channel object and loses earlier bindings.
    """
    inboxes = {name: Inbox() for name in (SUCCEEDED, SUB_ERROR, *events)}

    def subscribe() -> None:
        channel = client.pusher.subscribe(channel_name)
        for name, inbox in inboxes.items():
            channel.bind(name, inbox.put)

    client.on_connect(subscribe)
    return inboxes


def subscribed(
    make: Callable[..., PysherClient], channel: str, *events: str, **kwargs: object
) -> tuple[PysherClient, dict[str, Inbox]]:
    """A connected client whose subscription to ``channel`` has succeeded."""
    client = make(**kwargs)
    inboxes = watch(client, channel, *events)
    client.connect()
    inboxes[SUCCEEDED].wait_count(1, f"subscription to {channel}")
    return client, inboxes


def test_public_channel_event_reaches_pysher(pysher_client, rest) -> None:
    _, inbox = subscribed(pysher_client, "test_channel", "message_event")
    rest.trigger("test_channel", "message_event", {"msg": "hello"})
    received = inbox["message_event"].wait_count(1)
    assert [loads_data(d) for d in received] == [{"msg": "hello"}]


def test_private_channel_needs_and_accepts_a_valid_signature(pysher_client, rest) -> None:
    _, inbox = subscribed(pysher_client, "private-room", "message")
    rest.trigger("private-room", "message", {"text": "secret"})
    assert loads_data(inbox["message"].wait_count(1)[0]) == {"text": "secret"}


def test_forged_private_subscription_gets_an_error_and_no_events(
    pysher_client, rest, credentials: AppCredentials
) -> None:
    forger = pysher_client(secret="not-the-secret")
    forged = watch(forger, "private-room", "message", "control")
    forger.connect()
    errors = forged[SUB_ERROR].wait_count(1, "subscription_error for a forged signature")
    assert errors[0]["status"] == 401
    assert "Invalid signature" in errors[0]["error"]

    _, legit = subscribed(pysher_client, "private-room", "message")
    rest.trigger("private-room", "message", {"text": "not for forgers"})
    legit["message"].wait_count(1)
    # The forger's socket is open and in order; nothing arrived on the channel.
    assert forged["message"].items == []
    assert forged[SUCCEEDED].items == []


def test_presence_members_join_and_leave(pysher_client, hub: HubThread, rest) -> None:
    _, a_inbox = subscribed(
        pysher_client,
        "presence-general",
        "pusher_internal:member_added",
        "pusher_internal:member_removed",
        user_data={"user_id": "alice", "user_info": {"name": "Alice"}},
    )
    assert loads_data(a_inbox[SUCCEEDED].items[0]) == {
        "presence": {"ids": ["alice"], "hash": {"alice": {"name": "Alice"}}, "count": 1}
    }
    bob, b_inbox = subscribed(
        pysher_client,
        "presence-general",
        user_data={"user_id": "bob", "user_info": {"name": "Bob"}},
    )
    bob_view = loads_data(b_inbox[SUCCEEDED].items[0])["presence"]
    assert bob_view["count"] == 2
    assert bob_view["hash"] == {"alice": {"name": "Alice"}, "bob": {"name": "Bob"}}
    added = a_inbox["pusher_internal:member_added"].wait_count(1)
    assert loads_data(added[0]) == {"user_id": "bob", "user_info": {"name": "Bob"}}
    assert rest.users_info("presence-general") == {"users": [{"id": "alice"}, {"id": "bob"}]}

    bob.close()
    removed = a_inbox["pusher_internal:member_removed"].wait_count(1)
    assert loads_data(removed[0]) == {"user_id": "bob"}
    assert rest.channel_info("presence-general", ["user_count"])["user_count"] == 1


def test_one_user_on_two_sockets_is_one_member(pysher_client, rest) -> None:
    events = ("pusher_internal:member_added", "pusher_internal:member_removed", "control")
    _, watcher = subscribed(
        pysher_client, "presence-team", *events, user_data={"user_id": "w", "user_info": {}}
    )
    carol_1, _ = subscribed(pysher_client, "presence-team", user_data={"user_id": "carol"})
    carol_2, _ = subscribed(pysher_client, "presence-team", user_data={"user_id": "carol"})
    info = rest.channel_info("presence-team", ["user_count", "subscription_count"])
    assert info["user_count"] == 2
    assert info["subscription_count"] == 3

    carol_1.close()
    # Still present on her second socket: no member_removed yet. The control event proves
    # that the close has been processed and nothing was sent before it.
    assert rest.channel_info("presence-team", ["user_count"])["user_count"] == 2
    rest.trigger("presence-team", "control", {})
    watcher["control"].wait_count(1)
    assert [loads_data(d)["user_id"] for d in watcher["pusher_internal:member_added"].items] == [
        "carol"
    ]
    assert watcher["pusher_internal:member_removed"].items == []

    carol_2.close()
    removed = watcher["pusher_internal:member_removed"].wait_count(1)
    assert loads_data(removed[0]) == {"user_id": "carol"}


def test_client_events_reach_others_but_not_the_sender(pysher_client, rest) -> None:
    sender, s_inbox = subscribed(pysher_client, "private-chat", "client-typing", "control")
    _, r_inbox = subscribed(pysher_client, "private-chat", "client-typing")
    sender.pusher.channel("private-chat").trigger("client-typing", {"user": "alice"})
    assert loads_data(r_inbox["client-typing"].wait_count(1)[0]) == {"user": "alice"}
    rest.trigger("private-chat", "control", {})
    s_inbox["control"].wait_count(1)
    assert s_inbox["client-typing"].items == [], "client events must not echo to the sender"


def test_trigger_excludes_the_given_socket(pysher_client, rest) -> None:
    author, a_inbox = subscribed(pysher_client, "private-room", "message")
    _, o_inbox = subscribed(pysher_client, "private-room", "message")
    rest.trigger("private-room", "message", {"n": 1}, socket_id=author.socket_id)
    rest.trigger("private-room", "message", {"n": 2})
    assert [loads_data(d)["n"] for d in o_inbox["message"].wait_count(2)] == [1, 2]
    assert [loads_data(d)["n"] for d in a_inbox["message"].wait_count(1)] == [2]


def test_batch_trigger_delivers_every_event(pysher_client, rest) -> None:
    _, one = subscribed(pysher_client, "private-one", "message")
    _, two = subscribed(pysher_client, "private-two", "message")
    rest.trigger_batch(
        [
            {"channel": "private-one", "name": "message", "data": json.dumps({"n": 1})},
            {"channel": "private-two", "name": "message", "data": json.dumps({"n": 2})},
        ]
    )
    assert loads_data(one["message"].wait_count(1)[0]) == {"n": 1}
    assert loads_data(two["message"].wait_count(1)[0]) == {"n": 2}


def test_channel_info_queries(pysher_client, rest) -> None:
    subscribed(pysher_client, "presence-a", user_data={"user_id": "u1"})
    subscribed(pysher_client, "private-b")
    subscribed(pysher_client, "private-b")
    presence = rest.channels_info(prefix_filter="presence-", attributes=["user_count"])
    assert presence == {"channels": {"presence-a": {"user_count": 1}}}
    assert set(rest.channels_info()["channels"]) == {"presence-a", "private-b"}
    assert rest.channel_info("private-b", ["subscription_count"]) == {
        "occupied": True,
        "subscription_count": 2,
    }
    assert rest.channel_info("private-nobody") == {"occupied": False}
    with pytest.raises(pusher.errors.PusherBadRequest):
        rest.channels_info(prefix_filter="private-", attributes=["user_count"])
    with pytest.raises(pusher.errors.PusherBadRequest):
        rest.users_info("private-b")


def test_bad_signature_is_refused_and_delivers_nothing(
    pysher_client, rest, hub: HubThread, credentials: AppCredentials
) -> None:
    _, inbox = subscribed(pysher_client, "private-room", "message")
    forger = pusher.Pusher(
        app_id=credentials.app_id,
        key=credentials.key,
        secret="wrong-secret",
        host="127.0.0.1",
        port=hub.port,
        ssl=False,
    )
    with pytest.raises(pusher.errors.PusherBadAuth):
        forger.trigger("private-room", "message", {"n": "forged"})
    rest.trigger("private-room", "message", {"n": "real"})
    assert [loads_data(d) for d in inbox["message"].wait_count(1)] == [{"n": "real"}]


def test_oversize_event_gets_413_and_the_limit_itself_passes(pysher_client, rest) -> None:
    _, inbox = subscribed(pysher_client, "private-room", "message")
    with pytest.raises(pusher.errors.PusherBadStatus, match="413"):
        rest.trigger("private-room", "message", "x" * (10 * 1024 + 1))
    with pytest.raises(pusher.errors.PusherBadStatus, match="413"):
        # 3,500 three-byte characters: under 10 KB in characters, over it in bytes.
        rest.trigger("private-room", "message", "€" * 3500)
    rest.trigger("private-room", "message", "y" * (10 * 1024))
    assert inbox["message"].wait_count(1) == ["y" * (10 * 1024)]


def test_pysher_reconnects_and_resubscribes_after_a_hub_restart(
    pysher_client, hub: HubThread, hub_config: HubConfig, credentials: AppCredentials
) -> None:
    client, inbox = subscribed(pysher_client, "private-room", "message")
    port = hub.port
    hub.stop()  # clients get pusher:error 4100: reconnect after back-off
    restarted = HubThread(replace(hub_config, port=port))
    restarted.start()
    try:
        inbox[SUCCEEDED].wait_count(2, "resubscription after the restart")
        assert client.connections == 2
        assert [e.get("code") for e in client.errors] == [4100]
        rest = pusher.Pusher(
            app_id=credentials.app_id,
            key=credentials.key,
            secret=credentials.secret,
            host="127.0.0.1",
            port=port,
            ssl=False,
        )
        rest.trigger("private-room", "message", {"after": "restart"})
        assert loads_data(inbox["message"].wait_count(1)[0]) == {"after": "restart"}
    finally:
        client.close()
        restarted.stop()
