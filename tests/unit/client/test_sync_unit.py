"""SyncEngine: live events and history pages merged, each message delivered once, in order.

The engine gets a real ``RealtimeBridge`` that is never started: the tests emit its
``subscribed`` and ``channel_event`` signals as pysher's thread would, and the history is a
fake relay (``fakes.FakeHistory``) whose calls the tests can hold to choose interleavings.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktopchat.client.cache import LocalDatabase
from desktopchat.client.domain import Message
from desktopchat.client.errors import RelayUnreachableError
from desktopchat.client.realtime import RealtimeBridge
from desktopchat.client.sync import PAGE, SyncEngine
from desktopchat.client.tasks import TaskRunner
from tests.unit.client.fakes import SERVER, FakeHistory, message, room

GENERAL = room("general")
CHANNEL = GENERAL.channel
TIMEOUT = 10_000


def refuse(socket_id: str, channel: str) -> dict[str, str]:
    raise AssertionError("the bridge of these tests is never connected")


@dataclass
class Harness:
    """The engine under test, its fakes, and what it emitted."""

    engine: SyncEngine
    bridge: RealtimeBridge
    history: FakeHistory
    database: LocalDatabase
    added: list[Message] = field(default_factory=list)
    batches: list[tuple[str, list[int]]] = field(default_factory=list)
    changed: list[Message] = field(default_factory=list)
    #: 1 when a catch-up started, 0 when it ended (ints: a list of bools holds refs to True).
    catching_up: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def live(self, event: str, data: Any, channel: str = CHANNEL) -> None:
        """A Pusher event, as the bridge hands it over (data already decoded)."""
        self.bridge.channel_event.emit(channel, event, data)

    def live_message(self, message_id: int) -> None:
        self.live("message", message(message_id).to_json())

    def ids(self) -> list[int]:
        return [m.id for m in self.added]

    def idle(self) -> bool:
        """No catch-up running, none held."""
        return (
            bool(self.catching_up) and self.catching_up[-1] == 0 and not self.history.gate.waiting
        )


@pytest.fixture
def h(qtbot: QtBot, tasks: TaskRunner, tmp_path: Path) -> Iterator[Harness]:
    database = LocalDatabase(tmp_path / "local.sqlite3")
    history = FakeHistory()
    bridge = RealtimeBridge(SERVER, refuse, tasks)
    engine = SyncEngine(bridge, tasks, history, database)
    h = Harness(engine, bridge, history, database)
    engine.messages_added.connect(
        lambda name, messages: (
            h.added.extend(messages),
            h.batches.append((name, [m.id for m in messages])),
        )
    )
    engine.message_changed.connect(lambda name, m: h.changed.append(m))
    engine.catching_up.connect(lambda name, running: h.catching_up.append(1 if running else 0))
    engine.sync_failed.connect(lambda name, reason: h.failures.append(reason))
    yield h
    tasks.shutdown(wait=False)  # first: results of held calls are dropped, not delivered
    history.gate.open()
    tasks.shutdown(wait=True)
    database.close()


def settle(qtbot: QtBot, h: Harness) -> None:
    qtbot.waitUntil(h.idle, timeout=TIMEOUT)


# --------------------------------------------------------------------------- first sync


def test_a_room_with_local_history_fetches_only_what_is_newer(qtbot: QtBot, h: Harness) -> None:
    h.database.store([message(i) for i in range(1, 6)])
    h.history.add(*range(1, 9))
    cached = h.engine.watch(GENERAL, backlog=3)
    assert [m.id for m in cached] == [3, 4, 5]
    settle(qtbot, h)
    assert h.history.calls == [("general", 5, PAGE)]
    assert h.ids() == [6, 7, 8]
    assert h.database.last_id("general") == 8
    assert h.engine.last_id("general") == 8


def test_a_new_room_starts_with_the_latest_backlog(qtbot: QtBot, h: Harness) -> None:
    """One request: the backlog's ``has_more`` tells of older messages, not newer ones."""
    h.history.add(*range(1, 21))
    assert h.engine.watch(GENERAL, backlog=3) == []
    settle(qtbot, h)
    assert h.history.calls == [("general", None, 3)]
    assert h.ids() == [18, 19, 20]
    h.live_message(21)
    assert h.ids() == [18, 19, 20, 21]


def test_a_live_event_before_the_first_page_waits_for_it(qtbot: QtBot, h: Harness) -> None:
    h.history.add(*range(1, 11))
    h.history.gate.close()
    h.engine.watch(GENERAL, backlog=2)
    qtbot.waitUntil(lambda: h.history.gate.waiting == 1, timeout=TIMEOUT)
    h.history.add(11)  # sent after the page was read: not in it
    h.live_message(11)
    h.live_message(3)  # an old one, replayed: before the base, never shown
    assert h.added == [], "nothing may be shown before the base is known"
    h.history.gate.open()
    settle(qtbot, h)
    assert h.history.calls[0] == ("general", None, 2)
    assert h.ids() == [9, 10, 11]


# ------------------------------------------------------------- interleaving, duplicates


