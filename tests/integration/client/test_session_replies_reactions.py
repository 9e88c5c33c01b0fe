"""Replies and reactions through ChatSession against a real hub: live on two devices of
one user, once after a hub restart, and from the outbox when written offline.

Alice has two sessions (two devices, separate local databases); bob writes through the
relay's HTTP API. Waits are on conditions, never on time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktopchat.client.realtime import ConnectionState
from desktopchat.client.session import ChatSession
from tests.integration.client.helpers import (
    TIMEOUT_MS,
    Account,
    Recorder,
    RestartableHub,
    general,
)


def watching(
    qtbot: QtBot, open_session: Callable[..., ChatSession], account: Account, data_dir: Path | None
) -> tuple[ChatSession, Recorder]:
    session = open_session(account, data_dir)
    recorder = Recorder(session)
    with qtbot.waitSignal(session.bridge.subscribed, timeout=TIMEOUT_MS):
        session.sync.watch(general(account))
        session.start()
    return session, recorder


def send(account: Account, text: str) -> int:
    return account.client.send("general", text, f"test-{uuid.uuid4().hex}").id


def reactions_of(
    recorder: Recorder, message_id: int
) -> list[tuple[tuple[str, tuple[int, ...]], ...]]:
    """Each change of ``message_id`` that reached the session, as its chips."""
    return [
        tuple((r.emoji, r.user_ids) for r in m.reactions)
        for m in recorder.changed
        if m.id == message_id
    ]


def test_a_reaction_reaches_both_devices_live_and_the_reactors_own_at_once(
    qtbot: QtBot,
    open_session: Callable[..., ChatSession],
    alice: Account,
    bob: Account,
    tmp_path: Path,
) -> None:
    laptop, on_laptop = watching(qtbot, open_session, alice, tmp_path / "laptop")
    _desktop, on_desktop = watching(qtbot, open_session, alice, tmp_path / "desktop")
    message = send(bob, "ship it?")
    qtbot.waitUntil(
        lambda: message in on_desktop.ids and message in on_laptop.ids, timeout=TIMEOUT_MS
    )
    laptop.outbox.enqueue_reaction("general", message, "👍", on=True)
    mine = (("👍", (alice.login.user.id,)),)
    qtbot.waitUntil(lambda: mine in reactions_of(on_desktop, message), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: mine in reactions_of(on_laptop, message), timeout=TIMEOUT_MS)
    bob.client.react("general", message, ":+1:")
    both = (("👍", (alice.login.user.id, bob.login.user.id)),)
    qtbot.waitUntil(lambda: both in reactions_of(on_desktop, message), timeout=TIMEOUT_MS)
    assert laptop.database.message("general", message) is not None
    qtbot.waitUntil(
        lambda: laptop.database.message("general", message).reactions[0].count == 2,
        timeout=TIMEOUT_MS,
    )  # type: ignore[union-attr]
    assert on_desktop.ids.count(message) == 1  # a reaction is a change, never a new message


def test_a_reaction_made_while_a_client_was_away_arrives_once_after_the_hub_restart(
    qtbot: QtBot,
    open_session: Callable[..., ChatSession],
    hub_server: RestartableHub,
    alice: Account,
    bob: Account,
) -> None:
    session, recorder = watching(qtbot, open_session, alice, None)
    message = send(bob, "vote on this")
    qtbot.waitUntil(lambda: message in recorder.ids, timeout=TIMEOUT_MS)
    hub_server.stop()
    qtbot.waitUntil(lambda: ConnectionState.OFFLINE in recorder.states, timeout=TIMEOUT_MS)
    hub_server.start()  # the event loop does not run until the next wait: still away
    bob.client.react("general", message, "🎉")
    sentinel = send(bob, "after the reaction")
    assert session.bridge.state is not ConnectionState.CONNECTED
    qtbot.waitUntil(lambda: sentinel in recorder.ids, timeout=TIMEOUT_MS)
    bobs = (("🎉", (bob.login.user.id,)),)
    qtbot.waitUntil(lambda: bobs in reactions_of(recorder, message), timeout=TIMEOUT_MS)
    # The catch-up followed the change counter to its end: the reaction came once.
    until = bob.client.changes("general", None).until
    qtbot.waitUntil(lambda: session.database.change_seq("general") == until, timeout=TIMEOUT_MS)
    assert reactions_of(recorder, message) == [bobs]
    assert session.database.message("general", message).reactions[0].user_ids == (
        bob.login.user.id,
    )  # type: ignore[union-attr]


def test_a_reply_and_a_reaction_written_offline_wait_in_the_outbox_and_land_once(
    qtbot: QtBot,
    open_session: Callable[..., ChatSession],
    hub_server: RestartableHub,
    alice: Account,
    bob: Account,
) -> None:
    session, recorder = watching(qtbot, open_session, alice, None)
    original = send(bob, "who is in?")
    qtbot.waitUntil(lambda: original in recorder.ids, timeout=TIMEOUT_MS)
    hub_server.stop()
    qtbot.waitUntil(lambda: ConnectionState.OFFLINE in recorder.states, timeout=TIMEOUT_MS)
    reply = session.outbox.enqueue_reply("general", "me!", original)
    session.outbox.enqueue_reaction("general", original, "✅", on=True)
    assert [i.kind for i in session.outbox.items("general")] == ["reply", "react"]
    hub_server.start()
    session.outbox.resume()
    qtbot.waitUntil(lambda: not session.outbox.items(), timeout=3 * TIMEOUT_MS)
    history = bob.client.history("general", limit=50).messages
    replies = [m for m in history if m.client_id == reply.client_id]
    assert len(replies) == 1
    assert replies[0].reply_to is not None
    assert (replies[0].reply_to.id, replies[0].reply_to.excerpt) == (original, "who is in?")
    first = next(m for m in history if m.id == original)
    assert [(r.emoji, r.user_ids) for r in first.reactions] == [("✅", (alice.login.user.id,))]
    qtbot.waitUntil(lambda: replies[0].id in recorder.ids, timeout=TIMEOUT_MS)
    assert recorder.ids.count(replies[0].id) == 1
