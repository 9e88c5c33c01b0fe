"""A ChatSession against a real hub: every message once and in order, across a hub restart.

The session under test is alice's; bob writes through the relay's HTTP API. Waits are on
signals and conditions (``qtbot.waitUntil``), never on time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from desktopchat.client.realtime import ConnectionState
from desktopchat.client.session import ChatSession
from tests.integration.client.helpers import (
    TIMEOUT_MS,
    Account,
    Recorder,
    RestartableHub,
    general,
)


def is_general(channel: str) -> bool:
    """Whether a subscription is ``general``'s channel."""
    return channel == "private-room-general"


def watching(
    qtbot, open_session: Callable[..., ChatSession], account: Account
) -> tuple[ChatSession, Recorder]:
    """A started session watching ``general``, once its channel subscription succeeded."""
    session = open_session(account)
    recorder = Recorder(session)
    # The room's subscription (the session also follows the user's own channel).
    with qtbot.waitSignal(
        session.bridge.subscribed, timeout=TIMEOUT_MS, check_params_cb=is_general
    ):
        session.sync.watch(general(account))
        session.start()
    return session, recorder


def send(account: Account, *texts: str) -> list[int]:
    """Send ``texts`` as ``account`` (each a new client id); their ids."""
    return [account.client.send("general", text, f"test-{uuid.uuid4().hex}").id for text in texts]


def test_history_then_live_messages_arrive_once_and_in_order(
    qtbot, open_session, hub_server: RestartableHub, alice: Account, bob: Account
) -> None:
    before = send(bob, "old-1", "old-2", "old-3")
    session, recorder = watching(qtbot, open_session, alice)
    live = send(bob, *(f"live-{n}" for n in range(1, 6)))

    # The last message is the sentinel: anything delivered twice would be in the list by then.
    qtbot.waitUntil(lambda: live[-1] in recorder.ids, timeout=TIMEOUT_MS)
    assert recorder.ids == [*before, *live] == list(range(1, 9))
    assert recorder.texts == ["old-1", "old-2", "old-3", *(f"live-{n}" for n in range(1, 6))]
    assert {m.author.display_name for m in recorder.added} == {"bob"}
    assert recorder.changed == []
    assert session.sync.last_id("general") == 8
    # What was delivered is in the local database too, for the next start.
    assert [m.id for m in session.database.recent("general", 50)] == list(range(1, 9))


def test_edits_and_deletes_arrive_as_changes_not_as_new_messages(
    qtbot, open_session, hub_server: RestartableHub, alice: Account, bob: Account
) -> None:
    session, recorder = watching(qtbot, open_session, alice)
    first, second, _third = send(bob, "one", "two", "three")
    qtbot.waitUntil(lambda: len(recorder.added) == 3, timeout=TIMEOUT_MS)

    with qtbot.waitSignal(session.sync.message_changed, timeout=TIMEOUT_MS):
        bob.client.edit("general", first, "one, edited")
    with qtbot.waitSignal(session.sync.message_changed, timeout=TIMEOUT_MS):
        bob.client.delete("general", second)
    sentinel = send(bob, "after the changes")[0]
    qtbot.waitUntil(lambda: sentinel in recorder.ids, timeout=TIMEOUT_MS)

    assert recorder.ids == [1, 2, 3, 4]
    edited, deleted = recorder.changed
    assert (edited.id, edited.text, edited.deleted) == (first, "one, edited", False)
    assert edited.edited_at is not None
    assert (deleted.id, deleted.text, deleted.deleted) == (second, "", True)
    stored = {m.id: m for m in session.database.recent("general", 10)}
    assert stored[first].text == "one, edited"
    assert stored[second].deleted


