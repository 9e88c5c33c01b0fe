"""Mentions and read state in the real window: ``@`` completion, the mention pill, and a
room read elsewhere while the window was away, against the real hub and relay."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Message
from desktopchat.server.relay.service import DATABASE_FILE
from desktopchat.server.relay.sqlite_store import SqliteStore
from desktopchat.ui.main_window import MainWindow
from tests.integration.ui.conftest import WAIT_MS, Chat


def pill(window: MainWindow, room: str) -> tuple[int, int, str]:
    """``(unread, mentions, pill label)`` of ``room``'s sidebar row, as shown."""
    controller = window.controller
    assert controller is not None
    row = controller.rooms.row_of(room)
    assert row is not None
    shown = window.room_list.shown_pill(row)
    return controller.rooms.unread(room), controller.rooms.mentions(room), shown


def user_id(chat: Chat, who: str) -> int:
    api = chat.alice if who == "alice" else chat.bob
    assert api.user is not None
    return int(api.user["id"])


def test_at_completes_a_recent_author_and_the_relay_stores_the_mention_by_id(
    qtbot: QtBot, chat: Chat
) -> None:
    window = chat.window
    chat.bob_says("anyone around?")
    qtbot.waitUntil(lambda: bool(chat.rows_with("anyone around?")), timeout=WAIT_MS)
    composer = window.composer
    composer.setFocus()
    qtbot.keyClicks(composer, "@Bo")
    assert composer.mention_list.shown_names() == ["Bob"]
    qtbot.keyClick(composer, Qt.Key.Key_Tab)
    qtbot.keyClicks(composer, "yes, me")
    qtbot.keyClick(composer, Qt.Key.Key_Return)

    def stored() -> list[dict[str, object]]:
        return [m for m in chat.alice.history().json()["messages"] if m["text"] == "@Bob yes, me"]

    qtbot.waitUntil(lambda: bool(stored()), timeout=WAIT_MS)
    assert stored()[0]["mentions"] == [user_id(chat, "bob")]


def test_bobs_mention_of_alice_shows_the_mention_pill_and_tints_the_row(
    qtbot: QtBot, chat: Chat
) -> None:
    window = chat.window
    controller = window.controller
    assert controller is not None
    qtbot.waitUntil(lambda: controller.session.sync.last_id("random") is not None, timeout=WAIT_MS)
    chat.bob_client.send("random", "@Alice see this", "bob-m1", mentions=(user_id(chat, "alice"),))
    chat.bob_client.send("random", "and this", "bob-m2")
    qtbot.waitUntil(lambda: pill(window, "random") == (2, 1, "2"), timeout=WAIT_MS)
    window.select_room("random")
    assert pill(window, "random") == (0, 0, "")
    model = controller.model("random")
    assert model is not None
    mentioned = [model.mentions_me(r) for r in range(model.rowCount())]
    assert mentioned == [False] * (model.rowCount() - 2) + [True, False]


def test_a_room_read_elsewhere_while_the_window_was_away_counts_only_what_is_unread(
    qtbot: QtBot, chat: Chat
) -> None:
    """While the hub was down, Bob wrote twice mentioning Alice and Alice read the first
    on another device: after the reconnect one mention is unread here, not two."""
    window = chat.window
    controller = window.controller
    assert controller is not None
    chat.bob_says("before", room="random")
    qtbot.waitUntil(lambda: controller.session.sync.last_id("random") == 1, timeout=WAIT_MS)
    chat.hub.stop()
    qtbot.waitUntil(window.banner.isVisible, timeout=WAIT_MS)
    store = SqliteStore(chat.hub.relay_data_dir / DATABASE_FILE)
    alice, bob = user_id(chat, "alice"), user_id(chat, "bob")
    try:
        for n, text in ((2, "@Alice one"), (3, "@Alice two")):
            store.post_message("random", bob, f"away-{n}", text, time.time(), mentions=(alice,))
        store.mark_read(alice, "random", 2, time.time())
    finally:
        store.close()
    chat.hub.start()
    qtbot.waitUntil(lambda: controller.session.sync.last_id("random") == 3, timeout=3 * WAIT_MS)
    qtbot.waitUntil(lambda: controller.session.read_state.mark("random") == 2, timeout=WAIT_MS)
    assert pill(window, "random") == (1, 1, "1")


