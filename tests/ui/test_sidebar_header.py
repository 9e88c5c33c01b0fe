"""The sidebar's rows (pills, mention colour, read and unread names) and the room header."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Room
from desktopchat.ui import theme
from desktopchat.ui.header import (
    MESSAGE_SEARCH_SHORT,
    MESSAGE_SEARCH_TEXT,
    SEARCH_SHORT,
    SEARCH_TEXT,
    TOPIC_MIN,
    RoomHeader,
)
from desktopchat.ui.rooms import RoomListModel
from desktopchat.ui.sidebar import Sidebar
from desktopchat.ui.theme import Size
from tests.ui.conftest import QT_CLEAN, theme_restored

pytestmark = QT_CLEAN


def room(name: str, topic: str = "") -> Room:
    return Room(name, topic, f"private-room-{name}", f"presence-room-{name}")


@pytest.fixture(params=["light", "dark"])
def scheme(request: pytest.FixtureRequest, qtbot: QtBot) -> Iterator[str]:
    with theme_restored():
        theme.apply(str(request.param))
        yield str(request.param)


@pytest.fixture
def sidebar(qtbot: QtBot, scheme: str) -> Sidebar:
    bar = Sidebar()
    model = RoomListModel(bar)
    model.set_rooms([room("design"), room("general"), room("ops"), room("quiet")])
    model.add_unread("design", 2, mentions=1)
    model.add_unread("ops", 3)
    bar.room_list.setModel(model)
    bar.room_list.setCurrentIndex(model.index(1))  # general
    qtbot.addWidget(bar)
    bar.resize(Size.SIDEBAR, 400)
    bar.show()
    qtbot.waitExposed(bar)
    return bar


def row_image(bar: Sidebar, row: int) -> tuple[QImage, int]:
    view = bar.room_list
    rect = view.visualRect(view.model().index(row, 0))
    # From the sidebar, not the list: the list is transparent over the sidebar's colour.
    rect.moveTopLeft(view.viewport().mapTo(bar, rect.topLeft()))
    return bar.grab(rect).toImage(), rect.height()


def background(image: QImage) -> str:
    """The row's background colour, right of any text and pill (inside the rounded fill)."""
    return image.pixelColor(image.width() - Size.PILL_AREA // 4, 3 * image.height() // 4).name()


def has_colour(image: QImage, colour: str, tolerance: int = 6, *, right: int = 0) -> bool:
    """Whether ``colour`` is painted (in the ``right`` most pixels only, if given)."""
    want = QColor(colour)
    for y in range(image.height()):
        for x in range(image.width() - right if right else 0, image.width()):
            got = image.pixelColor(x, y)
            if (
                abs(got.red() - want.red()) <= tolerance
                and abs(got.green() - want.green()) <= tolerance
                and abs(got.blue() - want.blue()) <= tolerance
            ):
                return True
    return False


def test_a_mention_pill_is_the_accent_an_unread_pill_is_neutral(sidebar: Sidebar) -> None:
    colours = theme.colours()
    view = sidebar.room_list
    assert [view.shown_pill(r) for r in range(4)] == ["2", "", "3", ""]
    design, _ = row_image(sidebar, 0)
    ops, _ = row_image(sidebar, 2)
    quiet, _ = row_image(sidebar, 3)
    pill = Size.PILL_AREA
    assert has_colour(design, colours.accent, right=pill)  # mentions you: the accent pill
    assert not has_colour(ops, colours.accent, right=pill)
    assert has_colour(ops, colours.pill, right=pill)
    assert not has_colour(quiet, colours.pill, right=pill)  # nothing unread, no pill


def test_the_selected_room_is_filled_with_the_accent(sidebar: Sidebar) -> None:
    general, _ = row_image(sidebar, 1)
    assert background(general) == theme.colours().accent


def test_hovering_a_room_tints_it(qtbot: QtBot, sidebar: Sidebar) -> None:
    view = sidebar.room_list
    qtbot.mouseMove(view.viewport(), view.visualRect(view.model().index(0, 0)).center())
    qtbot.waitUntil(lambda: background(row_image(sidebar, 3)[0]) == theme.colours().sidebar)
    rect = view.visualRect(view.model().index(3, 0))
    qtbot.mouseMove(view.viewport(), rect.center())
    qtbot.waitUntil(lambda: background(row_image(sidebar, 3)[0]) == theme.colours().hover)


def test_a_long_name_beside_a_pill_is_elided_not_scrolled(qtbot: QtBot, sidebar: Sidebar) -> None:
    model = sidebar.room_list.model()
    assert isinstance(model, RoomListModel)
    long_name = "release-planning-for-the-next-quarter-and-the-one-after"
    model.add_room(room(long_name))
    model.add_unread(long_name, 120)
    row = model.row_of(long_name)
    assert row is not None
    shown = sidebar.room_list.shown_text(row)
    assert shown.startswith("# release-")
    assert shown.endswith("…")
    assert sidebar.room_list.shown_pill(row) == "99+"
    assert not sidebar.room_list.horizontalScrollBar().isVisible()


def test_the_sidebar_asks_for_the_designs_width(sidebar: Sidebar) -> None:
    assert sidebar.sizeHint().width() == Size.SIDEBAR
    assert sidebar.minimumWidth() == Size.SIDEBAR_MIN
    assert sidebar.rooms_section.add.accessibleName() == "Create a room"


def test_the_rooms_plus_asks_for_a_new_room(qtbot: QtBot, sidebar: Sidebar) -> None:
    with qtbot.waitSignal(sidebar.new_room_requested):
        qtbot.mouseClick(sidebar.rooms_section.add, Qt.MouseButton.LeftButton)


@pytest.fixture
def header(qtbot: QtBot, scheme: str) -> RoomHeader:
    bar = RoomHeader()
    qtbot.addWidget(bar)
    bar.resize(900, bar.sizeHint().height())
    bar.show()
    qtbot.waitExposed(bar)
    return bar


def test_a_long_topic_is_elided_and_the_name_stays_whole(qtbot: QtBot, header: RoomHeader) -> None:
    topic = "A very long topic " * 20
    header.set_room("general", topic)
    qtbot.waitUntil(lambda: header.topic.text().endswith("…"))
    assert header.title.text() == "# general"
    assert header.topic.toolTip() == " ".join(topic.split())
    assert header.width() == 900  # nothing widened the bar


def test_a_narrow_header_shortens_the_search_text_instead_of_clipping(
    qtbot: QtBot, header: RoomHeader
) -> None:
    header.set_room("general", "topic")
    header.set_member_count(3)
    assert header.members.text() == "3 online"
    assert header.members.accessibleName() == "3 online in this room"
    qtbot.waitUntil(lambda: header.search.text() == SEARCH_TEXT)
    header.resize(360, header.height())
    qtbot.waitUntil(lambda: header.search.text() == SEARCH_SHORT)
    search = header.search
    assert search.fontMetrics().horizontalAdvance(search.text()) < search.width()
    assert header.title.text().startswith("# gen")


def test_a_topic_stays_readable_while_the_buttons_take_their_short_texts(
    qtbot: QtBot, header: RoomHeader
) -> None:
    """Beside the members panel the header is ~640 px: the topic must not vanish."""
    topic = "Everyone, everything about the hub and the window"
    header.set_room("general", topic)
    header.set_member_count(5)
    header.resize(640, header.height())
    qtbot.waitUntil(lambda: header.message_search.text() == MESSAGE_SEARCH_SHORT)
    whole = header.topic.fontMetrics().horizontalAdvance(topic)
    assert header.topic.width() >= min(whole, TOPIC_MIN)
    assert header.topic.text().startswith("Everyone, every")


def test_search_opens_the_switcher(qtbot: QtBot, header: RoomHeader) -> None:
    with qtbot.waitSignal(header.search_requested):
        header.search.click()
    point = header.search.mapTo(header, QPoint(1, 1))
    assert header.childAt(point) is header.search


def test_message_search_has_its_own_button_that_shortens_when_narrow(
    qtbot: QtBot, header: RoomHeader
) -> None:
    header.set_room("general", "topic")
    button = header.message_search
    qtbot.waitUntil(lambda: button.text() == MESSAGE_SEARCH_TEXT)
    with qtbot.waitSignal(header.message_search_requested):
        button.click()
    header.resize(360, header.height())
    qtbot.waitUntil(lambda: button.text() == MESSAGE_SEARCH_SHORT)
    assert button.fontMetrics().horizontalAdvance(button.text()) < button.width()
