"""Outbox: persisted before any attempt, retried with the same client_id, in order per room.

The sender is a fake relay (``fakes.FakeSender``) running on the task runner's workers like
the real ``RelayClient.send``; retries are made fast by giving the outbox a ``Backoff`` with
millisecond delays, never by sleeping.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from desktopchat.client import outbox as outbox_module
from desktopchat.client.backoff import Backoff
from desktopchat.client.cache import LocalDatabase
from desktopchat.client.domain import Message, User
from desktopchat.client.errors import AuthenticationError, RelayError, RelayUnreachableError
from desktopchat.client.login import Login
from desktopchat.client.outbox import Outbox, OutboxItem, OutboxState
from desktopchat.client.session import ChatSession
from desktopchat.client.tasks import TaskRunner
from tests.unit.client.fakes import SERVER, FakeSender
from tests.unit.client.fakes import message as fake_message
from tests.unit.client.test_relay_client import free_port

TIMEOUT = 10_000


def unreachable() -> RelayUnreachableError:
    return RelayUnreachableError("cannot reach http://127.0.0.1:9: ConnectionError")


def too_large() -> RelayError:
    return RelayError("Message text is over the limit", status=413, code="text_too_large")


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries a few milliseconds apart (the outbox makes one ``Backoff()`` per room)."""
    monkeypatch.setattr(outbox_module, "Backoff", functools.partial(Backoff, 0.005, 0.02))


@dataclass
class Harness:
    """An outbox on a real database, its fake relay, and what it emitted."""

    outbox: Outbox
    sender: FakeSender
    database: LocalDatabase
    path: Path
    changes: list[OutboxItem] = field(default_factory=list)
    sent: list[tuple[str, Message]] = field(default_factory=list)

    def states(self, client_id: str) -> list[OutboxState]:
        return [c.state for c in self.changes if c.client_id == client_id]

    def sent_texts(self) -> list[str]:
        return [m.text for _, m in self.sent]


def make_outbox(database: LocalDatabase, tasks: TaskRunner, sender: FakeSender) -> Harness:
    box = Outbox(database, tasks, sender)
    h = Harness(box, sender, database, sender.database)
    box.changed.connect(h.changes.append)
    box.sent.connect(lambda client_id, message: h.sent.append((client_id, message)))
    return h


@pytest.fixture
def h(qtbot: QtBot, tasks: TaskRunner, tmp_path: Path) -> Iterator[Harness]:
    path = tmp_path / "local.sqlite3"
    database = LocalDatabase(path)
    harness = make_outbox(database, tasks, FakeSender(path))
    yield harness
    tasks.shutdown(wait=False)  # first: results of held calls are dropped, not delivered
    harness.sender.gate.open()
    tasks.shutdown(wait=True)
    stop_retries(harness.outbox)
    database.close()


def stop_retries(box: Outbox) -> None:
    """Stop the outbox's retry timers (its children): the runner they would use is gone."""
    for timer in box.findChildren(QTimer):
        timer.stop()


def wait_sent(qtbot: QtBot, h: Harness, count: int) -> None:
    qtbot.waitUntil(lambda: len(h.sent) >= count, timeout=TIMEOUT)


# ---------------------------------------------------------------------------- persisting


def test_a_message_is_on_disk_before_the_first_attempt(qtbot: QtBot, h: Harness) -> None:
    h.sender.gate.close()
    item = h.outbox.enqueue("general", "hello")
    assert item.state is OutboxState.PENDING
    assert item.client_id.startswith("dc-")
    rows = h.database.outbox()
    assert [(r.client_id, r.room, r.text, r.failed) for r in rows] == [
        (item.client_id, "general", "hello", None)
    ]
    # Another connection (another process after a crash) sees it too.
    assert [r.client_id for r in LocalDatabase(h.path).outbox()] == [item.client_id]
    qtbot.waitUntil(lambda: h.sender.gate.held, timeout=TIMEOUT)
    assert h.sender.persisted == [True]
    h.sender.gate.open()
    wait_sent(qtbot, h, 1)
    assert h.database.outbox() == [], "stored by the relay: gone from the outbox"
    assert h.outbox.items() == []


