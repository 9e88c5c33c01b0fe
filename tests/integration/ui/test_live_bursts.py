"""Many messages at once into the room on screen, on a real hub: what the window keeps.

Alice's window (the ``chat`` fixture) follows #general. A burst is what a catch-up brings
after a gap (here: her messages channel left while Bob writes 180 messages through the
relay, then joined again): pages of up to 200 messages, each one insert. A followed view
keeps only the newest rows that fill it (and rows it had measured already), not a hundred
rows it would measure on every such frame and never show; scrolling up brings the rest
back from the local database. Reading as messages arrive moves the read mark on each
one, but the local database is written a few times a second, not once per message. And
opening a room measures each row once, not again when the scroll bar shows up.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Message
from desktopchat.ui.message_delegate import MessageDelegate
from desktopchat.ui.message_view import MessageView
from tests.integration.ui.conftest import QT_CLEAN, WAIT_MS, Chat, shows_room

pytestmark = QT_CLEAN

#: A catch-up of one page (the sync engine fetches 200 at a time), more rows than a
#: followed view keeps at most (message_view.LIVE_ROWS_MAX).
BURST = 180


def row_heights(view: MessageView) -> list[int]:
    """Each row's laid-out height, oldest first."""
    model = view.model()
    return [view.visualRect(model.index(r, 0)).height() for r in range(model.rowCount())]


def newest_id(chat: Chat) -> int | None:
    model = chat.model
    record = model.row(model.rowCount() - 1) if model.rowCount() else None
    return record.id if isinstance(record, Message) else None


def test_a_catch_up_burst_keeps_only_rows_that_fill_the_view_and_scrolling_up_brings_the_rest(
    qtbot: QtBot, chat: Chat
) -> None:
    window = chat.window
    session, controller = window.session, window.controller
    assert session is not None
    assert controller is not None
    assert controller.current is not None
    channel = controller.current.channel
    view = window.messages
    session.bridge.unsubscribe(channel)
    sent = [chat.bob_says(f"burst {n}") for n in range(BURST)]
    session.bridge.subscribe(channel)  # the catch-up: pages of the missed messages

    qtbot.waitUntil(lambda: newest_id(chat) == sent[-1].id, timeout=WAIT_MS)
    qtbot.waitUntil(view.at_bottom, timeout=WAIT_MS)
    heights = row_heights(view)
    assert all(h > 0 for h in heights)
    # Past the oldest row kept, no more than the rows that fill the view (and a half): all
    # of them newly arrived, never measured before, so none kept just to be measured.
    assert sum(heights[1:]) < 2 * view.viewport().height()
    assert sum(heights) >= view.viewport().height()  # the view is full: it can scroll up
    model = chat.model
    assert model.has_older
    first_kept = model.first_id()
    assert first_kept is not None
    assert first_kept > sent[0].id

    view.verticalScrollBar().setValue(0)  # the user scrolls to the top
    qtbot.waitUntil(lambda: (model.first_id() or 0) < first_kept, timeout=WAIT_MS)
    kept = [model.row(r) for r in range(model.rowCount())]
    ids = [m.id for m in kept if isinstance(m, Message)]
    assert ids == sorted(ids)
    assert ids[-1] == sent[-1].id
    # Nothing between the oldest loaded and the newest is missing.
    assert {m.id for m in sent if m.id >= ids[0]} <= set(ids)
    assert not view.at_bottom()  # what the user reads stays where it was


