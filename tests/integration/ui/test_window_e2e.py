"""The whole window against a real relay hub, with another user on the other side.

Each test drives the window as a person would — typing into the compose box, pressing
Enter and Up — and checks what the other side received, or what the window shows of what
the other side did: rows of the message model, the connection banner, the rooms list and
the window title.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Message
from desktopchat.client.outbox import OutboxItem
from desktopchat.ui import markup
from desktopchat.ui.message_delegate import MessageDelegate
from desktopchat.ui.message_model import Roles
from desktopchat.ui.rooms import UNREAD_ROLE
from tests.integration.ui.conftest import (
    QT_CLEAN,
    WAIT_MS,
    Chat,
    TailProcess,
    connected,
    json_lines,
    shows_room,
)

pytestmark = QT_CLEAN

INJECTION = "<script>alert(1)</script><b>x</b>"


def send_from_window(qtbot: QtBot, chat: Chat, text: str) -> None:
    """Type ``text`` into the compose box and press Enter."""
    composer = chat.window.composer
    composer.setFocus()
    qtbot.keyClicks(composer, text)
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert composer.toPlainText() == ""


def stored_rows(chat: Chat, text: str) -> list[Message]:
    return [r for r in chat.rows_with(text) if isinstance(r, Message)]


def outbox_rows(chat: Chat) -> list[OutboxItem]:
    return [r for r in chat.rows() if isinstance(r, OutboxItem)]


def rendered(html: str) -> str:
    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


def test_a_message_typed_in_the_window_reaches_another_client(
    qtbot: QtBot, chat: Chat, tail: Callable[..., TailProcess]
) -> None:
    watcher = tail(chat.url, str(chat.bob.token))

    def tail_connected() -> None:
        assert watcher.proc.poll() is None, f"tail exited early: {watcher.stderr.items}"
        assert "desktopchat: connected" in watcher.stderr.items, watcher.stderr.items

    qtbot.waitUntil(tail_connected, timeout=2 * WAIT_MS)  # a new Python process starts first

    send_from_window(qtbot, chat, "hello from the window")

    def received() -> bool:
        return any('"hello from the window"' in line for line in watcher.stdout.items)

    qtbot.waitUntil(received, timeout=WAIT_MS)
    records = [r for r in json_lines(watcher.stdout.items) if r["text"] == "hello from the window"]
    assert len(records) == 1
    assert records[0]["type"] == "message"
    assert records[0]["room"] == "general"
    assert records[0]["author"]["display_name"] == "Alice"
    # The window shows it once, as stored (its outbox row gave way to the message).
    qtbot.waitUntil(lambda: len(stored_rows(chat, "hello from the window")) == 1, timeout=WAIT_MS)
    assert outbox_rows(chat) == []
    assert stored_rows(chat, "hello from the window")[0].id == records[0]["id"]


def test_a_message_from_the_other_user_appears_in_the_window(qtbot: QtBot, chat: Chat) -> None:
    sent = chat.bob_says("hi alice, bob here")
    qtbot.waitUntil(lambda: len(chat.rows_with("hi alice, bob here")) == 1, timeout=WAIT_MS)
    row = chat.model.row_of(sent.id)
    assert row is not None
    index = chat.model.index(row)
    assert index.data(Roles.ROW) == sent
    assert index.data(Roles.OWN) is False
    assert "Bob" in index.data(Qt.ItemDataRole.DisplayRole)
    assert "hi alice, bob here" in index.data(Qt.ItemDataRole.DisplayRole)
    # Bob's message in the room on screen is read at once: no unread count, no "(1)".
    assert chat.window.controller is not None
    assert chat.window.controller.rooms.total_unread() == 0
    assert chat.window.windowTitle() == "#general — desktopchat"


def test_a_script_injection_is_shown_as_literal_text(qtbot: QtBot, chat: Chat) -> None:
    sent = chat.bob_says(INJECTION)
    rich_text = "<img src=x onerror=alert(1)> **look** https://example.com/"
    chat.bob_says(rich_text)
    qtbot.waitUntil(lambda: len(chat.rows_with(rich_text)) == 1, timeout=WAIT_MS)
    record = chat.rows_with(INJECTION)[0]
    assert record == sent
    assert record.text == INJECTION
    # What the delegate draws: the text itself, as plain text, never as HTML...
    delegate = chat.window.messages.itemDelegate()
    assert isinstance(delegate, MessageDelegate)
    assert delegate._body(record) == (INJECTION, False)
    # ...and the rich form of the same text would show the same characters.
    assert rendered(markup.to_html(record.text)) == INJECTION
    # The message with markup goes through Qt's rich text: paint the list and look at the
    # documents the delegate laid out and drew.
    shown = "<img src=x onerror=alert(1)> look https://example.com/"

    def drawn() -> bool:
        chat.window.messages.viewport().grab()
        return shown in [d.toPlainText() for d in delegate._documents.values()]

    qtbot.waitUntil(drawn, timeout=WAIT_MS)
    assert INJECTION in chat.model.index(chat.model.row_of(sent.id)).data(
        Qt.ItemDataRole.DisplayRole
    )


def test_offline_the_message_waits_then_is_delivered_once(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    banner = window.banner
    assert not banner.isVisible()
    chat.hub.stop()

    def offline_banner() -> bool:
        return (
            banner.isVisible()
            and "retrying in" in banner.label.text()
            and banner.retry.isVisible()
            and banner.retry.text() == "Retry now"
        )

    qtbot.waitUntil(offline_banner, timeout=WAIT_MS)

    text = "written while the hub was away"
    send_from_window(qtbot, chat, text)

    def pending() -> bool:
        rows = chat.rows_with(text)
        return (
            len(rows) == 1
            and isinstance(rows[0], OutboxItem)
            and chat.model.index(chat.model.rowCount() - 1).data(Roles.STATE)
            in ("pending", "sending")
        )

    qtbot.waitUntil(pending, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "1 message waiting to be sent" in banner.label.text(), timeout=WAIT_MS)
    assert chat.model.index(chat.model.rowCount() - 1).data(Roles.OWN) is True

    chat.hub.start()
    qtbot.waitUntil(lambda: len(stored_rows(chat, text)) == 1, timeout=3 * WAIT_MS)
    qtbot.waitUntil(lambda: connected(window) and not banner.isVisible(), timeout=WAIT_MS)
    assert outbox_rows(chat) == []
    # Stored once on the relay, shown once in the window — also after a later message.
    history = chat.bob_client.history("general", limit=100).messages
    assert [m.text for m in history].count(text) == 1
    chat.bob_says("and now bob")
    qtbot.waitUntil(lambda: len(chat.rows_with("and now bob")) == 1, timeout=WAIT_MS)
    assert len(chat.rows_with(text)) == 1


def test_a_message_in_another_room_counts_as_unread(qtbot: QtBot, chat: Chat) -> None:
    controller = chat.window.controller
    assert controller is not None
    rooms = controller.rooms
    assert [r.name for r in rooms.rooms()] == ["general", "random"]
    session = chat.window.session
    assert session is not None

    def following_random() -> None:
        # Whatever the window does with #random, news from there can only come through the
        # sync engine: wait until it has caught up there, so bob's message is news.
        assert session.sync.last_id("random") is not None, (
            "the window does not follow #random (never opened), so nothing there can count"
        )

    qtbot.waitUntil(following_random, timeout=WAIT_MS)
    chat.bob_says("over here in random", room="random")
    random_row = rooms.row_of("random")
    assert random_row is not None
    qtbot.waitUntil(lambda: rooms.unread("random") == 1, timeout=WAIT_MS)
    assert rooms.index(random_row).data(UNREAD_ROLE) == 1
    assert chat.window.room_list.shown_pill(random_row) == "1"  # the sidebar's count pill
    assert chat.window.windowTitle() == "(1) #general — desktopchat"
    # Opening the room reads it.
    chat.window.select_room("random")
    qtbot.waitUntil(lambda: shows_room(chat.window, "random"), timeout=WAIT_MS)
    assert rooms.unread("random") == 0
    assert chat.window.windowTitle() == "#random — desktopchat"
    qtbot.waitUntil(lambda: len(chat.rows_with("over here in random")) == 1, timeout=WAIT_MS)


def test_a_message_in_a_room_visited_before_counts_as_unread(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    controller = window.controller
    assert controller is not None
    window.select_room("random")
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: member_count(chat) == 1, timeout=WAIT_MS)
    window.select_room("general")
    qtbot.waitUntil(lambda: shows_room(window, "general"), timeout=WAIT_MS)
    chat.bob_says("psst, in random", room="random")
    qtbot.waitUntil(lambda: controller.rooms.unread("random") == 1, timeout=WAIT_MS)
    assert window.windowTitle() == "(1) #general — desktopchat"
    chat.bob_says("in general", room="general")
    qtbot.waitUntil(lambda: len(chat.rows_with("in general")) == 1, timeout=WAIT_MS)
    assert controller.rooms.total_unread() == 1  # the room on screen adds nothing


def member_count(chat: Chat) -> int:
    return chat.window.members.count()


def test_up_edits_the_last_own_message(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    composer = window.composer
    send_from_window(qtbot, chat, "first draft")
    qtbot.waitUntil(lambda: len(stored_rows(chat, "first draft")) == 1, timeout=WAIT_MS)
    original = stored_rows(chat, "first draft")[0]
    chat.bob_says("bob interrupts")  # the last own message need not be the last row
    qtbot.waitUntil(lambda: len(chat.rows_with("bob interrupts")) == 1, timeout=WAIT_MS)

    composer.setFocus()
    qtbot.keyClick(composer, Qt.Key.Key_Up)
    assert composer.editing == original.id
    assert composer.toPlainText() == "first draft"
    qtbot.keyClick(composer, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(composer, "final words")
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert composer.editing is None
    assert composer.toPlainText() == ""

    def edited() -> bool:
        row = chat.model.row_of(original.id)
        if row is None:
            return False
        record = chat.model.row(row)
        return (
            isinstance(record, Message)
            and record.text == "final words"
            and record.edited_at is not None
        )

    qtbot.waitUntil(edited, timeout=WAIT_MS)
    row = chat.model.row_of(original.id)
    assert row is not None
    assert "(edited): final words" in chat.model.index(row).data(Qt.ItemDataRole.DisplayRole)
    delegate = window.messages.itemDelegate()
    assert isinstance(delegate, MessageDelegate)
    body, rich = delegate._body(chat.model.row(row))
    assert rich
    assert rendered(body) == "final words (edited)"  # what the row shows
    assert chat.rows_with("first draft") == []
    assert len(chat.rows_with("final words")) == 1  # edited in place, not a new message

    # The edit shows at once and goes through the outbox: the relay has it soon after.
    def stored() -> Message:
        history = chat.bob_client.history("general", limit=100).messages
        return next(m for m in history if m.id == original.id)

    qtbot.waitUntil(lambda: stored().text == "final words", timeout=WAIT_MS)
    assert stored().edited_at is not None


def test_each_room_shows_its_own_messages(qtbot: QtBot, chat: Chat) -> None:
    """Message ids restart at 1 in every room; what one room drew must not show in another."""
    window = chat.window
    delegate = window.messages.itemDelegate()
    assert isinstance(delegate, MessageDelegate)
    in_general = chat.bob_says("**in general** https://general.example/")
    in_random = chat.bob_says("**in random** https://random.example/", room="random")
    assert in_general.id == in_random.id == 1

    def drawn(text: str) -> Callable[[], None]:
        def check() -> None:
            window.messages.viewport().grab()  # paint the list as it is on screen
            documents = [d.toPlainText() for d in delegate._documents.values()]
            assert text in documents, f"the rich rows drawn show {documents}"

        return check

    qtbot.waitUntil(lambda: len(chat.rows_with(in_general.text)) == 1, timeout=WAIT_MS)
    qtbot.waitUntil(drawn("in general https://general.example/"), timeout=WAIT_MS)
    window.select_room("random")
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(chat.rows_with(in_random.text)) == 1, timeout=WAIT_MS)
    qtbot.waitUntil(drawn("in random https://random.example/"), timeout=WAIT_MS)
