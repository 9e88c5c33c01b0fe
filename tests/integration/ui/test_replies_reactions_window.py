"""Replies, reactions and jumps in the real window on a real hub, as Alice meets them.

Alice's window (the ``chat`` fixture) is on #general; Bob writes through the relay's HTTP
API. What is checked is what Alice sees: the reply bar over the composer, the quote on
a reply and where clicking it takes her (also to an original far back, not loaded yet),
the chips under a message, their tooltip, and what clicking one does on the relay.
"""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Message
from desktopchat.ui import message_extras
from desktopchat.ui.message_model import MessageListModel
from desktopchat.ui.message_view import MessageView
from desktopchat.ui.reply_bar import ReplyBar
from tests.integration.ui.conftest import QT_CLEAN, WAIT_MS, Chat, shows_room
from tests.integration.ui.test_message_list import hover, row_of_text

pytestmark = QT_CLEAN


def message_with(model: MessageListModel, text: str) -> Message | None:
    row = row_of_text(model, text)
    record = model.row(row) if row is not None else None
    return record if isinstance(record, Message) else None


def wait_message(qtbot: QtBot, chat: Chat, text: str) -> Message:
    qtbot.waitUntil(lambda: message_with(chat.model, text) is not None, timeout=WAIT_MS)
    found = message_with(chat.model, text)
    assert found is not None
    return found


def focus_row(view: MessageView, message_id: int) -> None:
    model = view.model()
    assert isinstance(model, MessageListModel)
    row = model.row_of(message_id)
    assert row is not None
    view.setFocus()
    view.setCurrentIndex(model.index(row, 0))


def geometry_of(view: MessageView, message_id: int) -> message_extras.Chip | QPoint | object:
    model = view.model()
    assert isinstance(model, MessageListModel)
    row = model.row_of(message_id)
    assert row is not None
    index = model.index(row, 0)
    view.scrollTo(index)
    return view._delegate.geometry(view._option(index), index)


def test_the_reply_action_shows_the_bar_and_sends_a_reply_that_quotes_the_original(
    qtbot: QtBot, chat: Chat
) -> None:
    window = chat.window
    original = chat.bob_says("Lunch at noon?\nor later")
    wait_message(qtbot, chat, original.text)
    row = row_of_text(chat.model, original.text)
    assert row is not None
    hover(window.messages, row)
    qtbot.waitUntil(window.messages.actions_bar.isVisible, timeout=WAIT_MS)
    assert "reply" in window.messages.actions_bar.visible_actions()
    assert "react" in window.messages.actions_bar.visible_actions()
    window.messages.actions_bar.buttons["reply"].click()
    bar: ReplyBar = window.composer_box.reply_bar
    assert bar.isVisible()
    assert bar.label.text() == "Replying to Bob · Esc to cancel"
    assert window.composer.hasFocus()
    qtbot.keyClicks(window.composer, "noon works")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    assert not bar.isVisible()
    reply = wait_message(qtbot, chat, "noon works")
    assert reply.reply_to is not None
    assert (reply.reply_to.id, reply.reply_to.excerpt) == (original.id, "Lunch at noon?")
    g = geometry_of(window.messages, reply.id)
    assert g.quote is not None  # type: ignore[attr-defined]
    stored = chat.bob_client.history("general", limit=10).messages[-1]
    assert stored.reply_to is not None
    assert stored.reply_to.id == original.id


