"""The everyday paths around the conversation, as a person meets them (issue #11).

Each test drives the real window against a real relay hub that is stopped and started
again, and asserts on what the user sees: rows in the message view, the room list, the
room title, the banner, the members panel, the composer, the dialogs, the window state.
Each one failed before the fix it names.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktopchat.client.cache import LocalDatabase
from desktopchat.client.credentials import MemoryTokenStore
from desktopchat.client.domain import Message, Room
from desktopchat.client.outbox import OutboxItem, OutboxState
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.settings import Profile, Settings
from desktopchat.paths import app_dirs
from desktopchat.server.relay.service import DATABASE_FILE
from desktopchat.server.relay.sqlite_store import SqliteStore
from desktopchat.ui.dialogs import NewRoomDialog, SignInDialog
from desktopchat.ui.main_window import MainWindow
from desktopchat.ui.message_model import MessageListModel
from desktopchat.ui.panels import MEMBERS_UNKNOWN
from desktopchat.ui.rooms import ROOM_ROLE, UNREAD_ROLE
from tests.integration.ui.conftest import (
    WAIT_MS,
    Chat,
    close_window,
    connected,
    member_names,
    shows_room,
)

#: As QT_CLEAN, and the offscreen platform's note that it cannot raise a window (what a
#: notification's "Open" asks of the window manager).
pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(
        r"This plugin does not support propagateSizeHints\(\)",
        r"This plugin does not support raise\(\)",
    ),
]


def type_and_send(qtbot: QtBot, window: MainWindow, text: str) -> None:
    composer = window.composer
    composer.setFocus()
    if len(text) > 200:  # a paste: typing thousands of keys only slows the test down
        composer.setPlainText(text)
    else:
        qtbot.keyClicks(composer, text)
    qtbot.keyClick(composer, Qt.Key.Key_Return)


def rows(window: MainWindow) -> list[Message | OutboxItem]:
    model = window.messages.model()
    assert isinstance(model, MessageListModel)
    return [model.row(r) for r in range(model.rowCount())]


def texts(window: MainWindow) -> list[str]:
    return [r.text for r in rows(window)]


def room_names(window: MainWindow) -> list[str]:
    model = window.room_list.model()
    return [model.index(r, 0).data(ROOM_ROLE).name for r in range(model.rowCount())]


def unread(window: MainWindow, room: str) -> int:
    model = window.room_list.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(ROOM_ROLE).name == room:
            return int(index.data(UNREAD_ROLE))
    raise AssertionError(f"no room {room}")


@pytest.fixture
def no_modal_boxes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Any QMessageBox the window tries to show is recorded instead of shown: a modal box
    would block the test, where the point is to fail because one was shown."""
    shown: list[str] = []
    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(
            QMessageBox,
            name,
            staticmethod(lambda _parent, _title, text, *a, **k: shown.append(text)),
        )
    return shown


# ------------------------------------------------------------------ 1. local-first start


def test_a_start_while_the_server_is_down_shows_the_saved_chat_then_catches_up(
    qtbot: QtBot, chat: Chat, no_modal_boxes: list[str]
) -> None:
    """Rooms, history and the outbox from disk at once, the offline banner, no dialog; then
    it connects and catches up by itself once the server is back."""
    first = chat.window
    chat.bob_says("said before the outage")
    qtbot.waitUntil(lambda: "said before the outage" in texts(first), timeout=WAIT_MS)
    chat.hub.stop()
    qtbot.waitUntil(first.banner.isVisible, timeout=WAIT_MS)
    type_and_send(qtbot, first, "typed while the server was down")
    qtbot.waitUntil(lambda: "typed while the server was down" in texts(first), timeout=WAIT_MS)
    close_window(qtbot, first)

    store = MemoryTokenStore()
    store.set(chat.url, "alice", str(chat.alice.token))
    profile = Profile("test", chat.url, "alice")
    window = MainWindow(app_dirs(), Settings(profiles={"test": profile}, current="test"), store, [])
    try:
        window.show()
        window.open_profile(profile)
        qtbot.waitUntil(lambda: shows_room(window, "general"), timeout=WAIT_MS)
        assert room_names(window) == ["general", "random"]
        assert "said before the outage" in texts(window)
        pending = [r for r in rows(window) if isinstance(r, OutboxItem)]
        assert [p.text for p in pending] == ["typed while the server was down"]
        qtbot.waitUntil(window.banner.isVisible, timeout=WAIT_MS)
        assert "waiting to be sent" in window.banner.label.text()
        qtbot.waitUntil(lambda: member_names(window) == [MEMBERS_UNKNOWN], timeout=WAIT_MS)
        assert window.composer.isEnabled()
        assert no_modal_boxes == []
        assert window.findChildren(SignInDialog) == []

        chat.hub.start()
        bob_later = chat.bob_says("said while alice was away")
        qtbot.waitUntil(lambda: connected(window), timeout=3 * WAIT_MS)
        qtbot.waitUntil(lambda: "said while alice was away" in texts(window), timeout=WAIT_MS)

        def delivered() -> bool:
            mine = [r for r in rows(window) if r.text == "typed while the server was down"]
            return len(mine) == 1 and isinstance(mine[0], Message)

        qtbot.waitUntil(delivered, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: member_names(window) == ["Alice"], timeout=WAIT_MS)
        stored = chat.bob_client.history("general", limit=100).messages
        assert [m.text for m in stored].count("typed while the server was down") == 1
        assert bob_later.id in [r.id for r in rows(window) if isinstance(r, Message)]
    finally:
        close_window(qtbot, window)


