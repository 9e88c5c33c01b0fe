"""The rooms list (unread counts); Ctrl+K is tests/ui/test_quick_switcher.py."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Room
from desktopchat.ui.rooms import (
    MENTIONS_ROLE,
    ROOM_ROLE,
    UNREAD_ROLE,
    RoomListModel,
    RoomListView,
)
from tests.ui.conftest import QT_CLEAN

pytestmark = QT_CLEAN

DISPLAY = Qt.ItemDataRole.DisplayRole


def room(name: str, topic: str = "") -> Room:
    return Room(name, topic, f"private-room-{name}", f"presence-room-{name}")


@pytest.fixture
def rooms(qtbot: QtBot, qtmodeltester: ModelTester) -> RoomListModel:
    model = RoomListModel()
    qtmodeltester.check(model)
    model.set_rooms([room("random"), room("general", "Everyone, everything"), room("dev-ops")])
    qtmodeltester.check(model)
    return model


def shown(model: RoomListModel, role: int = DISPLAY) -> list[object]:
    return [model.index(r).data(role) for r in range(model.rowCount())]


# ----------------------------------------------------------------------------- the list


def test_rooms_are_listed_by_name(rooms: RoomListModel) -> None:
    assert shown(rooms) == ["# dev-ops", "# general", "# random"]
    assert [r.name for r in rooms.rooms()] == ["dev-ops", "general", "random"]
    assert rooms.index(1).data(ROOM_ROLE) == room("general", "Everyone, everything")
    assert shown(rooms, Qt.ItemDataRole.ToolTipRole) == [None, "Everyone, everything", None]
    assert rooms.row_of("random") == 2
    assert rooms.row_of("nowhere") is None


def test_unread_and_mention_counts_are_in_the_model_and_the_total(
    qtbot: QtBot, rooms: RoomListModel
) -> None:
    with qtbot.waitSignal(rooms.dataChanged) as blocker:
        rooms.add_unread("random", 2)
    assert blocker.args[0].row() == 2
    rooms.add_unread("random", 1, mentions=1)
    rooms.add_unread("dev-ops", 1)
    assert shown(rooms) == ["# dev-ops", "# general", "# random"]  # the pill shows the count
    assert shown(rooms, UNREAD_ROLE) == [1, 0, 3]
    assert shown(rooms, MENTIONS_ROLE) == [0, 0, 1]
    assert rooms.unread("random") == 3
    assert rooms.mentions("random") == 1
    assert rooms.total_unread() == 4
    assert shown(rooms, Qt.ItemDataRole.AccessibleTextRole) == [
        "Room dev-ops, 1 unread",
        "Room general",
        "Room random, 3 unread, 1 mentioning you",
    ]


def test_reading_a_room_clears_its_count(qtbot: QtBot, rooms: RoomListModel) -> None:
    rooms.add_unread("random", 5)
    rooms.add_unread("general", 1)
    with qtbot.waitSignal(rooms.dataChanged) as blocker:
        rooms.mark_read("random")
    assert blocker.args[0].row() == 2
    assert shown(rooms, UNREAD_ROLE) == [0, 1, 0]
    assert rooms.total_unread() == 1
    with qtbot.assertNotEmitted(rooms.dataChanged):
        rooms.mark_read("random")  # nothing changed: no repaint


def test_counts_survive_a_new_room(qtbot: QtBot, rooms: RoomListModel) -> None:
    rooms.add_unread("random", 2)
    rooms.add_room(room("announcements"))
    rooms.add_room(room("general"))  # already listed: no duplicate
    assert shown(rooms) == ["# announcements", "# dev-ops", "# general", "# random"]
    assert shown(rooms, UNREAD_ROLE) == [0, 0, 0, 2]


def test_an_unknown_room_counts_in_the_total_only(rooms: RoomListModel) -> None:
    rooms.add_unread("elsewhere", 2)
    assert rooms.total_unread() == 2
    assert shown(rooms, UNREAD_ROLE) == [0, 0, 0]


# ------------------------------------------------------------------------ the list's view

LONG_NAME = "a-very-long-room-name-for-the-quarterly-planning-of-everything"


def row_of(view: RoomListView, name: str) -> int:
    model = view.model()
    assert isinstance(model, RoomListModel)
    row = model.row_of(name)
    assert row is not None
    return row


@pytest.fixture
def room_view(qtbot: QtBot) -> RoomListView:
    model = RoomListModel()
    model.set_rooms([room("general"), room(LONG_NAME)])
    view = RoomListView()
    view.setModel(model)
    model.setParent(view)
    qtbot.addWidget(view)
    view.resize(170, 200)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_long_room_name_is_elided_without_a_horizontal_scrollbar(
    qtbot: QtBot, room_view: RoomListView
) -> None:
    assert not room_view.horizontalScrollBar().isVisible()
    assert room_view.horizontalScrollBar().maximum() == 0  # nothing to scroll to
    long_row, general = row_of(room_view, LONG_NAME), row_of(room_view, "general")
    shown = room_view.shown_text(long_row)
    assert shown.endswith("…")
    assert shown.startswith("# a-very")
    assert room_view.fontMetrics().horizontalAdvance(shown) < room_view.viewport().width()
    assert room_view.shown_text(general) == "# general"
    for row in range(2):
        rect = room_view.visualRect(room_view.model().index(row, 0))
        assert rect.right() < room_view.viewport().width()


def test_a_wider_room_list_shows_more_of_the_name(qtbot: QtBot, room_view: RoomListView) -> None:
    long_row = row_of(room_view, LONG_NAME)
    narrow = room_view.shown_text(long_row)
    room_view.resize(900, 200)
    qtbot.waitUntil(lambda: room_view.shown_text(long_row) != narrow)
    assert room_view.shown_text(long_row) == f"# {LONG_NAME}"