def test_messages_read_as_they_arrive_on_screen_move_the_read_mark(
    qtbot: QtBot, chat: Chat
) -> None:
    """Alice watches #general: what Bob writes there is read on her other devices too."""
    first = chat.bob_says("one")
    qtbot.waitUntil(lambda: bool(chat.rows_with("one")), timeout=WAIT_MS)
    second = chat.bob_says("two")
    assert second.id == first.id + 1

    def marks() -> list[dict[str, object]]:
        rooms: list[dict[str, object]] = chat.alice.call("GET", "/api/read-state").json()["rooms"]
        return rooms

    qtbot.waitUntil(
        lambda: marks() == [{"room": "general", "message_id": second.id}], timeout=WAIT_MS
    )


def test_an_edit_that_adds_a_mention_from_the_list_stores_it_and_keeps_the_old_one(
    qtbot: QtBot, chat: Chat
) -> None:
    """Editing a message to name someone from the ``@`` list mentions them, as sending
    does; whom it mentioned before stays mentioned."""
    window = chat.window
    composer = window.composer
    chat.bob_says("anyone around?")
    qtbot.waitUntil(lambda: bool(chat.rows_with("anyone around?")), timeout=WAIT_MS)
    alice_id, bob_id = user_id(chat, "alice"), user_id(chat, "bob")
    sent = chat.alice.call(  # from Alice's other device, mentioning herself (a note to self)
        "POST",
        "/api/rooms/general/messages",
        json={"text": "lunch, @Alice?", "client_id": "a-lunch", "mentions": [alice_id]},
    ).json()
    qtbot.waitUntil(lambda: bool(chat.rows_with("lunch, @Alice?")), timeout=WAIT_MS)

    composer.setFocus()
    qtbot.keyClick(composer, Qt.Key.Key_Up)  # edit the last own message
    assert composer.editing == sent["id"]
    qtbot.keyClick(composer, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(composer, " and @Bo")
    assert composer.mention_list.shown_names() == ["Bob"]
    qtbot.keyClick(composer, Qt.Key.Key_Tab)
    qtbot.keyClick(composer, Qt.Key.Key_Return)

    def stored() -> dict[str, object]:
        (message,) = [m for m in chat.alice.history().json()["messages"] if m["id"] == sent["id"]]
        return message

    qtbot.waitUntil(lambda: stored()["edited_at"] is not None, timeout=WAIT_MS)
    assert stored()["text"] == "lunch, @Alice? and @Bob "
    assert stored()["mentions"] == sorted([alice_id, bob_id])


def test_an_edit_that_takes_out_an_at_name_no_longer_mentions_them(
    qtbot: QtBot, chat: Chat
) -> None:
    """Alice named Bob from the ``@`` list, then edits "@Bob " out: the relay stores the
    edit with no mention, in the same change. Naming him again mentions him again."""
    window = chat.window
    composer = window.composer
    chat.bob_says("anyone around?")
    qtbot.waitUntil(lambda: bool(chat.rows_with("anyone around?")), timeout=WAIT_MS)
    bob_id = user_id(chat, "bob")
    composer.setFocus()
    qtbot.keyClicks(composer, "@Bo")
    qtbot.keyClick(composer, Qt.Key.Key_Tab)
    qtbot.keyClicks(composer, "lunch?")
    qtbot.keyClick(composer, Qt.Key.Key_Return)

    def sent() -> list[dict[str, object]]:
        return [m for m in chat.alice.history().json()["messages"] if m["text"] == "@Bob lunch?"]

    qtbot.waitUntil(lambda: bool(sent()), timeout=WAIT_MS)
    (message,) = sent()
    assert message["mentions"] == [bob_id]

    def stored() -> dict[str, object]:
        (found,) = [m for m in chat.alice.history().json()["messages"] if m["id"] == message["id"]]
        return found

    shown = chat.rows_with
    qtbot.waitUntil(
        lambda: any(isinstance(r, Message) for r in shown("@Bob lunch?")), timeout=WAIT_MS
    )
    qtbot.keyClick(composer, Qt.Key.Key_Up)  # edit the last own message
    assert composer.editing == message["id"]
    composer.selectAll()
    qtbot.keyClicks(composer, "lunch, anyone?")
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: stored().get("text") == "lunch, anyone?", timeout=WAIT_MS)
    assert stored()["mentions"] == []
