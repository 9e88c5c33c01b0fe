"""Ctrl+K as a person uses it: an overlay inside the window, fuzzy matches, keys and veil.

The host is a real QMainWindow with a focused field; the targets come from the real rooms
model. What is checked is what the person sees: the overlay over the window (a child, not
a window of its own), the rows in order, the highlighted row, the unread pill's pixels,
where the focus goes back to.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Room
from desktopchat.ui import theme
from desktopchat.ui.quick_switcher import QuickSwitcher
from desktopchat.ui.rooms import RoomListModel
from desktopchat.ui.switcher_rows import MATCH_ROLE
from desktopchat.ui.switcher_targets import Kind, Target, room_targets
from tests.ui.conftest import QT_CLEAN

pytestmark = QT_CLEAN

NAMES = ("general", "random", "dev-ops", "design", "gen-z", "agenda")
WAIT_MS = 2000


def room(name: str, topic: str = "") -> Room:
    return Room(name, topic, f"private-room-{name}", f"presence-room-{name}")


@pytest.fixture
def rooms() -> RoomListModel:
    model = RoomListModel()
    model.set_rooms([room(n, "Off topic" if n == "random" else "") for n in NAMES])
    model.add_unread("random", 3)
    return model


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    host = QMainWindow()
    host.setCentralWidget(QLineEdit(host))
    host.resize(900, 600)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    host.centralWidget().setFocus()
    qtbot.waitUntil(host.centralWidget().hasFocus, timeout=WAIT_MS)
    return host


@pytest.fixture
def switcher(window: QMainWindow, rooms: RoomListModel) -> QuickSwitcher:
    overlay = QuickSwitcher(window)
    overlay.open(room_targets(rooms))
    return overlay


def keys(switcher: QuickSwitcher) -> list[str]:
    return [t.key for t in switcher.matches()]


def current(switcher: QuickSwitcher) -> str:
    target = switcher.current()
    assert target is not None
    return target.key


# ----------------------------------------------------------------------------- where


def test_it_is_an_overlay_inside_the_window_not_a_window(
    window: QMainWindow, switcher: QuickSwitcher
) -> None:
    assert switcher.isVisible()
    assert not switcher.isWindow()
    assert switcher.window() is window
    assert switcher not in QApplication.topLevelWidgets()
    assert switcher.geometry() == window.rect()  # the veil covers the whole window
    panel = switcher.panel.geometry()
    assert window.rect().contains(panel)
    assert abs(panel.center().x() - window.rect().center().x()) <= 1
    assert switcher.search.hasFocus()


def test_it_follows_the_window_when_it_is_resized(
    qtbot: QtBot, window: QMainWindow, switcher: QuickSwitcher
) -> None:
    window.resize(500, 400)
    qtbot.waitUntil(lambda: switcher.geometry() == window.rect(), timeout=WAIT_MS)
    assert window.rect().contains(switcher.panel.geometry())


def test_the_veil_dims_the_window(
    qtbot: QtBot, window: QMainWindow, switcher: QuickSwitcher, rooms: RoomListModel
) -> None:
    corner = QPoint(3, window.height() - 4)
    switcher.dismiss()
    before = window.grab().toImage().pixelColor(corner)
    switcher.open(room_targets(rooms))
    after = window.grab().toImage().pixelColor(corner)
    assert after.lightness() < before.lightness()


# ----------------------------------------------------------------------------- what


def test_everything_is_listed_before_typing_unread_marked(switcher: QuickSwitcher) -> None:
    assert keys(switcher) == ["agenda", "design", "dev-ops", "gen-z", "general", "random"]
    assert current(switcher) == "agenda"
    random_row = switcher.model.index(5, 0)
    assert random_row.data(Qt.ItemDataRole.AccessibleTextRole) == "Room random, 3 unread"
    assert random_row.data(Qt.ItemDataRole.ToolTipRole) == "Off topic"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("gnrl", ["general"]),
        ("gen", ["gen-z", "general", "agenda"]),  # prefixes first, then the middle
        ("GEN", ["gen-z", "general", "agenda"]),
        ("#ran", ["random"]),
        ("do", ["dev-ops", "random"]),  # the word start "ops" before a middle o
        ("zzz", []),
    ],
)
def test_typing_ranks_the_rooms_fuzzily(
    qtbot: QtBot, switcher: QuickSwitcher, typed: str, expected: list[str]
) -> None:
    qtbot.keyClicks(switcher.search, typed)
    assert keys(switcher) == expected
    if expected:
        assert current(switcher) == expected[0]
    assert switcher.empty.isVisible() is not expected


def test_the_matched_letters_are_the_ones_highlighted(
    qtbot: QtBot, switcher: QuickSwitcher
) -> None:
    qtbot.keyClicks(switcher.search, "gnrl")
    found = switcher.model.index(0, 0).data(MATCH_ROLE)
    assert found.positions == (0, 2, 4, 6)


@pytest.mark.usefixtures("restore_theme")
def test_an_unread_room_shows_a_count_pill(qtbot: QtBot, switcher: QuickSwitcher) -> None:
    theme.apply("light")
    qtbot.keyClicks(switcher.search, "rand")
    qtbot.keyClicks(switcher.search, "o")
    rect = switcher.list.visualRect(switcher.model.index(0, 0))
    row = switcher.list.viewport().grab(rect).toImage()
    assert counts(row, theme.colours().accent) > 0  # the selected row (accent)
    qtbot.keyClicks(switcher.search, "m")
    switcher.list.clearSelection()
    switcher.list.viewport().repaint()
    row = switcher.list.viewport().grab(rect).toImage()
    assert counts(row, theme.colours().pill) > 20  # the pill's fill


def counts(image: QImage, colour: str) -> int:
    wanted = QColor(colour)
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).rgb() == wanted.rgb()
    )


# ------------------------------------------------------------------------------ keys


def test_arrow_keys_move_through_the_matches(qtbot: QtBot, switcher: QuickSwitcher) -> None:
    qtbot.keyClicks(switcher.search, "e")
    assert keys(switcher) == ["design", "dev-ops", "gen-z", "general", "agenda"]
    assert current(switcher) == "design"
    qtbot.keyClick(switcher.search, Qt.Key.Key_Down)
    assert current(switcher) == "dev-ops"
    qtbot.keyClick(switcher.search, Qt.Key.Key_Up)
    qtbot.keyClick(switcher.search, Qt.Key.Key_Up)  # wraps around
    assert current(switcher) == "agenda"
    assert switcher.search.text() == "e"  # the keys moved the selection, not the cursor


def test_enter_goes_to_the_highlighted_room_and_closes(
    qtbot: QtBot, window: QMainWindow, switcher: QuickSwitcher
) -> None:
    qtbot.keyClicks(switcher.search, "gen")
    qtbot.keyClick(switcher.search, Qt.Key.Key_Down)
    with qtbot.waitSignal(switcher.chosen, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(switcher.search, Qt.Key.Key_Return)
    assert blocker.args == [Target(Kind.ROOM, "general", "general")]
    assert not switcher.isVisible()
    qtbot.waitUntil(window.centralWidget().hasFocus, timeout=WAIT_MS)


def test_enter_with_no_match_chooses_nothing(qtbot: QtBot, switcher: QuickSwitcher) -> None:
    qtbot.keyClicks(switcher.search, "nothing like it")
    with qtbot.assertNotEmitted(switcher.chosen):
        qtbot.keyClick(switcher.search, Qt.Key.Key_Return)
    assert switcher.isVisible()


def test_esc_closes_and_gives_the_focus_back(
    qtbot: QtBot, window: QMainWindow, switcher: QuickSwitcher
) -> None:
    qtbot.keyClicks(switcher.search, "gen")
    with qtbot.assertNotEmitted(switcher.chosen), qtbot.waitSignal(switcher.closed):
        qtbot.keyClick(switcher.search, Qt.Key.Key_Escape)
    assert not switcher.isVisible()
    qtbot.waitUntil(window.centralWidget().hasFocus, timeout=WAIT_MS)


def test_a_click_on_the_veil_closes_a_click_in_the_panel_does_not(
    qtbot: QtBot, switcher: QuickSwitcher
) -> None:
    inside = switcher.panel.geometry().center()
    qtbot.mouseClick(switcher, Qt.MouseButton.LeftButton, pos=QPoint(inside.x(), inside.y()))
    assert switcher.isVisible()
    qtbot.mouseClick(switcher, Qt.MouseButton.LeftButton, pos=QPoint(3, switcher.height() - 3))
    assert not switcher.isVisible()


def test_enter_in_the_list_chooses_its_current_row(qtbot: QtBot, switcher: QuickSwitcher) -> None:
    switcher.list.setFocus()
    switcher.list.setCurrentIndex(switcher.model.index(5, 0))
    with qtbot.waitSignal(switcher.chosen, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(switcher.list, Qt.Key.Key_Return)
    assert blocker.args[0].key == "random"


def test_tab_stays_inside_the_overlay(qtbot: QtBot, switcher: QuickSwitcher) -> None:
    qtbot.keyClick(switcher.search, Qt.Key.Key_Tab)
    assert switcher.list.hasFocus()
    qtbot.keyClick(switcher.list, Qt.Key.Key_Tab)
    assert switcher.search.hasFocus()


def test_opening_again_starts_afresh(qtbot: QtBot, switcher: QuickSwitcher) -> None:
    qtbot.keyClicks(switcher.search, "gen")
    qtbot.keyClick(switcher.search, Qt.Key.Key_Escape)
    switcher.open([Target(Kind.ROOM, "solo", "solo")])
    assert switcher.search.text() == ""
    assert keys(switcher) == ["solo"]