def test_a_sent_message_reports_sent_with_the_stored_message(qtbot: QtBot, h: Harness) -> None:
    item = h.outbox.enqueue("general", "hello")
    wait_sent(qtbot, h, 1)
    client_id, stored = h.sent[0]
    assert client_id == item.client_id
    assert stored.client_id == item.client_id
    assert stored.text == "hello"
    assert h.states(item.client_id) == [
        OutboxState.PENDING,
        OutboxState.SENDING,
        OutboxState.SENT,
    ]


# ------------------------------------------------------------------------------- retries


def test_transient_failures_are_retried_with_the_same_client_id(qtbot: QtBot, h: Harness) -> None:
    h.sender.script["hello"] = [unreachable(), unreachable(), unreachable()]
    item = h.outbox.enqueue("general", "hello")
    wait_sent(qtbot, h, 1)
    assert [c[2] for c in h.sender.calls] == [item.client_id] * 4
    assert h.sent[0][1].client_id == item.client_id
    assert h.states(item.client_id) == [
        OutboxState.PENDING,
        *[OutboxState.SENDING, OutboxState.PENDING] * 3,
        OutboxState.SENDING,
        OutboxState.SENT,
    ]
    waiting = [c for c in h.changes if c.state is OutboxState.PENDING and c.error]
    assert all("cannot reach" in (c.error or "") for c in waiting)
    assert h.database.outbox() == []


@pytest.mark.parametrize(
    "error",
    [
        RelayError("Service Unavailable", status=503, code="unavailable"),
        AuthenticationError("session expired", status=401, code="invalid_token"),
    ],
    ids=["503", "401"],
)
def test_server_errors_and_an_expired_session_are_retried_not_failed(
    qtbot: QtBot, h: Harness, error: RelayError
) -> None:
    h.sender.script["hello"] = [error]
    item = h.outbox.enqueue("general", "hello")
    wait_sent(qtbot, h, 1)
    assert [c[2] for c in h.sender.calls] == [item.client_id] * 2
    assert OutboxState.FAILED not in h.states(item.client_id)


def test_a_room_keeps_its_order_while_the_first_message_is_retried(
    qtbot: QtBot, h: Harness
) -> None:
    h.sender.script["first"] = [unreachable(), unreachable()]
    first = h.outbox.enqueue("general", "first")
    second = h.outbox.enqueue("general", "second")
    third = h.outbox.enqueue("general", "third")
    assert [i.client_id for i in h.outbox.items("general")] == [
        first.client_id,
        second.client_id,
        third.client_id,
    ]
    wait_sent(qtbot, h, 3)
    assert h.sender.texts() == ["first", "first", "first", "second", "third"]
    assert h.sent_texts() == ["first", "second", "third"]
    assert [m.id for _, m in h.sent] == [1, 2, 3]


def test_one_message_per_room_is_in_flight(qtbot: QtBot, h: Harness) -> None:
    h.sender.gate.close()
    h.outbox.enqueue("general", "first")
    h.outbox.enqueue("general", "second")
    qtbot.waitUntil(lambda: h.sender.gate.held, timeout=TIMEOUT)
    assert h.sender.texts() == ["first"]
    assert [i.state for i in h.outbox.items("general")] == [
        OutboxState.SENDING,
        OutboxState.PENDING,
    ]
    h.sender.gate.open()
    wait_sent(qtbot, h, 2)
    assert h.sender.texts() == ["first", "second"]


def test_a_stuck_room_does_not_hold_up_another(qtbot: QtBot, h: Harness) -> None:
    h.sender.script["to general"] = [unreachable()] * 1000
    h.outbox.enqueue("general", "to general")
    h.outbox.enqueue("random", "to random")
    # Both rooms' first attempts run at once on the workers, in either order.
    qtbot.waitUntil(
        lambda: "to random" in h.sent_texts() and "to general" in h.sender.texts(),
        timeout=TIMEOUT,
    )
    assert [i.text for i in h.outbox.items()] == ["to general"]


# -------------------------------------------------------------------- permanent refusals