def test_reading_messages_as_they_arrive_writes_the_read_mark_a_few_times_not_per_message(
    qtbot: QtBot, chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = chat.window.session
    assert session is not None
    database = session.database
    writes: list[int] = []
    original = database.set_read_mark

    def counted(room: str, message_id: int, *, pending: bool) -> None:
        writes.append(message_id)
        original(room, message_id, pending=pending)

    monkeypatch.setattr(database, "set_read_mark", counted)
    count = 60
    sent = [chat.bob_says(f"live {n}") for n in range(count)]

    qtbot.waitUntil(lambda: newest_id(chat) == sent[-1].id, timeout=WAIT_MS)
    # Each message moved the mark as it arrived (the relay hears of it as before)...
    assert session.read_state.mark("general") == sent[-1].id
    # ...and the local database ends with it, written far fewer times than per message.
    qtbot.waitUntil(
        lambda: database.read_marks().get("general", (0, True))[0] == sent[-1].id,
        timeout=WAIT_MS,
    )
    assert 0 < len(writes) < count // 2


def test_opening_a_room_measures_each_of_its_rows_once(
    qtbot: QtBot, chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scroll bar that appears once a room's history is taller than the view does not
    make every row be measured again at the narrower width."""
    window = chat.window
    sent = [chat.bob_says(f"history {n}", room="random") for n in range(60)]
    measured: list[int] = []
    original = MessageDelegate._measure

    def counted(self: MessageDelegate, model: Any, record: Any, *args: Any, **kwargs: Any) -> Any:
        measured.append(record.id)
        return original(self, model, record, *args, **kwargs)

    monkeypatch.setattr(MessageDelegate, "_measure", counted)
    window.select_room("random")
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: newest_id(chat) == sent[-1].id, timeout=WAIT_MS)
    view = window.messages
    qtbot.waitUntil(view.at_bottom, timeout=WAIT_MS)
    assert view.verticalScrollBar().isVisible()  # taller than the view
    view.viewport().repaint()
    assert sorted(measured) == sorted(set(measured))  # none twice


def test_opening_a_long_room_keeps_a_screen_of_rows_and_a_taller_window_brings_older_ones(
    qtbot: QtBot, chat: Chat
) -> None:
    """A room's page of 100 saved messages is not all measured to show the newest 15: the
    view keeps what fills it. Made taller than those rows, it asks for the older ones
    itself (no scroll bar is left to scroll up with)."""
    window = chat.window
    sent = [chat.bob_says(f"history {n}", room="random") for n in range(120)]
    window.select_room("random")
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    view = window.messages
    model = view.model()
    qtbot.waitUntil(
        lambda: model.rowCount() > 0 and model.row(model.rowCount() - 1).id == sent[-1].id,
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(view.at_bottom, timeout=WAIT_MS)
    kept = model.rowCount()
    assert kept < 60  # not the whole page: a screen of rows and a bit more
    assert sum(row_heights(view)) >= view.viewport().height()  # yet the view is full
    window.resize(window.width(), window.height() * 3)  # taller than what was kept
    qtbot.waitUntil(lambda: model.rowCount() > kept, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: sum(row_heights(view)) >= view.viewport().height(), timeout=WAIT_MS)
    ids = [model.row(r).id for r in range(model.rowCount())]
    assert ids == sorted(ids)
    assert ids[-1] == sent[-1].id


def test_a_jump_back_while_the_followed_room_lets_rows_go_leaves_no_gap(
    qtbot: QtBot, chat: Chat
) -> None:
    """A jump to a message older than those loaded (the first unread, a reply's quote) asks
    the relay for it and all after it. While the relay answers, a room followed live lets
    its oldest rows go (as on every burst). The page then joins the rows that stayed
    through those the local database kept: no message is skipped."""
    window = chat.window
    controller, session, view = window.controller, window.session, window.messages
    assert controller is not None
    assert session is not None
    sent = [chat.bob_says(f"history {n}", room="random") for n in range(120)]
    window.select_room("random")
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    model = chat.model
    qtbot.waitUntil(
        lambda: model.rowCount() > 0 and model.row(model.rowCount() - 1).id == sent[-1].id,
        timeout=WAIT_MS,
    )
    # A device that saved only the newest 50 (as one that joined later): the rest is on
    # the relay only. All 50 are loaded; the view follows the newest.
    saved_from = sent[-50].id
    session.database._db.execute(  # the test makes that history
        "DELETE FROM messages WHERE room = 'random' AND id < ?", (saved_from,)
    )
    for _ in range(5):  # from the local database, at once
        if (first := model.first_id() or 0) <= saved_from:
            break
        controller.load_older(first)
    assert model.first_id() == saved_from
    qtbot.waitUntil(view.at_bottom, timeout=WAIT_MS)
    target = sent[10].id
    jumped: list[bool] = []

    controller.load_around("random", target, lambda: jumped.append(True))  # to the relay
    model.trim_oldest(30)  # meanwhile: what the followed view does on a burst
    assert (model.first_id() or 0) > saved_from
    qtbot.waitUntil(lambda: jumped == [True], timeout=WAIT_MS)
    ids = [model.row(r).id for r in range(model.rowCount())]
    assert ids[0] <= target
    assert ids == list(range(ids[0], sent[-1].id + 1))  # every id from the first loaded on
