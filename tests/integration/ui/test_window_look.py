"""What the real window looks like on a real hub: its theme, and its offline banner.

The window is alice's, logged in through her stored token (the ``chat`` fixture); the hub
is stopped as a server going away would be. Assertions are on what a person sees: the
palette the widgets paint with and their pixels, the banner's text, the window's size.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QStatusBar, QWidget
from pytestqt.qtbot import QtBot

from desktopchat.client import settings as settings_file
from desktopchat.client.realtime import ConnectionState
from desktopchat.paths import app_dirs
from desktopchat.ui.dialogs import SettingsDialog
from tests.integration.ui.conftest import QT_CLEAN, WAIT_MS, Chat
from tests.ui.conftest import theme_restored

pytestmark = QT_CLEAN

Role = QPalette.ColorRole
DARK_ENOUGH = 80  # HSL lightness (0-255)


@pytest.fixture
def restore_theme(qtbot: QtBot) -> Iterator[None]:
    with theme_restored():
        yield


def dark_share(widget: QWidget) -> float:
    """The share of ``widget``'s painted pixels that are dark."""
    image: QImage = widget.grab().toImage()
    step = 4
    samples = [
        image.pixelColor(x, y).lightness() < DARK_ENOUGH
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    ]
    return sum(samples) / len(samples)


def test_dark_from_settings_makes_the_whole_window_dark(
    qtbot: QtBot, chat: Chat, restore_theme: None
) -> None:
    window = chat.window
    chat.bob_says("something to read in the dark: https://example.com/docs")
    qtbot.waitUntil(lambda: chat.model.rowCount() > 0, timeout=WAIT_MS)
    assert dark_share(window.messages.viewport()) < 0.2
    window.show_settings()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    dialog.tabs.setCurrentIndex(2)  # Appearance
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))

    def dark() -> bool:
        return all(
            w.palette().color(role).lightness() < DARK_ENOUGH
            for w, role in (
                (window, Role.Window),
                (window.messages, Role.Base),
                (window.room_list, Role.Base),
                (window.members, Role.Base),
                (window.composer, Role.Base),
                (dialog, Role.Window),
            )
        )

    qtbot.waitUntil(dark, timeout=WAIT_MS)
    # What is painted, not only what is set: the conversation and the sidebar are dark.
    assert dark_share(window.messages.viewport()) > 0.8
    assert dark_share(window.room_list.viewport()) > 0.8
    saved = settings_file.load(app_dirs().config).extra or {}
    assert saved["ui"]["theme"] == "dark"
    dialog.close()


def test_the_offline_banner_keeps_the_window_size_and_speaks_plainly(
    qtbot: QtBot, chat: Chat
) -> None:
    window = chat.window
    session = window.session
    assert session is not None
    window.resize(680, 600)
    qtbot.waitUntil(lambda: window.width() == 680, timeout=WAIT_MS)
    size = window.size()
    refusals: list[str] = []

    def record(state: ConnectionState, reason: str, _retry_in: float) -> None:
        if state is ConnectionState.OFFLINE and "refused" in reason.lower():
            refusals.append(reason)

    session.bridge.state_changed.connect(record)
    chat.hub.stop()
    composer = window.composer  # a message written offline waits, and the banner says so
    composer.setFocus()
    qtbot.keyClicks(composer, "written while the server is away")
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    # Several refused attempts, each shown and laid out, before looking at the window.
    qtbot.waitUntil(lambda: len(refusals) >= 3, timeout=3 * WAIT_MS)
    banner = window.banner
    qtbot.waitUntil(
        lambda: banner.isVisible() and banner.label.text().startswith("Can't reach the server"),
        timeout=WAIT_MS,
    )
    shown = banner.label.text()
    assert "Errno" not in shown
    assert "retrying in" in shown
    assert shown.endswith("1 message waiting to be sent")
    assert "Connection refused" in banner.label.toolTip()  # the detail, for who wants it
    assert window.size() == size
    assert window.minimumSizeHint().width() <= size.width()