def test_a_413_fails_for_good_and_the_next_message_goes_on(qtbot: QtBot, h: Harness) -> None:
    h.sender.script["x" * 9000] = [too_large()]
    big = h.outbox.enqueue("general", "x" * 9000)
    after = h.outbox.enqueue("general", "after")
    wait_sent(qtbot, h, 1)
    assert h.sent_texts() == ["after"]
    assert h.sender.texts() == ["x" * 9000, "after"], "a permanent refusal is not retried"
    assert h.states(big.client_id) == [
        OutboxState.PENDING,
        OutboxState.SENDING,
        OutboxState.FAILED,
    ]
    [item] = h.outbox.items()
    assert item.client_id == big.client_id
    assert item.state is OutboxState.FAILED
    assert "over the limit" in (item.error or "")
    [row] = h.database.outbox()
    assert row.client_id == big.client_id
    assert "over the limit" in (row.failed or "")
    assert after.client_id not in [r.client_id for r in h.database.outbox()]


def test_retry_sends_a_failed_message_again_with_its_client_id(qtbot: QtBot, h: Harness) -> None:
    h.sender.script["hello"] = [too_large()]
    item = h.outbox.enqueue("general", "hello")
    qtbot.waitUntil(lambda: OutboxState.FAILED in h.states(item.client_id), timeout=TIMEOUT)
    h.sender.gate.close()
    h.outbox.retry(item.client_id)
    [row] = h.database.outbox()
    assert row.failed is None, "retried: pending again on disk too (a restart would send it)"
    h.sender.gate.open()
    wait_sent(qtbot, h, 1)
    assert [c[2] for c in h.sender.calls] == [item.client_id] * 2
    assert h.database.outbox() == []
    assert h.outbox.items() == []


def test_discard_forgets_a_failed_message(qtbot: QtBot, h: Harness) -> None:
    h.sender.script["hello"] = [too_large()]
    item = h.outbox.enqueue("general", "hello")
    qtbot.waitUntil(lambda: OutboxState.FAILED in h.states(item.client_id), timeout=TIMEOUT)
    h.outbox.discard(item.client_id)
    assert h.outbox.items() == []
    assert h.database.outbox() == []
    h.outbox.retry(item.client_id)  # nothing left to retry
    h.outbox.resume()
    assert h.sender.texts() == ["hello"]


def test_retry_and_discard_leave_a_message_that_did_not_fail_alone(
    qtbot: QtBot, h: Harness
) -> None:
    h.sender.gate.close()
    item = h.outbox.enqueue("general", "hello")
    qtbot.waitUntil(lambda: h.sender.gate.held, timeout=TIMEOUT)
    h.outbox.discard(item.client_id)
    h.outbox.retry(item.client_id)
    assert [r.client_id for r in h.database.outbox()] == [item.client_id]
    h.sender.gate.open()
    wait_sent(qtbot, h, 1)
    assert h.sender.texts() == ["hello"]


# ------------------------------------------------------------------------------ restarts