def test_r_on_a_message_starts_a_reply_and_esc_gives_it_up(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    original = chat.bob_says("ping")
    wait_message(qtbot, chat, "ping")
    focus_row(window.messages, original.id)
    qtbot.keyClick(window.messages, Qt.Key.Key_R)
    bar = window.composer_box.reply_bar
    assert bar.isVisible()
    assert bar.message_id == original.id
    qtbot.keyClick(window.composer, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    qtbot.keyClicks(window.composer, "not a reply")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    plain = wait_message(qtbot, chat, "not a reply")
    assert plain.reply_to is None


def test_clicking_a_quote_jumps_to_an_original_far_back_that_was_not_loaded(
    qtbot: QtBot, chat: Chat
) -> None:
    window = chat.window
    bob = chat.bob_client
    bob.create_room("history", "Long ago")
    original = bob.send("history", "the very first word", "first")
    for n in range(260):  # more than the window loads when it opens a room (100)
        bob.send("history", f"filler {n}", f"filler-{n}")
    bob.send("history", "answering the first", f"reply-{uuid.uuid4().hex}", reply_to=original.id)

    def listed() -> bool:
        controller = window.controller
        return controller is not None and "history" in [r.name for r in controller.rooms.rooms()]

    qtbot.waitUntil(listed, timeout=WAIT_MS)
    window.select_room("history")
    qtbot.waitUntil(lambda: shows_room(window, "history"), timeout=WAIT_MS)
    reply = wait_message(qtbot, chat, "answering the first")
    assert chat.model.row_of(original.id) is None  # not loaded: far back
    g = geometry_of(window.messages, reply.id)
    quote = g.quote  # type: ignore[attr-defined]
    assert quote is not None
    qtbot.mouseClick(window.messages.viewport(), Qt.MouseButton.LeftButton, pos=quote.center())
    qtbot.waitUntil(lambda: window.messages.flashed_message_id == original.id, timeout=WAIT_MS)
    row = chat.model.row_of(original.id)
    assert row is not None
    shown = window.messages.visualRect(chat.model.index(row, 0))
    assert window.messages.viewport().rect().intersects(shown)  # scrolled to it
    # Everything between the original and what was loaded came too: no gap in the list.
    ids = [chat.model.row(r).id for r in range(chat.model.rowCount())]  # type: ignore[union-attr]
    assert ids == list(range(ids[0], ids[0] + len(ids)))


def test_a_quote_of_a_deleted_original_says_so_live(qtbot: QtBot, chat: Chat) -> None:
    original = chat.bob_says("soon gone")
    chat.bob_client.send("general", "re: that", f"r-{uuid.uuid4().hex}", reply_to=original.id)
    reply = wait_message(qtbot, chat, "re: that")
    assert reply.reply_to is not None
    assert not reply.reply_to.deleted
    chat.bob_client.delete("general", original.id)

    def quote_deleted() -> bool:
        now = chat.model.message(reply.id)
        return now is not None and now.reply_to is not None and now.reply_to.deleted

    qtbot.waitUntil(quote_deleted, timeout=WAIT_MS)
    now = chat.model.message(reply.id)
    assert now is not None
    assert now.reply_to is not None
    assert message_extras.quote_line(now.reply_to) == "Bob: Original message was deleted"


@pytest.mark.qt_log_ignore(
    r"This plugin does not support propagateSizeHints\(\)",
    r"This plugin does not support raise\(\)",  # the picker is a popup: offscreen has no WM
    r"This plugin does not support grabbing the keyboard",
)
def test_chips_show_counts_who_reacted_and_a_click_toggles_yours(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    view = window.messages
    message = chat.bob_says("ship it")
    wait_message(qtbot, chat, "ship it")
    focus_row(view, message.id)
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    picker = window.replies.picker
    assert picker is not None
    qtbot.waitUntil(picker.isVisible, timeout=WAIT_MS)
    thumbs = picker.grid.findItems("👍", Qt.MatchFlag.MatchExactly)[0]
    picker.grid.setCurrentItem(thumbs)
    qtbot.keyClick(picker.grid, Qt.Key.Key_Return)
    alice_id = window.controller.user.id  # type: ignore[union-attr]

    def chips() -> list[tuple[str, tuple[int, ...]]]:
        now = chat.model.message(message.id)
        return [(r.emoji, r.user_ids) for r in now.reactions] if now is not None else []

    assert chips() == [("👍", (alice_id,))]  # shown at once
    outbox = window.session.outbox  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: not outbox.items(), timeout=WAIT_MS)  # and stored by the relay
    bob_id = chat.bob.user["id"]  # type: ignore[index]
    chat.bob_client.react("general", message.id, "👍")
    qtbot.waitUntil(lambda: chips() == [("👍", (alice_id, bob_id))], timeout=WAIT_MS)
    g = geometry_of(view, message.id)
    (chip,) = g.chips  # type: ignore[attr-defined]
    assert chip.label == "👍 2"
    model = chat.model
    index = model.index(model.row_of(message.id), 0)  # type: ignore[arg-type]
    tip = view._delegate.tooltip_at(view._option(index), index, chip.rect.center())
    assert tip == "You and Bob reacted with 👍 (thumbs up sign)"
    # The taller row is laid out (chips take room) once the view has run its layout.
    at_chip = chip.rect.center()
    qtbot.waitUntil(lambda: view.indexAt(at_chip).row() == index.row(), timeout=WAIT_MS)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at_chip)
    qtbot.waitUntil(lambda: chips() == [("👍", (bob_id,))], timeout=WAIT_MS)

    def on_relay() -> list[tuple[str, tuple[int, ...]]]:
        stored = chat.bob_client.history("general", limit=5).messages
        first = next(m for m in stored if m.id == message.id)
        return [(r.emoji, r.user_ids) for r in first.reactions]

    qtbot.waitUntil(lambda: on_relay() == [("👍", (bob_id,))], timeout=WAIT_MS)
