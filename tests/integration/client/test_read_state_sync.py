"""Read marks and mentions through real sessions: two devices of alice, and bob writing.

Each "device" is a ChatSession on its own data dir, logged in as alice, against one real
hub; waits are on signals and conditions, never on time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from desktopchat.client.domain import Message
from desktopchat.client.realtime import ConnectionState
from desktopchat.client.session import ChatSession
from tests.integration.client.helpers import TIMEOUT_MS, Account, RestartableHub, general

Opener = Callable[..., ChatSession]


def device(qtbot, open_session: Opener, account: Account, data_dir: Path) -> ChatSession:
    """A started session following ``general`` and the user's own channel."""
    session = open_session(account, data_dir)
    channels: list[str] = []
    session.bridge.subscribed.connect(channels.append)
    session.sync.watch(general(account))
    session.start()
    qtbot.waitUntil(lambda: {session.read_state.channel, "private-room-general"} <= set(channels))
    return session


def send(account: Account, *texts: str) -> list[int]:
    return [account.client.send("general", text, f"t-{uuid.uuid4().hex}").id for text in texts]


def moves(session: ChatSession) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    session.read_state.moved.connect(lambda room, mark: seen.append((room, mark)))
    return seen


def test_a_room_read_on_one_device_is_read_on_the_other_live(
    qtbot,
    open_session: Opener,
    *,
    hub_server: RestartableHub,
    alice: Account,
    bob: Account,
    tmp_path,
) -> None:
    laptop = device(qtbot, open_session, alice, tmp_path / "laptop")
    desktop = device(qtbot, open_session, alice, tmp_path / "desktop")
    seen = moves(desktop)
    ids = send(bob, "one", "two", "three")
    qtbot.waitUntil(lambda: laptop.sync.last_id("general") == ids[-1], timeout=TIMEOUT_MS)

    laptop.read_state.mark_read("general", ids[-1])
    qtbot.waitUntil(lambda: seen == [("general", ids[-1])], timeout=TIMEOUT_MS)
    assert desktop.read_state.mark("general") == ids[-1]
    # Stepping back is ignored here, and refused by the relay (it answers the higher mark).
    laptop.read_state.mark_read("general", 1)
    assert alice.client.read_state()[0].message_id == ids[-1]


def test_a_device_that_was_away_learns_the_mark_once_after_a_hub_restart(
    qtbot,
    open_session: Opener,
    *,
    hub_server: RestartableHub,
    alice: Account,
    bob: Account,
    tmp_path,
) -> None:
    laptop = device(qtbot, open_session, alice, tmp_path / "laptop")
    desktop = device(qtbot, open_session, alice, tmp_path / "desktop")
    ids = send(bob, "one", "two")
    desktop.close()  # the desktop is switched off

    laptop.read_state.mark_read("general", ids[-1])
    qtbot.waitUntil(lambda: bool(alice.client.read_state()), timeout=TIMEOUT_MS)
    hub_server.stop()
    # Started again only once the laptop saw it go (as in test_session_sync's restart).
    qtbot.waitUntil(lambda: laptop.bridge.state is not ConnectionState.CONNECTED)
    hub_server.start()

    again = open_session(alice, tmp_path / "desktop")
    seen = moves(again)
    again.sync.watch(general(alice))
    with qtbot.waitSignal(again.read_state.moved, timeout=TIMEOUT_MS):
        again.start()
    assert seen == [("general", ids[-1])]
    assert again.read_state.mark("general") == ids[-1]
    # Another listing (as after a reconnect) names the same mark again: no second move.
    with qtbot.waitSignal(again.read_state.refreshed, timeout=TIMEOUT_MS):
        again.read_state.refresh()
    assert seen == [("general", ids[-1])]
    # The laptop is back too (closing a session mid-reconnect would leave pysher retrying).
    qtbot.waitUntil(lambda: laptop.bridge.state is ConnectionState.CONNECTED, timeout=TIMEOUT_MS)


def test_a_room_read_offline_is_marked_on_the_relay_when_it_comes_back(
    qtbot,
    open_session: Opener,
    *,
    hub_server: RestartableHub,
    alice: Account,
    bob: Account,
    tmp_path,
) -> None:
    laptop = device(qtbot, open_session, alice, tmp_path / "laptop")
    ids = send(bob, "one", "two")
    qtbot.waitUntil(lambda: laptop.sync.last_id("general") == ids[-1], timeout=TIMEOUT_MS)
    hub_server.stop()
    qtbot.waitUntil(lambda: laptop.bridge.state is not ConnectionState.CONNECTED)

    laptop.read_state.mark_read("general", ids[-1])  # offline: kept, pending
    qtbot.waitUntil(lambda: laptop.database.read_marks() == {"general": (ids[-1], True)})
    hub_server.start()
    qtbot.waitUntil(
        lambda: laptop.database.read_marks() == {"general": (ids[-1], False)}, timeout=TIMEOUT_MS
    )
    assert [(m.room, m.message_id) for m in alice.client.read_state()] == [("general", ids[-1])]
    qtbot.waitUntil(lambda: laptop.bridge.state is ConnectionState.CONNECTED, timeout=TIMEOUT_MS)


def test_a_mention_sent_offline_through_the_outbox_reaches_the_other_user_by_id(
    qtbot,
    open_session: Opener,
    *,
    hub_server: RestartableHub,
    alice: Account,
    bob: Account,
    tmp_path,
) -> None:
    bobs = device(qtbot, open_session, bob, tmp_path / "bob")
    alices = device(qtbot, open_session, alice, tmp_path / "alice")
    received: list[Message] = []
    alices.sync.messages_added.connect(lambda _room, messages: received.extend(messages))
    hub_server.stop()
    qtbot.waitUntil(lambda: bobs.bridge.state is not ConnectionState.CONNECTED)

    bobs.outbox.enqueue("general", "@alice look", mentions=(alice.login.user.id,))
    hub_server.start()
    qtbot.waitUntil(lambda: len(received) == 1, timeout=TIMEOUT_MS)
    (message,) = received
    assert (message.text, message.mentions) == ("@alice look", (alice.login.user.id,))
    assert message.mentions_user(alice.login.user.id)
    assert not message.mentions_user(bob.login.user.id)
    stored = alices.database.message("general", message.id)
    assert stored is not None
    assert stored.mentions == (alice.login.user.id,)
    for session in (bobs, alices):  # closed connected, not in the middle of a reconnect
        qtbot.waitUntil(lambda s=session: s.bridge.state is ConnectionState.CONNECTED)
