"""The message list in the real window on a real hub: New messages, empty rooms, actions.

Alice's window (the ``chat`` fixture) is on #general; Bob writes through the relay's HTTP
API. What is checked is what Alice sees and what her clicks do: the divider above the
first message she has not read, the invitation in a room nobody has written in yet, and
the hover toolbar's edit, delete and copy reaching the composer, the relay and the
clipboard.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Message
from desktopchat.client.relay_client import RelayClient
from desktopchat.ui import theme
from desktopchat.ui.message_model import MessageListModel
from desktopchat.ui.message_view import MessageView
from tests.integration.ui.conftest import QT_CLEAN, WAIT_MS, Chat, shows_room

pytestmark = QT_CLEAN


def hover(view: MessageView, row: int) -> None:
    """The pointer moves over the text of ``row`` (a real mouse-move event)."""
    index = view.model().index(row, 0)
    view.scrollTo(index)
    point = view._delegate.geometry(view._option(index), index).text.center()
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(point),
        QPointF(view.viewport().mapToGlobal(point)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view.viewport(), event)


def row_of_text(model: MessageListModel, text: str) -> int | None:
    for row in range(model.rowCount()):
        record = model.row(row)
        if isinstance(record, Message) and record.text == text:
            return row
    return None


def unread_in_random(qtbot: QtBot, chat: Chat, count: int) -> list[Message]:
    """Alice has read #random and is on #general; Bob writes ``count`` messages there."""
    window = chat.window
    chat.bob_says("read before", room="random")
    window.select_room("random")
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: row_of_text(chat.model, "read before") is not None, timeout=WAIT_MS)
    window.select_room("general")
    qtbot.waitUntil(lambda: shows_room(window, "general"), timeout=WAIT_MS)
    unread = [chat.bob_says(f"unread {n}", room="random") for n in range(count)]
    controller = window.controller
    assert controller is not None
    qtbot.waitUntil(lambda: controller.rooms.unread("random") == count, timeout=WAIT_MS)
    return unread


def test_a_room_opened_with_unread_messages_shows_the_divider_above_the_first(
    qtbot: QtBot, chat: Chat
) -> None:
    window = chat.window
    unread = unread_in_random(qtbot, chat, 3)
    controller = window.controller
    assert controller is not None

    window.select_room("random")
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    model = chat.model
    assert model.first_unread == unread[0].id
    row = model.row_of(unread[0].id)
    assert row is not None
    assert model.unread_above(row)
    assert controller.rooms.unread("random") == 0  # read now, and the divider stays
    assert not window.messages.unread_button.isVisible()  # in view: no jump to offer
    view = window.messages
    view.scrollTo(model.index(row), view.ScrollHint.PositionAtCenter)
    g = view._delegate.geometry(view._option(model.index(row)), model.index(row))
    assert g.unread is not None
    image = view.viewport().grab().toImage()
    danger = QColor(theme.colours(view.palette()).danger)
    found = any(
        abs(image.pixelColor(x, g.unread.center().y()).red() - danger.red()) < 30
        and abs(image.pixelColor(x, g.unread.center().y()).green() - danger.green()) < 30
        for x in range(g.unread.left(), g.unread.right())
    )
    assert found, "the divider is painted in the danger colour"
    # More arriving while the room is open does not move it.
    chat.bob_says("while reading", room="random")
    qtbot.waitUntil(lambda: row_of_text(model, "while reading") is not None, timeout=WAIT_MS)
    assert model.first_unread == unread[0].id
    # Leaving the room takes it away; coming back with nothing unread shows none.
    window.select_room("general")
    qtbot.waitUntil(lambda: shows_room(window, "general"), timeout=WAIT_MS)
    assert model.first_unread is None
    window.select_room("random")
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    assert chat.model.first_unread is None


