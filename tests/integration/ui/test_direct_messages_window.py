"""Direct messages in the real window: the sidebar's section, presence dots, unread pills,
and starting one from the members panel, a message's author and Ctrl+K.

Alice is the window; Bob is a real pysher client (for presence) and the relay's HTTP API.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from desktopchat.server.credentials import AppCredentials
from desktopchat.ui.main_window import MainWindow
from desktopchat.ui.rooms import MENTIONS_ROLE, UNREAD_ROLE
from desktopchat.ui.switcher_targets import Kind
from tests.conftest import PysherClient
from tests.integration.conftest import wait_subscribed, watch_presence
from tests.integration.ui.conftest import QT_CLEAN, WAIT_MS, Chat, member_names, shows_room

pytestmark = QT_CLEAN


def dm_rows(window: MainWindow) -> list[str]:
    """What the Direct messages list shows, row by row (dot and name)."""
    view = window.direct_list
    model = view.model()
    return [view.shown_text(row) for row in range(model.rowCount())] if model else []


def header_title(window: MainWindow) -> str:
    return window.header.title.full_text


@pytest.fixture
def bob_online(chat: Chat, credentials: AppCredentials) -> Callable[[str], PysherClient]:
    """Bob joins a presence channel with a real pysher client (as his window would)."""
    clients: list[PysherClient] = []

    def join(channel: str) -> PysherClient:
        port = int(chat.url.rsplit(":", 1)[1])
        client = PysherClient(credentials.key, port)
        clients.append(client)
        inboxes = watch_presence(client, chat.bob, channel)
        client.connect()
        wait_subscribed(inboxes, f"Bob on {channel}")
        return client

    yield join
    for client in clients:
        client.close()


def test_the_sidebar_has_a_direct_messages_section(chat: Chat) -> None:
    sidebar = chat.window.sidebar
    assert sidebar.direct_section.title.text() == "DIRECT MESSAGES"
    assert sidebar.direct_section.isVisible()
    assert dm_rows(chat.window) == []


def test_starting_a_dm_from_the_members_panel(
    qtbot: QtBot, chat: Chat, bob_online: Callable[[str], PysherClient]
) -> None:
    window = chat.window
    bob_online("presence-room-general")
    qtbot.waitUntil(lambda: member_names(window) == ["Alice", "Bob"], timeout=WAIT_MS)
    bob_item = window.members.item(1)
    rect = window.members.visualItemRect(bob_item)
    # A double-click is a press, then the double-click on the same row (as Qt sees one).
    viewport = window.members.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: dm_rows(window) == ["○ Bob"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: header_title(window) == "@ Bob", timeout=WAIT_MS)
    [dm] = chat.bob_client.direct_messages()
    assert shows_room(window, dm.name)
    assert window.windowTitle() == "Bob — desktopchat"
    assert "Message Bob" in window.composer.placeholderText()
    empty = (
        "This is the start of your conversation with Bob.\nSend the first message to get it going."
    )
    qtbot.waitUntil(lambda: window.messages.empty_text() == empty, timeout=WAIT_MS)
    assert window.direct_list.currentIndex().row() == 0
    assert not window.room_list.selectionModel().hasSelection()
    # What Alice writes goes to the DM, not to #general.
    window.composer.setFocus()
    qtbot.keyClicks(window.composer, "hi Bob, just you")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: [m.text for m in chat.bob_client.history(dm.name).messages] == ["hi Bob, just you"],
        timeout=WAIT_MS,
    )
    assert chat.bob_client.history("general").messages == ()
    # Bob opens it on his side (joins its presence channel): his dot fills.
    bob_online(dm.presence_channel)
    qtbot.waitUntil(lambda: dm_rows(window) == ["● Bob"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: member_names(window) == ["Alice", "Bob"], timeout=WAIT_MS)


def test_a_dm_bob_starts_appears_live_with_a_mention_pill(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    dm = chat.bob_client.start_direct(["alice"])
    qtbot.waitUntil(lambda: dm_rows(window) == ["○ Bob"], timeout=WAIT_MS)
    assert shows_room(window, "general"), "a new DM does not take the screen"
    chat.bob_says("are you there?", room=dm.name)
    model = window.direct_list.model()
    qtbot.waitUntil(lambda: model.index(0, 0).data(UNREAD_ROLE) == 1, timeout=WAIT_MS)
    assert model.index(0, 0).data(MENTIONS_ROLE) == 1, "a DM counts as a mention"
    assert window.direct_list.shown_pill(0) == "1"
    assert window.windowTitle().startswith("(1) ")
    # Opening it reads it, and the conversation is there.
    window.direct_list.clicked.emit(model.index(0, 0))
    qtbot.waitUntil(lambda: shows_room(window, dm.name), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: [r.text for r in chat.rows()] == ["are you there?"], timeout=WAIT_MS)
    assert model.index(0, 0).data(UNREAD_ROLE) == 0
    # Back to #general and again to the DM: the members panel knows who is there at once.
    window.select_room("general")
    window.select_room(dm.name)
    assert member_names(window) == ["Alice"]


def test_a_first_message_sent_as_the_dm_starts_is_unread_not_backlog(
    qtbot: QtBot, chat: Chat
) -> None:
    """``send --to`` starts a DM and writes in it at once: the window learns of the DM after
    the message is stored, so it arrives in the DM's first catch-up. That is news (unread,
    a mention), not old history as a room's backlog on a first visit would be."""
    window = chat.window
    dm = chat.bob_client.start_direct(["alice"])
    chat.bob_says("quick one before you go", room=dm.name)  # before Alice's window follows it
    model = window.direct_list.model()
    qtbot.waitUntil(lambda: dm_rows(window) == ["○ Bob"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: model.index(0, 0).data(UNREAD_ROLE) == 1, timeout=WAIT_MS)
    assert model.index(0, 0).data(MENTIONS_ROLE) == 1
    assert window.direct_list.shown_pill(0) == "1"


def test_ctrl_k_offers_people_and_opens_their_dm(
    qtbot: QtBot, chat: Chat, bob_online: Callable[[str], PysherClient]
) -> None:
    window = chat.window
    bob_online("presence-room-general")
    qtbot.waitUntil(lambda: member_names(window) == ["Alice", "Bob"], timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    switcher = window.switcher
    qtbot.waitUntil(switcher.isVisible, timeout=WAIT_MS)
    people = [t for t in switcher._targets if t.kind is Kind.PERSON]
    assert [t.label for t in people] == ["Bob"], "Alice is not offered a DM with herself"
    qtbot.keyClicks(switcher.search, "bob")
    qtbot.keyClick(switcher.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: header_title(window) == "@ Bob", timeout=WAIT_MS)
    assert dm_rows(window) == ["○ Bob"]


def test_ctrl_k_offers_someone_who_wrote_here_though_away_now(qtbot: QtBot, chat: Chat) -> None:
    """Bob wrote in #general and has gone: he is not among the members online, yet Ctrl+K
    and a few letters of his name still find him, as ``@`` does."""
    window = chat.window
    chat.bob_says("back on Monday")
    qtbot.waitUntil(lambda: bool(chat.rows_with("back on Monday")), timeout=WAIT_MS)
    assert member_names(window) == ["Alice"]
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    switcher = window.switcher
    qtbot.waitUntil(switcher.isVisible, timeout=WAIT_MS)
    assert "person" in switcher.search.placeholderText()
    qtbot.keyClicks(switcher.search, "bo")
    people = [t.label for t in switcher._targets if t.kind is Kind.PERSON]
    assert people == ["Bob"]
    qtbot.keyClick(switcher.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: header_title(window) == "@ Bob", timeout=WAIT_MS)


def test_clicking_a_message_authors_name_opens_a_dm_with_them(qtbot: QtBot, chat: Chat) -> None:
    window = chat.window
    chat.bob_says("ping me privately")
    qtbot.waitUntil(lambda: [r.text for r in chat.rows()] == ["ping me privately"], timeout=WAIT_MS)
    view = window.messages
    index = chat.model.index(0, 0)
    option = view._option(index)
    header = view._delegate.geometry(option, index).header
    assert header is not None
    name_at = QPoint(header.left() + 4, header.center().y())
    assert view.author_at(name_at) == chat.bob.user["id"]
    assert view.author_at(QPoint(header.right() - 2, header.center().y())) is None  # past it
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=name_at)
    qtbot.waitUntil(lambda: header_title(window) == "@ Bob", timeout=WAIT_MS)
    assert dm_rows(window) == ["○ Bob"]