@pytest.mark.parametrize("seed", range(8))
def test_interleaved_and_duplicated_events_and_pages_deliver_each_message_once_in_order(
    qtbot: QtBot, h: Harness, seed: int
) -> None:
    rng = random.Random(seed)
    h.database.store([message(i) for i in range(1, 6)])
    h.history.add(*range(1, 31))
    h.history.page_size = 4  # many catch-up rounds, each a chance to interleave
    h.history.gate.close()
    h.engine.watch(GENERAL)
    last = 30
    delayed: list[int] = []
    for _ in range(60):
        qtbot.waitUntil(lambda: h.history.gate.held or h.idle(), timeout=TIMEOUT)
        if not h.history.gate.held:
            break
        # Meanwhile: new messages (events sometimes late), replays of old and recent ones.
        for _ in range(rng.randint(0, 3)):
            if last < 45:
                last += 1
                h.history.add(last)
                if rng.random() < 0.3:
                    delayed.append(last)
                else:
                    h.live_message(last)
        for _ in range(rng.randint(0, 3)):
            h.live_message(rng.randint(1, last))
        if delayed and rng.random() < 0.5:
            h.live_message(delayed.pop(rng.randrange(len(delayed))))
        h.history.gate.release()
    for late in delayed:
        h.live_message(late)
    h.history.gate.open()
    qtbot.waitUntil(lambda: h.idle() and h.engine.last_id("general") == last, timeout=TIMEOUT)
    assert h.ids() == list(range(6, last + 1))
    assert all(name == "general" for name, _ in h.batches)
    assert h.database.last_id("general") == last
    assert [m.id for m in h.database.recent("general", 1000)] == list(range(1, last + 1))


def test_a_replayed_history_page_delivers_nothing_twice(qtbot: QtBot, h: Harness) -> None:
    h.history.add(*range(1, 6))
    h.database.store([message(1)])
    h.engine.watch(GENERAL)
    settle(qtbot, h)
    assert h.ids() == [2, 3, 4, 5]
    h.bridge.subscribed.emit(CHANNEL)  # a reconnect: the same history again
    settle(qtbot, h)
    for i in range(1, 6):
        h.live_message(i)
    assert h.ids() == [2, 3, 4, 5]


# ----------------------------------------------------------------------------- catch-up


def test_a_gap_in_live_events_triggers_a_catch_up_after_the_last_id(
    qtbot: QtBot, h: Harness
) -> None:
    h.database.store([message(i) for i in range(1, 11)])
    h.history.add(*range(1, 11))
    h.engine.watch(GENERAL)
    settle(qtbot, h)
    assert h.history.calls == [("general", 10, PAGE)]
    assert h.added == []
    h.history.add(11, 12, 13)  # 11 and 12's events were lost; 13's arrives
    with qtbot.waitSignal(h.engine.messages_added, timeout=TIMEOUT):
        h.live_message(13)
        assert h.added == [], "13 must wait for 11 and 12"
    settle(qtbot, h)
    assert h.history.calls[1] == ("general", 10, PAGE)
    assert h.ids() == [11, 12, 13]


def test_a_resubscription_catches_up_what_was_missed_offline(qtbot: QtBot, h: Harness) -> None:
    h.history.add(*range(1, 4))
    h.database.store([message(i) for i in range(1, 4)])
    h.engine.watch(GENERAL)
    settle(qtbot, h)
    h.history.add(4, 5, 6)  # sent while the connection was down: no events at all
    with qtbot.waitSignal(h.engine.messages_added, timeout=TIMEOUT) as blocker:
        h.bridge.subscribed.emit(CHANNEL)
    assert [m.id for m in blocker.args[1]] == [4, 5, 6]
    assert h.history.calls[-1] == ("general", 3, PAGE)


def test_a_resubscription_during_a_catch_up_fetches_again_after_it(
    qtbot: QtBot, h: Harness
) -> None:
    """The connection dropped and came back while a page was on its way: what was sent in
    between (no events: the socket was down) is in no page yet, so fetch once more."""
    h.database.store([message(1)])
    h.history.add(1, 2)
    h.history.gate.close()
    h.engine.watch(GENERAL)
    qtbot.waitUntil(lambda: h.history.gate.held, timeout=TIMEOUT)
    h.history.add(3, 4)  # sent while reconnecting
    h.bridge.subscribed.emit(CHANNEL)
    assert len(h.history.calls) == 1, "one fetch at a time"
    h.history.gate.open()
    qtbot.waitUntil(lambda: h.engine.last_id("general") == 4, timeout=TIMEOUT)
    settle(qtbot, h)
    assert h.history.calls == [("general", 1, PAGE), ("general", 2, PAGE)]
    assert h.ids() == [2, 3, 4]


def test_a_catch_up_follows_has_more_until_the_end(qtbot: QtBot, h: Harness) -> None:
    h.history.add(*range(1, 24))
    h.history.page_size = 5
    h.database.store([message(1)])
    h.engine.watch(GENERAL)
    qtbot.waitUntil(lambda: h.engine.last_id("general") == 23, timeout=TIMEOUT)
    settle(qtbot, h)
    assert [after for _, after, _ in h.history.calls] == [1, 6, 11, 16, 21]
    assert h.ids() == list(range(2, 24))