@pytest.mark.parametrize("count", [60, 130])  # 130: more than the window reads at once
def test_many_unread_messages_offer_a_jump_to_the_first_of_them(
    qtbot: QtBot, chat: Chat, count: int
) -> None:
    """A room opened with more unread messages than fill the view opens at the newest;
    "↑ N unread messages" takes Alice to the first of them, under the divider."""
    window = chat.window
    unread = unread_in_random(qtbot, chat, count)
    controller = window.controller
    assert controller is not None

    window.select_room("random")
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    view = window.messages
    button = view.unread_button
    qtbot.waitUntil(button.isVisible, timeout=WAIT_MS)
    assert button.text() == f"↑ {count} unread messages"
    assert button.accessibleName() == "Jump to the first unread message"
    assert chat.model.row_of(unread[0].id) is None  # not among the rows the view keeps
    assert view.at_bottom()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.flashed_message_id == unread[0].id, timeout=WAIT_MS)
    model = chat.model
    row = model.row_of(unread[0].id)
    assert row is not None
    assert model.unread_above(row)
    assert view.visualRect(model.index(row)).intersects(view.viewport().rect())
    qtbot.waitUntil(lambda: not button.isVisible(), timeout=WAIT_MS)


def test_a_room_nobody_wrote_in_invites_the_first_message(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    window.select_room("random")  # created by bob, empty
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    view = window.messages
    qtbot.waitUntil(lambda: view.empty_text() is not None, timeout=WAIT_MS)
    assert "This is the start of #random" in (view.empty_text() or "")
    chat.bob_says("first!", room="random")
    qtbot.waitUntil(lambda: view.empty_text() is None, timeout=WAIT_MS)


@pytest.fixture
def own_message(qtbot: QtBot, chat: Chat) -> Message:
    """A message of alice's, stored by the relay and shown in her window."""
    alice = RelayClient(chat.url, str(chat.alice.token))
    try:
        sent = alice.send("general", "my words", "alice-own-1")
    finally:
        alice.close()
    qtbot.waitUntil(lambda: row_of_text(chat.model, "my words") is not None, timeout=WAIT_MS)
    return sent


def test_hover_edit_loads_the_message_into_the_composer(
    qtbot: QtBot, chat: Chat, own_message: Message
) -> None:
    view = chat.window.messages
    row = row_of_text(chat.model, "my words")
    assert row is not None
    hover(view, row)
    qtbot.waitUntil(view.actions_bar.isVisible, timeout=WAIT_MS)
    view.actions_bar.buttons["edit"].click()
    assert chat.window.composer.editing == own_message.id
    assert chat.window.composer.toPlainText() == "my words"


def test_hover_delete_asks_then_deletes_on_the_relay(
    qtbot: QtBot, chat: Chat, own_message: Message, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def answer(parent: object, title: str, text: str) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    view = chat.window.messages
    row = row_of_text(chat.model, "my words")
    assert row is not None
    hover(view, row)
    qtbot.waitUntil(view.actions_bar.isVisible, timeout=WAIT_MS)
    view.actions_bar.buttons["delete"].click()
    assert asked == ["Delete this message for everyone?"]

    def deleted_on_relay() -> bool:
        history = chat.bob_client.history("general", limit=100).messages
        return any(m.id == own_message.id and m.deleted for m in history)

    qtbot.waitUntil(deleted_on_relay, timeout=WAIT_MS)


def test_hover_copy_puts_the_text_on_the_clipboard(qtbot: QtBot, chat: Chat) -> None:
    chat.bob_says("copy **me**, please")
    qtbot.waitUntil(
        lambda: row_of_text(chat.model, "copy **me**, please") is not None, timeout=WAIT_MS
    )
    view = chat.window.messages
    row = row_of_text(chat.model, "copy **me**, please")
    assert row is not None
    hover(view, row)
    qtbot.waitUntil(view.actions_bar.isVisible, timeout=WAIT_MS)
    # bob's: alice may react, reply and copy, not change it
    assert view.actions_bar.visible_actions() == ["react", "reply", "copy"]
    view.actions_bar.buttons["copy"].click()
    assert QGuiApplication.clipboard().text() == "copy **me**, please"  # as written
