"""The outbox against a real relay: written messages survive a relay outage and a restart.

Delivery is checked where it matters, in the relay's history (through the HTTP API): each
text exactly once, in the order written.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

from PySide6.QtCore import QTimer

from desktopchat.client.outbox import OutboxItem, OutboxState
from desktopchat.client.session import ChatSession
from tests.inbox import WAIT
from tests.integration.client.helpers import TIMEOUT_MS, Account, Recorder, RestartableHub, general


def history_texts(account: Account) -> list[str]:
    """Every text in ``general``, in id order, as the relay stores them."""
    return [m.text for m in account.client.history("general", after=0, limit=200).messages]


def states(session: ChatSession) -> list[tuple[str, OutboxState]]:
    """What the outbox holds, oldest first."""
    return [(item.text, item.state) for item in session.outbox.items()]


def active_timers(session: ChatSession) -> list[QTimer]:
    """The session's timers that are still counting down."""
    return [timer for timer in session.findChildren(QTimer) if timer.isActive()]


def refused_once(session: ChatSession) -> bool:
    """Whether the oldest item was tried, refused, and is waiting to be retried."""
    items = session.outbox.items()
    return bool(items) and items[0].state is OutboxState.PENDING and items[0].error is not None


def test_messages_written_while_the_relay_is_down_wait_then_land_once_in_order(
    qtbot, open_session, hub_server: RestartableHub, alice: Account
) -> None:
    session = open_session(alice)
    recorder = Recorder(session)
    sent: list[str] = []
    session.outbox.sent.connect(lambda _client_id, message: sent.append(message.text))
    session.sync.watch(general(alice))
    with qtbot.waitSignal(
        session.bridge.subscribed,
        timeout=TIMEOUT_MS,
        check_params_cb=lambda channel: channel == "private-room-general",
    ):
        session.start()
    hub_server.stop()

    texts = ["first", "second", "third"]
    for text in texts:
        item = session.outbox.enqueue("general", text)
        assert isinstance(item, OutboxItem)
    qtbot.waitUntil(lambda: refused_once(session), timeout=TIMEOUT_MS)
    assert states(session) == [(text, OutboxState.PENDING) for text in texts]
    assert "cannot reach" in (session.outbox.items()[0].error or "")
    assert [row.text for row in session.database.outbox()] == texts, "persisted before sending"
    assert sent == []

    hub_server.start()
    qtbot.waitUntil(lambda: session.outbox.items() == [], timeout=TIMEOUT_MS)
    assert sent == texts
    assert history_texts(alice) == texts
    assert session.database.outbox() == []
    # The session itself receives its messages back, once each, in order.
    qtbot.waitUntil(lambda: len(recorder.added) >= 3, timeout=TIMEOUT_MS)
    assert recorder.texts == texts


def test_a_new_session_on_the_same_data_sends_what_the_last_one_could_not(
    qtbot, open_session, tmp_path, hub_server: RestartableHub, alice: Account
) -> None:
    data = tmp_path / "alice-data"
    first = open_session(alice, data)
    hub_server.stop()
    texts = ["written before quitting 1", "written before quitting 2", "written before quitting 3"]
    for text in texts:
        first.outbox.enqueue("general", text)
    qtbot.waitUntil(lambda: refused_once(first), timeout=TIMEOUT_MS)
    first.close()  # quit with everything still in the outbox
    # A closed session is quiet: no retry timer left to fire into its closed task runner
    # (if one fires, the error it raises in the Qt event loop fails this test).
    qtbot.waitUntil(lambda: not active_timers(first), timeout=TIMEOUT_MS)

    second = open_session(alice, data)
    assert states(second) == [(text, OutboxState.PENDING) for text in texts]
    sent: list[str] = []
    second.outbox.sent.connect(lambda _client_id, message: sent.append(message.text))
    hub_server.start()
    second.start()
    qtbot.waitUntil(lambda: second.outbox.items() == [], timeout=TIMEOUT_MS)
    assert sent == texts
    assert history_texts(alice) == texts


def test_a_message_stored_just_before_quitting_is_not_sent_twice(
    qtbot, open_session, monkeypatch, tmp_path, alice: Account
) -> None:
    """The relay stored it, but the session closed before hearing back (a crash or a quit).

    The next session resends it with the same client_id, and the relay keeps one copy. The
    closed session must not act on the late answer either.
    """
    data = tmp_path / "alice-data"
    first = open_session(alice, data)
    futures: list[Future[object]] = []
    real_run = first.tasks.run

    def run_and_keep(fn: Callable[[], object], *args: object) -> Future[object]:
        future = real_run(fn, *args)
        futures.append(future)
        return future

    monkeypatch.setattr(first.tasks, "run", run_and_keep)
    first.outbox.enqueue("general", "answered too late")
    # The Qt event loop does not run until close(): the answer cannot reach the outbox.
    futures[0].result(WAIT)
    assert history_texts(alice) == ["answered too late"]
    first.close()

    second = open_session(alice, data)
    assert states(second) == [("answered too late", OutboxState.PENDING)]
    second.start()
    qtbot.waitUntil(lambda: second.outbox.items() == [], timeout=TIMEOUT_MS)
    assert history_texts(alice) == ["answered too late"]