def test_a_new_outbox_on_the_same_database_resumes_pending_messages(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The app quits (or crashes) mid-send; the next start sends everything, in order."""
    path = tmp_path / "local.sqlite3"
    first_tasks = TaskRunner()
    first_db = LocalDatabase(path)
    first = make_outbox(first_db, first_tasks, FakeSender(path))
    first.sender.gate.close()  # the relay never answers this run
    written = [
        first.outbox.enqueue("general", "one"),
        first.outbox.enqueue("general", "two"),
        first.outbox.enqueue("random", "three"),
    ]
    qtbot.waitUntil(lambda: first.sender.gate.waiting == 2, timeout=TIMEOUT)
    # Quit: callbacks of work still running are dropped; the database is closed.
    first_tasks.shutdown(wait=False)
    first_db.close()

    tasks = TaskRunner()
    database = LocalDatabase(path)
    try:
        second = make_outbox(database, tasks, FakeSender(path))
        items = second.outbox.items()
        assert [(i.client_id, i.room, i.text) for i in items] == [
            (w.client_id, w.room, w.text) for w in written
        ]
        assert all(i.state is OutboxState.PENDING for i in items)
        assert second.sender.calls == [], "nothing is sent before resume()"
        second.outbox.resume()
        wait_sent(qtbot, second, 3)
        by_room = {
            room: [text for r, text, _ in second.sender.calls if r == room]
            for room in ("general", "random")
        }
        assert by_room == {"general": ["one", "two"], "random": ["three"]}
        assert {c[2] for c in second.sender.calls} == {w.client_id for w in written}
        assert database.outbox() == []
    finally:
        first.sender.gate.open()
        first_tasks.shutdown(wait=True)
        tasks.shutdown(wait=True)
        database.close()


def test_a_failed_message_is_still_failed_after_a_restart(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "local.sqlite3"
    first_tasks = TaskRunner()
    first_db = LocalDatabase(path)
    first = make_outbox(first_db, first_tasks, FakeSender(path))
    first.sender.script["huge"] = [too_large()]
    item = first.outbox.enqueue("general", "huge")
    qtbot.waitUntil(lambda: OutboxState.FAILED in first.states(item.client_id), timeout=TIMEOUT)
    first_tasks.shutdown(wait=True)
    first_db.close()

    tasks = TaskRunner()
    database = LocalDatabase(path)
    try:
        second = make_outbox(database, tasks, FakeSender(path))
        [restored] = second.outbox.items()
        assert restored.client_id == item.client_id
        assert restored.state is OutboxState.FAILED
        assert "over the limit" in (restored.error or "")
        second.outbox.resume()
        assert second.sender.calls == [], "a failed message waits for the user's retry"
        second.outbox.retry(item.client_id)
        wait_sent(qtbot, second, 1)
        assert second.sender.calls == [("general", "huge", item.client_id)]
    finally:
        tasks.shutdown(wait=True)
        database.close()


def test_closing_the_session_stops_the_outbox_retrying(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session closed while a message waits to be retried (logout, switching profile,
    the window staying open) must not have its retry timer fire into a closed session."""
    # A retry due in 1.5 s: long enough to close the session while it is armed.
    monkeypatch.setattr(outbox_module, "Backoff", functools.partial(Backoff, 1.5, 1.5))
    login = Login(
        server_url=f"http://127.0.0.1:{free_port()}",  # nothing listens: every send fails
        token="token",
        user=User(1, "alice", "Alice", None, "/api/avatars/1.svg"),
        server=SERVER,
    )
    session = ChatSession(login, tmp_path)
    changes: list[OutboxItem] = []
    session.outbox.changed.connect(changes.append)
    session.outbox.enqueue("general", "hello")
    qtbot.waitUntil(
        lambda: any(c.state is OutboxState.PENDING and c.error for c in changes), timeout=TIMEOUT
    )
    [timer] = session.outbox.findChildren(QTimer)
    assert timer.isActive(), "a retry is scheduled"
    session.close()
    # If the timer is still armed it fires into the closed session (the test fails with the
    # exception pytest-qt catches in the slot); if it was stopped, nothing may fire at all.
    if timer.isActive():
        with qtbot.waitSignal(timer.timeout, timeout=TIMEOUT):
            pass
    assert not timer.isActive()


def test_an_edit_that_names_no_one_any_more_says_so_even_after_a_restart(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """An edit's mentions replace the message's, ``()`` included (an ``@Name`` edited
    out); an edit that does not say leaves them. Both survive a restart while waiting."""
    path = tmp_path / "local.sqlite3"
    calls: list[tuple[int, tuple[int, ...] | None]] = []

    def offline(room: str, message_id: int, text: str, mentions: object) -> Message:
        raise unreachable()

    def online(room: str, message_id: int, text: str, mentions: tuple[int, ...] | None) -> Message:
        calls.append((message_id, mentions))
        return fake_message(message_id, room, text)

    first_tasks, first_db = TaskRunner(), LocalDatabase(path)
    first = Outbox(first_db, first_tasks, FakeSender(path), edit=offline)
    cleared = first.enqueue_edit("general", 7, "lunch?", mentions=())
    kept = first.enqueue_edit("general", 8, "typo fixed")
    assert cleared.replaces_mentions
    assert not kept.replaces_mentions
    first_tasks.shutdown(wait=True)
    first_db.close()

    tasks, database = TaskRunner(), LocalDatabase(path)
    try:
        again = Outbox(database, tasks, FakeSender(path), edit=online)
        resumed = {item.message_id: item for item in again.items()}
        assert resumed[7].replaces_mentions
        assert resumed[7].mentions == ()
        assert not resumed[8].replaces_mentions
        again.resume()
        qtbot.waitUntil(lambda: len(calls) == 2, timeout=TIMEOUT)
        assert calls == [(7, ()), (8, None)]
    finally:
        tasks.shutdown(wait=True)
        database.close()
