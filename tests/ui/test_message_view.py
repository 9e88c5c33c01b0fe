"""The message list as a user sees it: hover, actions, Show more, New messages, empty room.

A real :class:`MessageView` with the real delegate and model, shown offscreen; the
pointer is moved and buttons are clicked with real events, and what is checked is what
is painted (``grab()``) or what the view says it was asked to do (its signals).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QContextMenuEvent, QHelpEvent, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Message
from desktopchat.ui import message_style, theme
from desktopchat.ui.avatars import AvatarCache
from desktopchat.ui.message_delegate import Geometry, MessageDelegate, full_time
from desktopchat.ui.message_model import MessageListModel, Roles
from desktopchat.ui.message_view import MessageView
from desktopchat.ui.theme.tokens import Size
from tests.ui.conftest import BOB, ME, NOON, QT_CLEAN, message

pytestmark = QT_CLEAN

LONG = "\n".join(f"line {n} of a long paste" for n in range(1, 61))


@pytest.fixture
def view(qtbot: QtBot, avatars: AvatarCache) -> Iterator[MessageView]:
    widget = MessageView(MessageDelegate(avatars))
    widget.setObjectName("messages")
    widget.resize(700, 500)
    qtbot.addWidget(widget)
    yield widget
    widget.setModel(None)


def show(
    qtbot: QtBot, view: MessageView, *rows: Message, room: str = "general"
) -> MessageListModel:
    model = MessageListModel(room, ME.id, view, own_name=ME.display_name)
    model.add(list(rows))
    model.flush()
    view.setModel(model)
    view.show()
    qtbot.waitExposed(view)
    if rows:
        last = model.index(model.rowCount() - 1)
        qtbot.waitUntil(lambda: view.visualRect(last).height() > 0)
    return model


def geometry(view: MessageView, row: int) -> Geometry:
    index = view.model().index(row, 0)
    return view._delegate.geometry(view._option(index), index)


def move_to(view: MessageView, point: QPoint) -> None:
    """The pointer moves over ``point`` of the viewport (a real mouse-move event)."""
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(point),
        QPointF(view.viewport().mapToGlobal(point)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view.viewport(), event)


def click(view: MessageView, point: QPoint) -> None:
    for kind, buttons in (
        (QEvent.Type.MouseButtonPress, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton),
    ):
        event = QMouseEvent(
            kind,
            QPointF(point),
            QPointF(view.viewport().mapToGlobal(point)),
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(view.viewport(), event)


def painted(view: MessageView) -> QImage:
    return view.viewport().grab().toImage()


def inked(image: QImage, rect: QRect, background: QColor) -> bool:
    """Whether anything but ``background`` is painted in ``rect``."""
    for y in range(max(0, rect.top()), min(image.height(), rect.bottom() + 1)):
        for x in range(max(0, rect.left()), min(image.width(), rect.right() + 1)):
            if image.pixelColor(x, y).rgb() != background.rgb():
                return True
    return False


def has_colour(image: QImage, rect: QRect, colour: QColor, tolerance: int = 40) -> bool:
    for y in range(max(0, rect.top()), min(image.height(), rect.bottom() + 1)):
        for x in range(max(0, rect.left()), min(image.width(), rect.right() + 1)):
            p = image.pixelColor(x, y)
            if (
                abs(p.red() - colour.red())
                + abs(p.green() - colour.green())
                + abs(p.blue() - colour.blue())
                <= tolerance
            ):
                return True
    return False


def tokens() -> theme.Colours:
    """The colours the view paints with (its palette's)."""
    return theme.colours(QApplication.palette("QListView"))


# ------------------------------------------------------------------------- hover


def test_hovering_a_continuation_row_shows_its_time_and_background(
    qtbot: QtBot, view: MessageView
) -> None:
    show(qtbot, view, message(1, text="first"), message(2, text="second, same group"))
    g = geometry(view, 1)
    assert g.header is None  # a continuation row: no time unless hovered
    assert g.gutter_time is not None
    surface = QColor(tokens().surface)
    before = painted(view)
    assert not inked(before, g.gutter_time, surface)
    move_to(view, g.text.center())
    assert view.hovered_index().row() == 1
    after = painted(view)
    hover = QColor(tokens().row_hover)
    assert after.pixelColor(g.message.right() - 2, g.message.bottom() - 1) == hover
    assert inked(after, g.gutter_time, hover), "the time is shown in the gutter on hover"
    assert has_colour(after, g.gutter_time, QColor(tokens().text_muted), 90)


@pytest.mark.qt_log_ignore(r"This plugin does not support raise\(\)")  # the tooltip's window
def test_the_time_has_the_full_date_in_a_tooltip(qtbot: QtBot, view: MessageView) -> None:
    first = message(1, text="first", at=NOON)
    second = message(2, text="second", at=NOON + timedelta(seconds=40))
    show(qtbot, view, first, second)
    for row, record in ((0, first), (1, second)):
        index = view.model().index(row, 0)
        where = view._delegate.header_time_rect(view._option(index), index)
        assert where is not None
        event = QHelpEvent(
            QEvent.Type.ToolTip, where.center(), view.viewport().mapToGlobal(where.center())
        )
        QApplication.sendEvent(view.viewport(), event)
        assert QToolTip.text() == full_time(record.sent_at)
        assert f"{record.sent_at.astimezone():%H:%M:%S}" in QToolTip.text()
        assert f"{record.sent_at.astimezone():%Y}" in QToolTip.text()
    QToolTip.hideText()


def test_hover_actions_on_your_own_message_edit_delete_and_copy(
    qtbot: QtBot, view: MessageView
) -> None:
    show(qtbot, view, message(1, author=ME, text="mine to change"))
    g = geometry(view, 0)
    move_to(view, g.text.center())
    bar = view.actions_bar
    qtbot.waitUntil(bar.isVisible)
    assert bar.visible_actions() == ["copy", "edit", "delete"]
    assert [bar.buttons[n].accessibleName() for n in bar.visible_actions()] == [
        "Copy text",
        "Edit message",
        "Delete message",
    ]
    assert g.column.contains(bar.geometry().center())  # over its row, not elsewhere
    with qtbot.waitSignal(view.edit_requested) as edit:
        bar.buttons["edit"].click()
    assert edit.args == [1]
    with qtbot.waitSignal(view.delete_requested) as delete:
        bar.buttons["delete"].click()
    assert delete.args == [1]
    with qtbot.waitSignal(view.copy_requested) as copy:
        bar.buttons["copy"].click()
    assert copy.args == ["mine to change"]
    # The buttons are painted, not only there: the toolbar shows in the view's picture.
    image = view.viewport().grab().toImage()
    assert inked(image, bar.geometry(), QColor(tokens().row_hover))


def test_someone_elses_message_offers_copy_only(qtbot: QtBot, view: MessageView) -> None:
    show(qtbot, view, message(1, author=BOB, text="not yours"))
    move_to(view, geometry(view, 0).text.center())
    qtbot.waitUntil(view.actions_bar.isVisible)
    assert view.actions_bar.visible_actions() == ["copy"]
    # React and reply are reserved (issue 15): there, but hidden until made available.
    assert set(view.actions_bar.buttons) >= {"react", "reply"}


def test_the_keyboard_reaches_the_actions_on_the_current_row(
    qtbot: QtBot, view: MessageView
) -> None:
    model = show(
        qtbot, view, message(1, author=BOB, text="bob's"), message(2, author=ME, text="mine")
    )
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    view.setCurrentIndex(model.index(1))
    assert view.hovered_index().row() == 1  # its actions are offered to the keyboard too
    assert view.actions_bar.isVisible()
    with qtbot.waitSignal(view.edit_requested) as edit:
        qtbot.keyClick(view, Qt.Key.Key_E)
    assert edit.args == [2]
    with qtbot.waitSignal(view.delete_requested) as delete:
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert delete.args == [2]
    with qtbot.waitSignal(view.copy_requested) as copy:
        qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert copy.args == ["mine"]
    view.setCurrentIndex(model.index(0))
    with qtbot.assertNotEmitted(view.edit_requested), qtbot.assertNotEmitted(view.delete_requested):
        qtbot.keyClick(view, Qt.Key.Key_E)
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    # The menu key and Shift+F10 open the current row's menu beside its text.
    view.setCurrentIndex(model.index(1))
    text = geometry(view, 1).text
    for key, modifiers in (
        (Qt.Key.Key_Menu, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier),
    ):
        with qtbot.waitSignal(view.customContextMenuRequested) as menu:
            if key == Qt.Key.Key_Menu:
                QApplication.sendEvent(
                    view,
                    QContextMenuEvent(
                        QContextMenuEvent.Reason.Keyboard,
                        QPoint(1, 1),
                        view.mapToGlobal(QPoint(1, 1)),
                    ),
                )
            else:
                qtbot.keyClick(view, key, modifiers)
        assert text.adjusted(-1, 0, 0, 0).contains(menu.args[0])
    # Tab goes from the list into the toolbar's buttons.
    assert view.actions_bar.buttons["copy"].focusPolicy() & Qt.FocusPolicy.TabFocus


def test_the_current_row_shows_a_focus_ring(qtbot: QtBot, view: MessageView) -> None:
    model = show(qtbot, view, message(1, text="one"), message(2, author=ME, text="two"))
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    view.setCurrentIndex(model.index(0))
    g = geometry(view, 0)
    image = painted(view)
    ring = QRect(g.message.left(), g.message.top() + g.message.height() // 2, 3, 1)
    assert has_colour(image, ring, QColor(tokens().focus), 60)


# ------------------------------------------------------------------- Show more


def test_a_long_message_is_collapsed_and_show_more_expands_it(
    qtbot: QtBot, view: MessageView
) -> None:
    model = show(qtbot, view, message(1, text=LONG), message(2, author=ME, text="short"))
    index = model.index(0)
    g = geometry(view, 0)
    assert g.toggle is not None
    assert not g.expanded
    line = view._delegate.line_height()
    assert g.text.height() == Size.COLLAPSE_LINES * line
    assert g.full_text_height >= 60 * line - 2
    collapsed = view.visualRect(index).height()
    view.scrollTo(index, view.ScrollHint.PositionAtTop)
    g = geometry(view, 0)
    assert g.toggle is not None
    image = painted(view)
    assert has_colour(image, g.toggle, QColor(tokens().link), 60), "Show more is painted"
    click(view, g.toggle.center())
    qtbot.waitUntil(lambda: view.visualRect(index).height() > collapsed)
    expanded = geometry(view, 0)
    assert expanded.expanded
    assert expanded.text.height() == expanded.full_text_height
    assert view.visualRect(index).height() - collapsed >= (60 - Size.COLLAPSE_LINES - 1) * line
    # Enter on the current row collapses it again ("Show less"), and expands it.
    view.setFocus()
    view.setCurrentIndex(index)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.visualRect(index).height() == collapsed)
    qtbot.keyClick(view, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: view.visualRect(index).height() > collapsed)


def test_a_short_message_has_no_show_more(qtbot: QtBot, view: MessageView) -> None:
    text = "\n".join(f"line {n}" for n in range(Size.COLLAPSE_LINES))
    show(qtbot, view, message(1, text=text))
    g = geometry(view, 0)
    assert g.toggle is None
    assert g.text.height() == g.full_text_height


# --------------------------------------------------------------- New messages


def test_the_new_messages_divider_is_painted_above_the_first_unread(
    qtbot: QtBot, view: MessageView
) -> None:
    rows = [message(n, text=f"message {n}") for n in range(1, 6)]
    model = show(qtbot, view, *rows)
    before = view.visualRect(model.index(3)).height()
    assert model.first_unread_of(2) == 4
    model.set_first_unread(4)
    qtbot.waitUntil(lambda: view.visualRect(model.index(3)).height() > before)
    assert model.shows_header(3), "the first unread starts a group of its own"
    g = geometry(view, 3)
    assert g.unread is not None
    assert g.unread.bottom() < g.message.top()
    image = painted(view)
    danger = QColor(tokens().danger)
    line = QRect(g.unread.left(), g.unread.center().y() - 1, g.unread.width() // 2, 3)
    assert has_colour(image, line, danger, 30), "a danger-coloured line"
    assert has_colour(image, g.unread, danger, 30)
    for row in (0, 1, 2, 4):
        assert geometry(view, row).unread is None
    model.set_first_unread(None)  # the room was left
    qtbot.waitUntil(lambda: geometry(view, 3).unread is None)


def test_the_jump_to_the_first_unread_is_offered_only_while_it_was_never_seen(
    qtbot: QtBot, view: MessageView
) -> None:
    """Opened with the divider out of sight: "↑ N unread messages", N as counted when
    the room was opened. Opened with it on screen, then followed while more arrive (the
    divider scrolls away and its row is let go): nothing to offer, those were read."""
    model = show(qtbot, view, *(message(n) for n in range(1, 101)))
    qtbot.waitUntil(view.at_bottom)
    assert model.row_of(20) is None  # opening kept only the rows that fill the view
    model.set_first_unread(20, 81)
    qtbot.waitUntil(view.unread_button.isVisible)
    assert view.unread_button.text() == "↑ 81 unread messages"

    model = show(qtbot, view, *(message(n) for n in range(1, 11)))
    model.set_first_unread(8, 3)
    qtbot.waitUntil(lambda: view.visualRect(model.index(7)).intersects(view.viewport().rect()))
    assert not view.unread_button.isVisible()
    model.add([message(11)])
    with qtbot.waitSignal(model.batch_inserted, timeout=2000):
        model.add([message(n, author=ME if n % 2 else BOB) for n in range(12, 200)])
    qtbot.waitUntil(lambda: model.row_of(8) is None and view.at_bottom())
    assert not view.unread_button.isVisible()


def test_a_new_day_is_above_the_new_messages_divider(qtbot: QtBot, view: MessageView) -> None:
    """When the first unread also starts a day, "Today" comes first and "New messages"
    touches the message it points at, as in Slack and Element."""
    yesterday = message(1, text="yesterday", at=NOON - timedelta(days=1))
    model = show(qtbot, view, yesterday, message(2, text="today"))
    before = view.visualRect(model.index(1)).height()
    model.set_first_unread(2)
    qtbot.waitUntil(lambda: view.visualRect(model.index(1)).height() > before)
    g = geometry(view, 1)
    assert g.day is not None
    assert g.unread is not None
    assert g.day.bottom() < g.unread.top()
    assert g.unread.bottom() < g.message.top()


# ----------------------------------------------------------------- empty room


def test_an_empty_room_invites_the_first_message(qtbot: QtBot, view: MessageView) -> None:
    model = show(qtbot, view, room="design")
    assert view.empty_text() is None  # history may still come
    blank = painted(view)
    model.has_older = False  # caught up: nothing was ever said here
    text = view.empty_text()
    assert text is not None
    assert "This is the start of #design" in text
    surface = QColor(tokens().surface)
    middle = QRect(0, view.viewport().height() // 2 - 40, view.viewport().width(), 80)
    qtbot.waitUntil(lambda: inked(painted(view), middle, surface))
    image = painted(view)
    assert image != blank
    assert has_colour(image, middle, QColor(tokens().text_muted), 60)
    # Centred: as much blank on the left of the text as on its right.
    columns = [
        x
        for x in range(image.width())
        if any(
            image.pixelColor(x, y).rgb() != surface.rgb()
            for y in range(middle.top(), middle.bottom())
        )
    ]
    left, right = columns[0], image.width() - 1 - columns[-1]
    assert abs(left - right) <= 16
    model.add([message(1, text="hello")])
    model.flush()
    assert view.empty_text() is None


# ------------------------------------------------------------ short rooms


def bottom_in_view(view: MessageView, row: int) -> int:
    """Where a row ends, in the view's own coordinates (past any margin)."""
    rect = view.visualRect(view.model().index(row, 0))
    return view.viewport().mapTo(view, rect.bottomLeft()).y()


def newest_at_bottom(view: MessageView) -> bool:
    """Whether the newest row ends at the bottom of the view."""
    last = view.model().rowCount() - 1
    return abs(bottom_in_view(view, last) - view.contentsRect().bottom()) <= 1


def test_a_short_room_sits_at_the_bottom_next_to_the_composer(
    qtbot: QtBot, view: MessageView
) -> None:
    """As in every chat app: the few messages of a new room are just above the composer,
    with the space above them, and the next one pushes them up."""
    model = show(qtbot, view, message(1, text="hello"), message(2, text="anyone here?"))
    bottom = view.contentsRect().bottom()
    qtbot.waitUntil(lambda: abs(bottom_in_view(view, 1) - bottom) <= 1)
    first_top = view.viewport().mapTo(view, view.visualRect(model.index(0, 0)).topLeft()).y()
    assert first_top > view.height() // 2  # the space is above, not below
    # What is painted: the space above is the list's own surface, nothing else in it.
    image = view.grab().toImage()
    surface = QColor(tokens().surface)
    inside = view.contentsRect()  # inside the frame
    above = QRect(inside.left(), inside.top(), inside.width(), first_top - 8 - inside.top())
    assert has_colour(image, above, surface, 0)
    assert not inked(image, above, surface)
    model.add([message(3, text="yes, here")])
    model.flush()
    qtbot.waitUntil(lambda: abs(bottom_in_view(view, model.rowCount() - 1) - bottom) <= 1)
    moved_up = view.viewport().mapTo(view, view.visualRect(model.index(0, 0)).topLeft()).y()
    assert moved_up < first_top


def test_a_room_taller_than_the_view_has_no_space_above_and_follows_the_newest(
    qtbot: QtBot, view: MessageView
) -> None:
    model = show(qtbot, view, *(message(n, text=f"line {n}") for n in range(1, 4)))
    qtbot.waitUntil(lambda: view.viewportMargins().top() > 0)
    model.add([message(n, text=f"line {n}") for n in range(4, 60)])
    model.flush()
    qtbot.waitUntil(lambda: view.viewportMargins().top() == 0)
    last = model.rowCount() - 1
    qtbot.waitUntil(lambda: abs(bottom_in_view(view, last) - view.contentsRect().bottom()) <= 1)
    assert view.verticalScrollBar().maximum() > 0
    # A followed room keeps the rows that fill the view: measured on its whole height,
    # not on the viewport shrunk by the space the few rows had above them.
    rows_above = sum(view.visualRect(model.index(r, 0)).height() for r in range(last + 1))
    assert rows_above >= view.contentsRect().height()


def test_growing_the_window_keeps_a_short_room_at_the_bottom(
    qtbot: QtBot, view: MessageView
) -> None:
    show(qtbot, view, message(1, text="hello"))
    view.resize(700, 800)
    qtbot.waitUntil(lambda: abs(bottom_in_view(view, 0) - view.contentsRect().bottom()) <= 1)
    view.resize(700, 300)
    qtbot.waitUntil(lambda: abs(bottom_in_view(view, 0) - view.contentsRect().bottom()) <= 1)


def test_a_message_into_a_short_room_is_not_laid_out_over_and_over(
    qtbot: QtBot, avatars: AvatarCache
) -> None:
    """The space above the rows changes with each message; set before the scroll range
    too, the scroll bar does not flash on and off, each time changing the viewport's
    width and laying the rows out again (8 layouts a message, against 2)."""

    class Counting(MessageView):
        layouts = 0

        def doItemsLayout(self) -> None:  # noqa: N802 - Qt API
            Counting.layouts += 1
            super().doItemsLayout()

    view = Counting(MessageDelegate(avatars))
    view.resize(700, 900)
    qtbot.addWidget(view)
    model = show(qtbot, view, message(1, text="line 1"))
    qtbot.waitUntil(lambda: view.viewportMargins().top() > 0)
    Counting.layouts = 0
    for n in range(2, 12):
        model.add([message(n, text=f"line {n}")])
        model.flush()
        qtbot.waitUntil(lambda: newest_at_bottom(view))
        for _ in range(10):  # run the layouts Qt put off (100 ms after a resize) now
            view.executeDelayedItemsLayout()
            QApplication.processEvents()
    assert Counting.layouts <= 3 * 10, Counting.layouts
    view.setModel(None)


def test_the_jump_to_unread_stays_at_the_top_of_a_short_room(
    qtbot: QtBot, view: MessageView
) -> None:
    """Its rows trimmed to fewer than fill the view (its first unread one not loaded):
    the button sits at the list's top, not on the space above the rows."""
    model = show(qtbot, view, *(message(n, text=f"line {n}") for n in range(50, 53)))
    qtbot.waitUntil(lambda: view.viewportMargins().top() > 0)
    model.set_first_unread(20, 33)  # older than the rows kept
    qtbot.waitUntil(view.unread_button.isVisible)
    assert view.unread_button.geometry().top() <= view.contentsRect().top() + 12


def test_a_new_message_after_a_jump_in_a_short_room_just_shows(
    qtbot: QtBot, view: MessageView
) -> None:
    """A quote or a search result flashed in a room whose rows all fit: nothing was
    scrolled away, so the next message shows at the bottom with no "1 new message ↓"."""
    model = show(qtbot, view, *(message(n, text=f"line {n}") for n in range(1, 4)))
    qtbot.waitUntil(lambda: newest_at_bottom(view))
    assert view.flash_message(1)
    model.add([message(4, text="line 4")])
    model.flush()
    qtbot.waitUntil(lambda: newest_at_bottom(view))
    assert not view.jump_button.isVisible()
    assert view.flashed_message_id == 1


def test_an_empty_room_has_no_space_above_its_invitation(qtbot: QtBot, view: MessageView) -> None:
    model = show(qtbot, view, room="design")
    model.has_older = False
    assert view.empty_text() is not None
    assert view.viewportMargins().top() == 0  # the invitation is centred in the whole view


# -------------------------------------------------------------- readable column


def test_a_wide_view_keeps_the_text_column_capped(qtbot: QtBot, view: MessageView) -> None:
    view.resize(1920, 600)
    show(qtbot, view, message(1, text="word " * 400))
    g = geometry(view, 0)
    assert g.text.width() <= Size.TEXT_COLUMN
    assert g.column.width() <= message_style.COLUMN_MAX
    image = painted(view)
    surface = QColor(tokens().surface)
    below_avatar = g.text.top() + Size.AVATAR + 4  # text lines only
    inked_columns = [
        x
        for x in range(image.width())
        if any(
            image.pixelColor(x, y).rgb() != surface.rgb()
            for y in range(below_avatar, below_avatar + 3 * view.fontMetrics().height())
        )
    ]
    assert inked_columns, "the text is painted"
    assert inked_columns[-1] - inked_columns[0] <= Size.TEXT_COLUMN
    # At the left, where the header's title and the composer start.
    assert g.column.left() == message_style.EDGE


def test_the_hovered_message_stays_hovered_when_older_history_arrives(
    qtbot: QtBot, view: MessageView
) -> None:
    model = show(qtbot, view, *(message(n, text=f"message {n}") for n in range(10, 14)))
    move_to(view, geometry(view, 1).text.center())
    assert view.hovered_index().data(Roles.ROW).id == 11
    model.prepend([message(n) for n in range(1, 10)], has_more=False)  # scrolled to the top
    assert view.hovered_index().data(Roles.ROW).id == 11
    assert view.hovered_index().row() == 10
    assert view._delegate._hovered(model.index(10))
    assert not view._delegate._hovered(model.index(1))


def test_when_rows_move_under_a_still_pointer_the_row_now_under_it_is_hovered(
    qtbot: QtBot, view: MessageView
) -> None:
    """A message arrives and the list scrolls to it while the pointer rests on one row:
    the hover background and the toolbar go to the row that is under the pointer now,
    not with the row they were on (the toolbar was left over a message the pointer had
    long left)."""
    view.resize(600, 400)
    model = show(qtbot, view, *(message(n, text=f"message {n}") for n in range(1, 40)))
    qtbot.waitUntil(view.at_bottom)
    point = geometry(view, model.rowCount() - 3).text.center()
    qtbot.mouseMove(view.viewport(), point)  # a real pointer: Qt's cursor, enter events
    qtbot.waitUntil(lambda: view.hovered_index().row() == model.rowCount() - 3)
    before = view.hovered_index().data(Roles.ROW).id
    model.add([message(n, text=f"new message {n}") for n in range(40, 43)])
    qtbot.waitUntil(lambda: model.rowCount() == 42)
    qtbot.waitUntil(view.at_bottom)
    under = view.indexAt(point)
    assert under.data(Roles.ROW).id != before  # the rows moved under the pointer
    assert view.hovered_index().row() == under.row()
    assert view.actions_bar.isVisible()
    bar_row = view.indexAt(view.actions_bar.geometry().center())
    assert abs(bar_row.row() - under.row()) <= 1  # on its row (or half over the one above)


def test_scrolled_up_only_others_messages_count_as_new(qtbot: QtBot, view: MessageView) -> None:
    """Scrolled up to read: Bob's message arrives, "1 new message ↓"; your own (sent while
    offline, delivered now) arrives and the count stays at 1, as it is no news to you."""
    view.resize(600, 300)
    model = show(qtbot, view, *(message(n, text=f"message {n}") for n in range(1, 40)))
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() > 0)
    view.verticalScrollBar().setValue(0)
    assert not view.at_bottom()
    model.add([message(40, author=ME, text="sent while offline")])
    qtbot.waitUntil(lambda: model.rowCount() == 40)
    assert not view.jump_button.isVisible()
    model.add([message(41, text="from Bob")])
    qtbot.waitUntil(lambda: model.rowCount() == 41)
    assert view.jump_button.isVisible()
    assert view.jump_button.text() == "1 new message ↓"
    model.add([message(42, author=ME, text="mine again"), message(43, text="Bob again")])
    qtbot.waitUntil(lambda: model.rowCount() == 43)
    assert view.jump_button.text() == "2 new messages ↓"


@pytest.mark.usefixtures("restore_theme")
def test_a_new_message_is_the_only_row_measured_again(
    qtbot: QtBot, view: MessageView, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Layout and paint measure a row's text at one width, so an arriving message costs
    one text layout, not one per row on screen.

    QListView asks ``sizeHint`` with bounds narrower than the rows it paints (it keeps room
    for a scroll bar of the style's width): measured at one width and painted at the other,
    every visible row was laid out twice more on each insert, with markup ones re-parsed.
    """
    history = [
        message(n, text=f"**bold** message {n} with a https://example.org/{n} link")
        for n in range(1, 200)
    ]
    theme.apply("light")  # the app's style sheet: its slim scroll bar
    model = show(qtbot, view, *history)
    assert view.verticalScrollBar().isVisible()
    qtbot.waitUntil(view.at_bottom)
    view.viewport().repaint()
    measured: list[int] = []
    delegate = view._delegate
    original = delegate._measure

    def counting(model: object, record: Message, width: int, option: object) -> tuple[int, int]:
        measured.append(record.id)
        return original(model, record, width, option)  # type: ignore[arg-type]

    monkeypatch.setattr(delegate, "_measure", counting)
    model.add([message(200, text="the **newest** one")])
    model.flush()
    newest = model.index(model.rowCount() - 1)
    qtbot.waitUntil(lambda: view.visualRect(newest).intersects(view.viewport().rect()))
    view.viewport().repaint()
    assert measured == [200]
    painted = geometry(view, model.rowCount() - 1).row.height()
    assert painted == view.visualRect(newest).height()  # painted as tall as laid out


def test_a_followed_burst_is_laid_out_newest_first_before_it_is_inserted(
    qtbot: QtBot, view: MessageView, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst's frame: its newest rows (a screen's worth, not the whole burst) are laid
    out a pass before they are inserted, and then shown at the bottom. A view scrolled up
    lays out none of them: they are not on screen."""
    model = show(qtbot, view, *(message(n) for n in range(1, 60)))
    qtbot.waitUntil(view.at_bottom)
    prepared: list[tuple[int, int]] = []
    original = view._delegate.prepare

    def recording(model_: MessageListModel, record: Message, option: object) -> int:
        prepared.append((record.id, model.rowCount()))
        return original(model_, record, option)  # type: ignore[arg-type]

    monkeypatch.setattr(view._delegate, "prepare", recording)
    model.add([message(60)])  # after a quiet frame: inserted at once
    rows_before = model.rowCount()
    with qtbot.waitSignal(model.batch_inserted, timeout=2000):
        model.add([message(n) for n in range(61, 261)])
    ids = [record_id for record_id, _ in prepared]
    assert ids[0] == 260
    assert ids == sorted(ids, reverse=True)
    assert 3 <= len(ids) < 100
    assert {rows for _, rows in prepared} == {rows_before}  # none of the burst was a row yet
    newest = model.index(model.rowCount() - 1)
    assert newest.data(Roles.ROW).id == 260
    qtbot.waitUntil(lambda: view.visualRect(newest).intersects(view.viewport().rect()))

    prepared.clear()
    view.verticalScrollBar().setValue(0)  # reading older messages
    qtbot.waitUntil(lambda: not view.at_bottom())
    model.add([message(261)])
    with qtbot.waitSignal(model.batch_inserted, timeout=2000):
        model.add([message(n) for n in range(262, 300)])
    assert prepared == []


@pytest.mark.usefixtures("restore_theme")
def test_the_actions_icons_are_drawn_when_first_shown_and_follow_the_theme(
    qtbot: QtBot, view: MessageView
) -> None:
    """The bar starts hidden, so its icons wait for its first showing; a theme changed
    while it is shown repaints them in the new colours."""
    bar = view.actions_bar
    assert all(b.icon().isNull() for b in bar.buttons.values())  # nothing drawn at start
    theme.apply("light")
    show(qtbot, view, message(1, author=ME, text="mine"))
    move_to(view, geometry(view, 0).text.center())
    qtbot.waitUntil(bar.isVisible)
    copy = bar.buttons["copy"]
    assert not copy.icon().isNull()
    light = copy.icon().pixmap(16, 16).toImage()
    theme.apply("dark")
    qtbot.waitUntil(lambda: copy.icon().pixmap(16, 16).toImage() != light)