def test_news_on_the_notice_line_moves_nothing_and_long_news_elides(
    qtbot: QtBot, chat: Chat
) -> None:
    """A notice (here the keyring's, as the start-up reports it) appears above the composer
    in a line that is always there: the composer and the messages stay where they were,
    the window keeps its width, and a long one is elided with the whole in its tooltip."""
    window = chat.window
    window.resize(900, 600)
    qtbot.waitUntil(lambda: window.width() == 900, timeout=WAIT_MS)
    window.notice.clear_message()
    composer, messages = window.composer_box, window.messages

    def places() -> tuple[object, object]:
        return (
            composer.geometry().translated(composer.parentWidget().mapTo(window, QPoint())),
            messages.geometry().translated(messages.parentWidget().mapTo(window, QPoint())),
        )

    before, size = places(), window.size()
    news = "The system keyring is locked; " + "your session is kept for this run only " * 6
    window.add_notice(news)
    notice = window.notice
    qtbot.waitUntil(lambda: notice.isVisible() and notice.text() != "", timeout=WAIT_MS)
    assert notice.current_message() == " ".join(news.split())
    assert notice.text().endswith("…")
    assert len(notice.text()) < len(news)
    assert notice.toolTip() == notice.current_message()
    field = composer.frame  # the line ends where the composer's field does
    assert (
        notice.mapTo(window, QPoint(notice.width(), 0)).x()
        == field.mapTo(window, QPoint(field.width(), 0)).x()
    )
    assert window.findChild(QStatusBar) is None  # nothing comes and goes under the composer
    assert places() == before
    assert window.size() == size
    notice.clear_message()
    assert notice.text() == ""
    assert places() == before


def test_the_connection_bar_hides_no_message_and_moves_none_read(qtbot: QtBot, chat: Chat) -> None:
    """The bar lies over the top of the messages when the server goes away. Scrolled up to
    a room's first message (its day divider), that message moves down below the bar, in
    view; scrolled to the middle, the rows read stay where they are on screen; followed at
    the bottom, the newest does not move either."""
    window = chat.window
    window.resize(900, 520)
    qtbot.waitUntil(lambda: window.width() == 900, timeout=WAIT_MS)
    for n in range(40):
        chat.bob_says(f"line {n} of a long morning")
    view, model = window.messages, chat.model
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: model.rowCount() >= 40, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    banner = window.banner

    def on_screen(row: int) -> int:
        """The row's top in the window's coordinates."""
        rect = view.visualRect(model.index(row, 0))
        return view.viewport().mapTo(window, rect.topLeft()).y()

    def bar_bottom() -> int:
        return banner.mapTo(window, QPoint(0, banner.height())).y()

    newest = model.rowCount() - 1
    qtbot.waitUntil(view.at_bottom, timeout=WAIT_MS)
    newest_at = on_screen(newest)
    bar.setValue(0)  # the user scrolls up to the room's start
    assert view.indexAt(QPoint(10, 1)).row() == 0
    chat.hub.stop()
    qtbot.waitUntil(banner.isVisible, timeout=3 * WAIT_MS)
    qtbot.waitUntil(lambda: view.viewportMargins().top() >= banner.height(), timeout=WAIT_MS)
    assert on_screen(0) >= bar_bottom()  # below the bar, in view
    assert view.viewport().mapTo(window, QPoint(0, 0)).y() >= bar_bottom()
    bar.setValue(bar.maximum() // 2)  # to the middle: the bar stays, nothing moves
    middle = view.indexAt(QPoint(10, view.viewport().height() // 2)).row()
    middle_at = on_screen(middle)
    chat.hub.start()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=3 * WAIT_MS)
    qtbot.waitUntil(lambda: view.viewportMargins().top() == 0, timeout=WAIT_MS)
    assert on_screen(middle) == middle_at
    view.scroll_to_newest()
    qtbot.waitUntil(view.at_bottom, timeout=WAIT_MS)
    assert on_screen(newest) == newest_at  # the newest is where it was before the bar came
    chat.hub.stop()
    qtbot.waitUntil(banner.isVisible, timeout=3 * WAIT_MS)
    qtbot.waitUntil(lambda: view.viewportMargins().top() >= banner.height(), timeout=WAIT_MS)
    assert view.at_bottom()
    assert on_screen(newest) == newest_at
    inset = view.viewportMargins().top()
    window.hide()  # into the tray and back: the bar did not change, nor does the inset
    assert view.viewportMargins().top() == inset
    window.show()
    qtbot.waitExposed(window)
    assert view.viewportMargins().top() == inset


def test_a_request_the_server_cannot_answer_is_reported_in_plain_words(
    qtbot: QtBot, chat: Chat
) -> None:
    """Scrolled back past what is stored while the server is away, the older page cannot
    come: the notice line says so in words ("can't reach the server"), never the
    exception's name, and the whole is readable in its tooltip or accessible text."""
    window = chat.window
    first = chat.bob_says("the first thing said here")
    qtbot.waitUntil(lambda: chat.model.rowCount() > 0, timeout=WAIT_MS)
    chat.hub.stop()
    controller = window.controller
    assert controller is not None
    with qtbot.waitSignal(controller.error, timeout=3 * WAIT_MS):
        controller.load_older(first.id)  # what scrolling to the top asks for
    said = window.notice.current_message()
    assert said == "Could not load older messages: can't reach the server"
    assert "Error" not in said
    assert window.notice.accessibleDescription() == said
