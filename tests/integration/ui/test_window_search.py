"""Searching from the window: Ctrl+F in a room, the header's search over every room,
results with their matches highlighted, Enter to jump to the message, and offline."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktopchat.client.search import SearchHit
from desktopchat.ui.search_rows import HIT_ROLE
from tests.integration.ui.conftest import WAIT_MS, Chat, connected, shows_room

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier


def shown_hits(chat: Chat) -> list[SearchHit]:
    model = chat.window.search_panel.model
    return [model.index(r).data(HIT_ROLE) for r in range(model.rowCount())]


def search_for(qtbot: QtBot, chat: Chat, text: str) -> None:
    field = chat.window.search_panel.field
    field.clear()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_search_everywhere_then_enter_jumps_to_a_message_not_loaded_yet(
    qtbot: QtBot, chat: Chat
) -> None:
    needle = chat.bob_says("the needle is <b>here</b>", room="random")
    for n in range(120):  # more than a page: the needle is not loaded when #random opens
        chat.bob_says(f"hay {n}", room="random")
    window = chat.window
    qtbot.keyClick(window.composer, Qt.Key.Key_F, CTRL_SHIFT)
    panel = window.search_panel
    assert panel.isVisible()
    assert panel.field.hasFocus()
    search_for(qtbot, chat, "needle")
    qtbot.waitUntil(
        lambda: [h.message.id for h in shown_hits(chat)] == [needle.id], timeout=WAIT_MS
    )
    hit = shown_hits(chat)[0]
    assert hit.message.room == "random"
    assert [hit.message.text[a:b] for a, b in hit.highlights] == ["needle"]
    assert panel.status.text() == "1 message"

    qtbot.keyClick(panel.field, Qt.Key.Key_Return)  # the first result is current: go
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    view = window.messages
    qtbot.waitUntil(
        lambda: (
            view.currentIndex().isValid()
            and chat.model.row(view.currentIndex().row()).id == needle.id
        ),
        timeout=WAIT_MS,
    )
    assert chat.model.row(view.currentIndex().row()).text == "the needle is <b>here</b>"
    assert view.visualRect(view.currentIndex()).intersects(view.viewport().rect())
    assert panel.scope.text() == "Only #random", "the scope follows the room on screen"


def test_ctrl_f_searches_the_room_on_screen_and_the_scope_widens_it(
    qtbot: QtBot, chat: Chat
) -> None:
    here = chat.bob_says("apple pie")
    there = chat.bob_says("apple crumble", room="random")
    window = chat.window
    qtbot.waitUntil(lambda: bool(chat.rows_with("apple pie")), timeout=WAIT_MS)
    qtbot.keyClick(window.composer, Qt.Key.Key_F, CTRL)
    panel = window.search_panel
    assert panel.scope.isChecked()
    assert panel.scope.text() == "Only #general"
    assert window.members_column.isHidden(), "the panel takes the members' place"
    search_for(qtbot, chat, "appl*")
    qtbot.waitUntil(lambda: [h.message.id for h in shown_hits(chat)] == [here.id], timeout=WAIT_MS)
    panel.scope.setChecked(False)
    qtbot.waitUntil(
        lambda: (
            [(h.message.room, h.message.id) for h in shown_hits(chat)]
            == [("random", there.id), ("general", here.id)]
        ),
        timeout=WAIT_MS,
    )
    # Down moves through the results from the field; Esc closes the panel.
    qtbot.keyClick(panel.field, Qt.Key.Key_Down)
    assert panel.results.currentIndex().row() == 1
    qtbot.keyClick(panel.field, Qt.Key.Key_Escape)
    assert not panel.isVisible()
    assert window.members_column.isVisible(), "and gives it back when closed"
    assert window.composer.hasFocus(), "the focus goes back where it was"


def test_a_bad_query_is_explained_and_offline_search_uses_this_computers_copy(
    qtbot: QtBot, chat: Chat
) -> None:
    kept = chat.bob_says("offline banana")
    window = chat.window
    qtbot.waitUntil(lambda: bool(chat.rows_with("offline banana")), timeout=WAIT_MS)
    window.search_everywhere()
    search_for(qtbot, chat, '"banana')
    panel = window.search_panel
    qtbot.waitUntil(lambda: "closing" in panel.status.text(), timeout=WAIT_MS)
    assert shown_hits(chat) == []

    chat.hub.stop()
    qtbot.waitUntil(lambda: not connected(window), timeout=WAIT_MS)
    search_for(qtbot, chat, "banana")
    qtbot.waitUntil(lambda: [h.message.id for h in shown_hits(chat)] == [kept.id], timeout=WAIT_MS)
    assert "offline" in panel.status.text()