def test_a_warm_start_shows_the_saved_history_before_the_relay_answers(
    qtbot: QtBot, chat: Chat
) -> None:
    """A saved session opens from the local database first, before any network.

    The relay's port accepts connections but never answers (a listening socket nobody
    accepts on): a start that waited for the relay first would show nothing until its
    15 s read timeout.
    """
    first = chat.window
    chat.bob_says("said before the restart")
    qtbot.waitUntil(lambda: "said before the restart" in texts(first), timeout=WAIT_MS)
    close_window(qtbot, first)
    chat.hub.stop()
    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    silent.bind(("127.0.0.1", chat.hub.port))
    silent.listen(64)
    store = MemoryTokenStore()
    store.set(chat.url, "alice", str(chat.alice.token))
    profile = Profile("test", chat.url, "alice")
    window = MainWindow(app_dirs(), Settings(profiles={"test": profile}, current="test"), store, [])
    try:
        window.show()
        window.open_profile(profile)
        qtbot.waitUntil(lambda: "said before the restart" in texts(window), timeout=WAIT_MS)
        assert shows_room(window, "general")
        assert window.composer.isEnabled()
    finally:
        silent.close()  # the connections waiting in its queue are reset: no thread hangs
        chat.hub.start()
        close_window(qtbot, window)


def saved_session_window(chat: Chat) -> tuple[MainWindow, Profile]:
    """Alice's window as the app starts it on her saved session (services deferred)."""
    store = MemoryTokenStore()
    store.set(chat.url, "alice", str(chat.alice.token))
    profile = Profile("test", chat.url, "alice")
    settings = Settings(profiles={"test": profile}, current="test")
    return MainWindow(app_dirs(), settings, store, [], defer_services=True), profile