def test_a_failed_catch_up_is_reported_and_the_next_subscription_retries(
    qtbot: QtBot, h: Harness
) -> None:
    h.database.store([message(1)])
    h.history.add(1, 2)
    h.history.errors.append(RelayUnreachableError("cannot reach the relay"))
    with qtbot.waitSignal(h.engine.sync_failed, timeout=TIMEOUT) as blocker:
        h.engine.watch(GENERAL)
    assert blocker.args == ["general", "cannot reach the relay"]
    assert h.catching_up[-1] == 0
    assert h.added == []
    with qtbot.waitSignal(h.engine.messages_added, timeout=TIMEOUT):
        h.bridge.subscribed.emit(CHANNEL)
    assert h.ids() == [2]
    assert h.history.calls == [("general", 1, PAGE), ("general", 1, PAGE)]


# ------------------------------------------------------------------------ edits, others


def test_an_edit_of_a_delivered_message_is_a_change_not_a_new_message(
    qtbot: QtBot, h: Harness
) -> None:
    h.history.add(1, 2)
    h.database.store([message(1)])
    h.engine.watch(GENERAL)
    settle(qtbot, h)
    edited = replace(message(2), text="fixed", edited_at=message(2).sent_at)
    with qtbot.waitSignal(h.engine.message_changed, timeout=TIMEOUT) as blocker:
        h.live("message-updated", edited.to_json())
    assert blocker.args == ["general", edited]
    deleted = replace(message(1), text="", deleted=True)
    h.live("message-deleted", deleted.to_json())
    assert h.changed == [edited, deleted]
    assert h.ids() == [2]
    assert h.database.recent("general", 10) == [deleted, edited]


@pytest.mark.parametrize(
    "data",
    [None, "not json", [], {}, {"id": "3"}, {**message(3).to_json(), "sent_at": "yesterday"}],
)
def test_a_malformed_event_is_ignored(qtbot: QtBot, h: Harness, data: Any) -> None:
    h.history.add(1, 2)
    h.database.store([message(1), message(2)])
    h.engine.watch(GENERAL)
    settle(qtbot, h)
    h.live("message", data)
    h.live("message-updated", data)
    h.live_message(3)
    assert h.ids() == [3]
    assert h.changed == []


def test_events_of_other_channels_and_names_are_ignored(qtbot: QtBot, h: Harness) -> None:
    h.database.store([message(1)])
    h.history.add(1)
    h.engine.watch(GENERAL)
    settle(qtbot, h)
    h.live("message", message(2).to_json(), channel="private-room-random")
    h.live("client-typing", message(2).to_json())
    assert h.added == []
    h.engine.unwatch("general")
    h.live_message(2)
    assert h.added == []


def test_an_event_the_history_cannot_explain_does_not_start_a_fetch_loop(
    qtbot: QtBot, h: Harness
) -> None:
    """A "message" triggered on the room's channel by something other than the relay (any
    holder of the app secret can) has an id the relay never stored. Catching up once finds
    nothing to fill the gap; fetching again at once would hammer the relay forever."""
    h.database.store([message(i) for i in range(1, 11)])
    h.history.add(*range(1, 11))
    h.engine.watch(GENERAL)
    settle(qtbot, h)
    h.catching_up.clear()
    h.history.max_calls = 10  # a loop is held there instead of spinning until teardown
    h.live_message(1000)
    qtbot.waitUntil(lambda: h.idle() or h.history.gate.held, timeout=TIMEOUT)
    assert h.idle(), f"still catching up after {len(h.history.calls)} history requests"
    assert len(h.history.calls) <= 3, h.history.calls
    h.history.add(11)
    h.live_message(11)  # the room goes on
    assert h.ids() == [11]


def test_a_long_session_does_not_drain_the_references_to_true(qtbot: QtBot, h: Harness) -> None:
    """Every signal the engine emits (a message, a catch-up) goes through ``emit``. PySide6
    6.12.0 on Python 3.11 drops a reference to ``True`` on each Python-side ``emit`` (its
    return value); once the count reaches zero the interpreter aborts ("Fatal Python error:
    bool_dealloc"), after a few thousand messages. A chat session must not count down.
    """
    h.database.store([message(1)])
    h.history.add(1)
    h.engine.watch(GENERAL)
    settle(qtbot, h)
    rounds = 40
    before = sys.getrefcount(True)
    for i in range(2, rounds + 2):
        h.history.add(i)
        h.live_message(i)
        h.bridge.subscribed.emit(CHANNEL)
        settle(qtbot, h)
    lost = before - sys.getrefcount(True)
    assert h.engine.last_id("general") == rounds + 1
    assert lost < rounds // 2, (
        f"{lost} references to True lost in {rounds} messages and catch-ups: the process "
        f"aborts after about {sys.getrefcount(True)} more"
    )