def test_a_hub_restart_loses_nothing_and_repeats_nothing(
    qtbot, open_session, hub_server: RestartableHub, alice: Account, bob: Account
) -> None:
    session, recorder = watching(qtbot, open_session, alice)
    seen = send(bob, "before-1", "before-2")
    qtbot.waitUntil(lambda: recorder.ids == seen, timeout=TIMEOUT_MS)

    hub_server.stop()
    # Offline, and at least one reconnect attempt refused while the hub was down.
    qtbot.waitUntil(lambda: recorder.states.count(ConnectionState.OFFLINE) >= 2, timeout=TIMEOUT_MS)
    assert session.bridge.state is not ConnectionState.CONNECTED

    # From here until the next wait the Qt event loop does not run, so the bridge cannot
    # reconnect (its retry timer and callbacks run on this thread): these messages are
    # announced while the session is certainly not subscribed, and only history has them.
    hub_server.start()
    missed = send(bob, *(f"missed-{n}" for n in range(1, 6)))
    assert session.bridge.state is not ConnectionState.CONNECTED

    qtbot.waitUntil(lambda: missed[-1] in recorder.ids, timeout=TIMEOUT_MS)
    assert session.bridge.state is ConnectionState.CONNECTED, "reconnected by its own back-off"

    # Live again after the catch-up: new messages still come, once.
    after = send(bob, "after-1", "after-2")
    qtbot.waitUntil(lambda: after[-1] in recorder.ids, timeout=TIMEOUT_MS)
    assert recorder.ids == [*seen, *missed, *after] == list(range(1, 10))
    assert recorder.texts == [
        "before-1",
        "before-2",
        *(f"missed-{n}" for n in range(1, 6)),
        "after-1",
        "after-2",
    ]
    assert recorder.changed == []


def test_edits_and_deletes_made_while_offline_arrive_after_reconnect(
    qtbot, open_session, hub_server: RestartableHub, alice: Account, bob: Account
) -> None:
    """A reconnect "loses nothing": that includes changes to messages already delivered."""
    session, recorder = watching(qtbot, open_session, alice)
    first, second = send(bob, "to be edited", "to be deleted")
    qtbot.waitUntil(lambda: recorder.ids == [first, second], timeout=TIMEOUT_MS)

    hub_server.stop()
    qtbot.waitUntil(lambda: ConnectionState.OFFLINE in recorder.states, timeout=TIMEOUT_MS)
    hub_server.start()  # the event loop does not run until the next wait: still offline
    bob.client.edit("general", first, "edited while alice was offline")
    bob.client.delete("general", second)
    sentinel = send(bob, "after the changes")[0]
    assert session.bridge.state is not ConnectionState.CONNECTED

    qtbot.waitUntil(lambda: sentinel in recorder.ids, timeout=TIMEOUT_MS)
    assert recorder.ids == [first, second, sentinel]
    qtbot.waitUntil(lambda: len(recorder.changed) >= 2, timeout=5_000)
    changes = {m.id: m for m in recorder.changed}
    assert changes[first].text == "edited while alice was offline"
    assert changes[second].deleted
    stored = {m.id: m for m in session.database.recent("general", 10)}
    assert stored[first].text == "edited while alice was offline"
    assert stored[second].deleted


def test_a_session_restarted_on_the_same_data_fetches_only_what_it_missed(
    qtbot, open_session, tmp_path, alice: Account, bob: Account
) -> None:
    data = tmp_path / "alice-data"
    first = open_session(alice, data)
    first_recorder = Recorder(first)
    with qtbot.waitSignal(first.bridge.subscribed, timeout=TIMEOUT_MS, check_params_cb=is_general):
        first.sync.watch(general(alice))
        first.start()
    seen = send(bob, "seen-1", "seen-2")
    qtbot.waitUntil(lambda: first_recorder.ids == seen, timeout=TIMEOUT_MS)
    first.close()

    missed = send(bob, "missed-1", "missed-2")
    second = open_session(alice, data)
    recorder = Recorder(second)
    cached = second.sync.watch(general(alice))
    assert [m.id for m in cached] == seen, "the local database shows history at once"
    second.start()
    qtbot.waitUntil(lambda: missed[-1] in recorder.ids, timeout=TIMEOUT_MS)
    live = send(bob, "live")
    qtbot.waitUntil(lambda: live[-1] in recorder.ids, timeout=TIMEOUT_MS)
    assert recorder.ids == [*missed, *live], "cached messages are not delivered again"