def test_a_warm_start_asks_the_relay_nothing_until_history_is_on_screen(
    qtbot: QtBot, chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the app starts (services deferred): the saved history is painted before any
    HTTP (or write to the local database); the room list, the catch-up and the check of
    the saved login follow.

    On workers, that work still took the GUI thread's GIL before the first paint
    (importing requests, opening connections: ~0.15 s of a warm start's ~0.8 s).
    """
    first = chat.window
    chat.bob_says("said before the restart")
    qtbot.waitUntil(lambda: "said before the restart" in texts(first), timeout=WAIT_MS)
    close_window(qtbot, first)
    chat.bob_says("said while the window was closed")
    asked: list[str] = []
    original = RelayClient._request

    def recorded(self: RelayClient, method: str, path: str, **kwargs: object) -> object:
        asked.append(f"{method} {path}")
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(RelayClient, "_request", recorded)
    original_set_rooms = LocalDatabase.set_rooms

    def set_rooms(self: LocalDatabase, rooms: list[Room], *, complete: bool) -> None:
        asked.append("local database: set_rooms")  # a commit, of what it just read
        original_set_rooms(self, rooms, complete=complete)

    monkeypatch.setattr(LocalDatabase, "set_rooms", set_rooms)
    window, profile = saved_session_window(chat)
    try:
        window.show()
        window.open_profile(profile)
        qtbot.waitUntil(lambda: "said before the restart" in texts(window), timeout=WAIT_MS)
        window.messages.viewport().repaint()
        assert asked == []
        window.start_services()  # what the app does after that paint
        qtbot.waitUntil(
            lambda: "said while the window was closed" in texts(window), timeout=WAIT_MS
        )
        assert any(a.endswith("/rooms") for a in asked), asked
        qtbot.waitUntil(lambda: connected(window), timeout=WAIT_MS)
    finally:
        close_window(qtbot, window)


def test_a_warm_start_reads_the_history_of_the_room_it_shows_only(
    qtbot: QtBot, chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every room is followed from the start (unread counts, notifications), but only the
    room on screen has its history read from the local database before the first paint:
    reading and parsing each room's newest messages to throw them away cost a few ms per
    room."""
    first = chat.window
    chat.bob_says("in random", room="random")
    chat.bob_says("in general")
    qtbot.waitUntil(lambda: "in general" in texts(first), timeout=WAIT_MS)
    saved = first.session.database if first.session is not None else None
    assert saved is not None
    qtbot.waitUntil(lambda: saved.last_id("random") is not None, timeout=WAIT_MS)
    close_window(qtbot, first)
    read: list[str] = []
    original = LocalDatabase.recent

    def recorded(self: LocalDatabase, room: str, *args: object, **kwargs: object) -> object:
        read.append(room)
        return original(self, room, *args, **kwargs)

    monkeypatch.setattr(LocalDatabase, "recent", recorded)
    window, profile = saved_session_window(chat)
    try:
        window.show()
        window.open_profile(profile)
        qtbot.waitUntil(lambda: "in general" in texts(window), timeout=WAIT_MS)
        assert read == ["general"]
        window.select_room("random")  # its history when it is shown
        qtbot.waitUntil(lambda: "in random" in texts(window), timeout=WAIT_MS)
        assert read == ["general", "random"]
    finally:
        close_window(qtbot, window)


# ------------------------------------------------------------------ 2. rooms made by others


def test_a_room_made_by_someone_else_appears_and_counts_unread(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    chat.bob_client.create_room("design", "Pixels and type")
    qtbot.waitUntil(lambda: "design" in room_names(window), timeout=WAIT_MS)
    assert room_names(window) == ["design", "general", "random"]
    assert shows_room(window, "general")  # the list grew; the room on screen did not change
    chat.bob_says("first in design", room="design")
    qtbot.waitUntil(lambda: unread(window, "design") == 1, timeout=WAIT_MS)


def test_a_topic_changed_by_someone_else_shows_in_the_title(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    chat.bob_client.set_topic("general", "Now with a new topic")
    qtbot.waitUntil(
        lambda: window.header.topic.full_text == "Now with a new topic", timeout=WAIT_MS
    )


def test_rooms_made_while_disconnected_appear_after_the_reconnect(qtbot: QtBot, chat: Chat) -> None:
    """Nobody announced it (the hub was down): the catch-up after reconnecting finds it."""
    window = chat.window
    data_dir = chat.hub.relay_data_dir
    chat.hub.stop()
    qtbot.waitUntil(window.banner.isVisible, timeout=WAIT_MS)
    store = SqliteStore(data_dir / DATABASE_FILE)
    try:
        store.create_room("made-offline", "", None)
    finally:
        store.close()
    chat.hub.start()
    qtbot.waitUntil(lambda: "made-offline" in room_names(window), timeout=3 * WAIT_MS)


# ---------------------------------------------------------------------- 4. members panel


def test_opening_the_room_on_screen_from_a_notification_keeps_its_members(
    qtbot: QtBot, chat: Chat
) -> None:
    window = chat.window
    assert member_names(window) == ["Alice"]
    window.bring_to_front("general")  # what a notification's "Open" does
    QApplication.processEvents()
    assert member_names(window) == ["Alice"]
    assert shows_room(window, "general")


def test_offline_the_members_panel_says_presence_is_unknown(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    chat.hub.stop()
    qtbot.waitUntil(lambda: member_names(window) == [MEMBERS_UNKNOWN], timeout=WAIT_MS)
    chat.hub.start()
    qtbot.waitUntil(lambda: member_names(window) == ["Alice"], timeout=3 * WAIT_MS)


# ------------------------------------------------------- 5. own messages never blink out


class RowWatch(QObject):
    """Checks after every change of the model that a text stays on screen once shown."""

    def __init__(self, window: MainWindow, text: str) -> None:
        super().__init__()
        self.window, self.text = window, text
        self.seen = False
        self.vanished = False
        model = window.messages.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self.check)

    def check(self, *_: object) -> None:
        present = any(r.text == self.text for r in rows(self.window))
        self.vanished = self.vanished or (self.seen and not present)
        self.seen = self.seen or present


def test_a_message_sent_on_reconnect_never_leaves_the_screen(qtbot: QtBot, chat: Chat) -> None:
    """The relay's answer goes straight into the room: no wait for the Pusher echo, which
    does not come for a message stored before the room's channel was subscribed again."""
    window = chat.window
    chat.hub.stop()
    qtbot.waitUntil(window.banner.isVisible, timeout=WAIT_MS)
    watch = RowWatch(window, "sent as we came back")
    type_and_send(qtbot, window, "sent as we came back")
    assert watch.seen
    chat.hub.start()

    def stored() -> bool:
        mine = [r for r in rows(window) if r.text == "sent as we came back"]
        return len(mine) == 1 and isinstance(mine[0], Message)

    qtbot.waitUntil(stored, timeout=3 * WAIT_MS)
    assert not watch.vanished


def test_an_edit_and_a_delete_made_offline_reach_the_relay(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    type_and_send(qtbot, window, "first draft")
    type_and_send(qtbot, window, "to be removed")
    controller = window.controller
    assert controller is not None

    def stored(text: str) -> Message | None:
        return next((r for r in rows(window) if isinstance(r, Message) and r.text == text), None)

    qtbot.waitUntil(lambda: stored("to be removed") is not None, timeout=WAIT_MS)
    draft, doomed = stored("first draft"), stored("to be removed")
    assert draft is not None
    assert doomed is not None
    chat.hub.stop()
    qtbot.waitUntil(window.banner.isVisible, timeout=WAIT_MS)
    controller.edit(draft.id, "final words")
    controller.delete(doomed.id)
    assert "final words" in texts(window)  # shown at once, offline
    window.quit()  # and kept across a restart of the app: it is in the outbox on disk
    assert window.session is None
    chat.hub.start()
    profile = Profile("test", chat.url, "alice")
    settings = Settings(profiles={"test": profile}, current="test")
    again = MainWindow(app_dirs(), settings, window.flow.store, [])
    try:
        again.show()
        again.open_profile(profile)

        def on_relay() -> bool:
            history = {m.id: m for m in chat.bob_client.history("general", limit=100).messages}
            return history[draft.id].text == "final words" and history[doomed.id].deleted

        qtbot.waitUntil(on_relay, timeout=3 * WAIT_MS)
    finally:
        close_window(qtbot, again)


# ---------------------------------------------------------------------- 7. over the limit


def test_over_the_limit_the_composer_says_so_and_does_not_send(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    composer = window.composer
    composer.setFocus()
    composer.setPlainText("x" * 9041)
    counter = window.composer_box.counter
    assert counter.isVisible()
    assert "too long to send" in counter.text()
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert composer.toPlainText() == "x" * 9041  # kept, to shorten
    assert not [r for r in rows(window) if isinstance(r, OutboxItem)]
    assert window.session is not None
    assert window.session.outbox.items() == []
    composer.setPlainText("x" * 100)
    assert not counter.isVisible()


def test_a_refused_message_can_be_edited_and_sent_or_discarded(qtbot: QtBot, chat: Chat) -> None:
    """Against a relay whose limit the client does not know, a too-large message fails for
    good: the row says why; editing it sends the fixed text; discarding removes it."""
    window = chat.window
    session = window.session
    assert session is not None
    session.outbox.max_bytes = None  # an older relay that does not say its limit
    window.composer.set_limit(None)
    type_and_send(qtbot, window, "y" * 9041)

    def failed() -> list[OutboxItem]:
        return [
            r for r in rows(window) if isinstance(r, OutboxItem) and r.state is OutboxState.FAILED
        ]

    qtbot.waitUntil(lambda: len(failed()) == 1, timeout=WAIT_MS)
    assert "limit" in (failed()[0].error or "")
    item = failed()[0]
    window.composer.begin_revise(item.client_id, item.text)
    window.composer.setPlainText("shortened it")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: any(isinstance(r, Message) and r.text == "shortened it" for r in rows(window)),
        timeout=WAIT_MS,
    )
    assert failed() == []
    # The event can arrive through pysher before the relay's HTTP reply empties the outbox.
    qtbot.waitUntil(lambda: session.outbox.items() == [], timeout=WAIT_MS)

    type_and_send(qtbot, window, "z" * 9041)
    qtbot.waitUntil(lambda: len(failed()) == 1, timeout=WAIT_MS)
    session.outbox.discard(failed()[0].client_id)
    assert not any(r.text == "z" * 9041 for r in rows(window))
    assert session.outbox.items() == []


# ------------------------------------------------------------------ 8. the sign-in menu


def test_chat_menu_sign_in_opens_the_dialog(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    action = next(a for a in window.findChildren(type(window.dnd)) if "Sign in" in a.text())
    action.trigger()
    qtbot.waitUntil(
        lambda: any(d.isVisible() for d in window.findChildren(SignInDialog)), timeout=WAIT_MS
    )
    dialog = next(d for d in window.findChildren(SignInDialog) if d.isVisible())
    assert dialog.server.text() == ""
    dialog.reject()


# --------------------------------------------------------------------- 9. the composer


class WidePaints(QObject):
    """Counts repaints of most of a widget (not the caret's blink, a sliver)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.widget = widget
        self.paints = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        wide = isinstance(event, QPaintEvent) and event.rect().width() > self.widget.width() // 2
        if event.type() == QEvent.Type.Paint and wide:
            self.paints += 1
        return False


def test_the_composer_names_the_room_on_screen_at_once(qtbot: QtBot, chat: Chat) -> None:
    """Qt repaints a placeholder only when it appears or goes: changing the text of one
    already shown left "Message #general" on screen in #random until a key was pressed."""
    window = chat.window
    composer = window.composer
    assert composer.placeholderText().startswith("Message #general")
    composer.setFocus()
    qtbot.waitUntil(composer.hasFocus, timeout=WAIT_MS)
    QApplication.processEvents()  # the focus-in repaint is done before counting starts
    paints = WidePaints(composer.viewport())
    window.select_room("random")
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    assert composer.placeholderText().startswith("Message #random")
    qtbot.waitUntil(lambda: paints.paints > 0, timeout=WAIT_MS)  # on screen too, at once


def test_ctrl_k_opens_an_overlay_in_the_window_and_goes_to_the_room(
    qtbot: QtBot, chat: Chat
) -> None:
    """The switcher was a separate dialog window; now it is a child over the window."""
    window = chat.window
    window.composer.setFocus()
    qtbot.waitUntil(window.composer.hasFocus, timeout=WAIT_MS)
    action = next(a for a in window.findChildren(type(window.dnd)) if "Quick switcher" in a.text())
    action.trigger()
    switcher = window.switcher
    assert switcher.isVisible()
    assert switcher.parentWidget() is window
    assert not switcher.isWindow()
    assert switcher.geometry() == window.rect()
    assert QApplication.topLevelWidgets().count(switcher) == 0
    action.trigger()  # Ctrl+K again closes it
    assert not switcher.isVisible()
    action.trigger()
    qtbot.keyClicks(switcher.search, "rndm")
    assert [t.key for t in switcher.matches()] == ["random"]
    qtbot.keyClick(switcher.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    assert not switcher.isVisible()
    qtbot.waitUntil(window.composer.hasFocus, timeout=WAIT_MS)


# ------------------------------------------------------- 10. notifications, dialogs


def test_opening_from_a_notification_keeps_a_maximized_window_maximized(
    qtbot: QtBot, chat: Chat
) -> None:
    window = chat.window
    window.showMaximized()
    qtbot.waitUntil(window.isMaximized, timeout=WAIT_MS)
    window.bring_to_front("random")
    qtbot.waitUntil(lambda: shows_room(window, "random"), timeout=WAIT_MS)
    assert window.isMaximized()


def test_a_bad_room_name_keeps_the_dialog_open_with_the_error(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    dialog = window.new_room()
    assert isinstance(dialog, NewRoomDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.name.setText("Bad Name!")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert "lower-case" in dialog.error.text()
    dialog.name.setText("random")  # taken: the relay refuses, and the dialog says so
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "already exists" in dialog.error.text(), timeout=WAIT_MS)
    assert dialog.isVisible()
    dialog.name.setText("brand-new")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: shows_room(window, "brand-new"), timeout=WAIT_MS)


def test_sending_while_scrolled_up_jumps_to_your_message(qtbot: QtBot, chat: Chat) -> None:
    """Scrolled up to read, you write and press Enter: the list goes to the bottom and
    shows your message, as every chat app does; no "1 new message ↓" for your own."""
    window = chat.window
    for n in range(40):
        chat.bob_says(f"earlier line {n}")
    view = window.messages
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: chat.model.rowCount() >= 40, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    bar.setValue(0)
    assert not view.at_bottom()
    window.composer.setFocus()
    qtbot.keyClicks(window.composer, "my answer, written while reading back")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: bool(chat.rows_with("my answer, written while reading back")), timeout=WAIT_MS
    )
    qtbot.waitUntil(view.at_bottom, timeout=WAIT_MS)
    newest = chat.model.index(chat.model.rowCount() - 1, 0)
    assert chat.model.row(newest.row()).text == "my answer, written while reading back"
    assert view.visualRect(newest).intersects(view.viewport().rect())
    assert not view.jump_button.isVisible()
