"""Rows copied from their pixmaps look exactly as rows painted afresh, and change when they do.

A real :class:`MessageView` with the real delegate and model, shown offscreen. Every check
compares what the viewport shows (``grab()``) with the row images on and off: the cache may
only make painting cheaper, never change a pixel.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFont, QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Message, Reaction, ReplyQuote
from desktopchat.ui import theme
from desktopchat.ui.avatars import AvatarCache
from desktopchat.ui.message_delegate import MessageDelegate
from desktopchat.ui.message_model import MessageListModel
from desktopchat.ui.message_view import MessageView
from desktopchat.ui.row_images import RowImages
from tests.ui.conftest import BOB, ME, QT_CLEAN, message
from tests.ui.test_message_view import LONG, move_to

pytestmark = QT_CLEAN


def conversation() -> list[Message]:
    """Every kind of row a room shows without files, from two people."""
    quote = ReplyQuote(1, BOB, "hello **all**", False)
    return [
        message(1, text="hello **all** — plain and `code`"),
        message(2, text="```\ndef f(x):\n    return x * 2\n```"),
        message(3, author=ME, text="> a quote\n- one\n- two\nhttps://example.com"),
        message(4, text="@Alice can you look?"),
        dataclasses.replace(message(5, author=ME, text="on it"), reply_to=quote),
        dataclasses.replace(message(6, text="shipped :tada:"), reactions=(Reaction("🎉", (1, 2)),)),
        message(7, text="fixed the typo", edited=True),
        message(8, text="gone", deleted=True),
        message(9, text=LONG),
        message(10, text="the newest one"),
    ]


@pytest.fixture
def view(qtbot: QtBot, avatars: AvatarCache) -> Iterator[MessageView]:
    widget = MessageView(MessageDelegate(avatars))
    widget.setObjectName("messages")
    widget.resize(760, 900)
    qtbot.addWidget(widget)
    yield widget
    widget.setModel(None)


def shown(qtbot: QtBot, view: MessageView) -> MessageListModel:
    model = MessageListModel("general", ME.id, view, own_name=ME.display_name)
    model.add(conversation())
    model.flush()
    model.set_first_unread(4)  # "New messages" above a mention of the reader
    view.setModel(model)
    view.show()
    qtbot.waitExposed(view)
    last = model.index(model.rowCount() - 1)
    qtbot.waitUntil(lambda: view.visualRect(last).height() > 0)
    return model


def delegate_of(view: MessageView) -> MessageDelegate:
    delegate = view.itemDelegate()
    assert isinstance(delegate, MessageDelegate)
    return delegate


def grab(view: MessageView) -> QImage:
    """The viewport as painted now (a real paint event)."""
    return view.viewport().grab().toImage()


def painted_afresh(view: MessageView) -> QImage:
    """The viewport with every row painted directly, as before there were row images."""
    delegate = delegate_of(view)
    delegate.cache_rows = False
    try:
        return grab(view)
    finally:
        delegate.cache_rows = True


def largest_difference(a: QImage, b: QImage) -> int:
    """The largest difference of one colour channel between two images of one size."""
    assert (a.size(), a.format()) == (b.size(), b.format())
    first, second = bytes(a.constBits()), bytes(b.constBits())
    if first == second:
        return 0
    return max(abs(x - y) for x, y in zip(first, second, strict=True))


def assert_same(view: MessageView) -> None:
    """Painted, painted into images and copied, copied again, painted afresh: one picture.

    Copies are exact; against painting afresh, the "Show more" fade may differ by one step
    of one channel, since Qt rounds a gradient's colour by where on the device it falls.
    """
    grab(view)  # rows not painted this way before are painted directly, and remembered
    kept = grab(view)  # painted a second time the same way: into images, then copied
    copied = grab(view)  # every row copied from its image
    assert copied == kept
    assert largest_difference(copied, painted_afresh(view)) <= 1


@pytest.mark.parametrize(("scheme", "then"), [("light", "dark"), ("dark", "light")])
def test_rows_from_their_images_are_the_rows_painted_afresh_in_either_theme(
    qtbot: QtBot, view: MessageView, restore_theme: None, scheme: str, then: str
) -> None:
    """Then the theme is switched: no row keeps its image in the old colours."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(scheme)
    view.setPalette(app.palette())
    shown(qtbot, view)
    before = grab(view)
    assert_same(view)
    assert len(delegate_of(view)._row_images) > 5  # the rows on screen were kept
    theme.apply(then)
    view.setPalette(app.palette())
    assert grab(view) != before
    assert_same(view)


def test_hover_selection_flash_and_scrolling_show_what_painting_afresh_shows(
    qtbot: QtBot, view: MessageView
) -> None:
    model = shown(qtbot, view)
    assert_same(view)
    move_to(view, view.visualRect(model.index(6)).center())  # the time and the tint
    qtbot.waitUntil(lambda: view._delegate.hover.row() == 6)
    assert_same(view)
    view.setFocus()
    view.setCurrentIndex(model.index(3))  # selected with the focus ring
    assert_same(view)
    view.verticalScrollBar().setValue(view.verticalScrollBar().value() - 137)
    assert_same(view)
    view.clearSelection()
    assert view.flash_message(5)  # a jump to a reply's original tints it for a moment
    assert view.flashed_message_id == 5
    assert_same(view)
    view._flash_timer.timeout.emit()  # the moment is over (not waited for: 1.6 s)
    assert view.flashed_message_id is None
    assert_same(view)


@pytest.mark.parametrize("width", [150, 120])
def test_in_a_narrow_view_what_reaches_past_the_column_is_copied_too(
    qtbot: QtBot, view: MessageView, width: int
) -> None:
    """The day label, "New messages" and the text's minimum width reach past the readable
    column when the view is narrow: the images hold the whole row."""
    view.resize(width, 900)
    shown(qtbot, view)
    assert_same(view)
    assert len(delegate_of(view)._row_images) > 0


def test_the_list_asks_for_grey_antialiased_text_as_its_images_get(view: MessageView) -> None:
    """Qt antialiases text in an image in grey only; painted directly on a subpixel desktop
    it would be coloured, and a row would change look once copied."""
    assert view.font().styleStrategy() & QFont.StyleStrategy.NoSubpixelAntialias


def test_a_changed_row_is_painted_again_not_copied(qtbot: QtBot, view: MessageView) -> None:
    """An edit, a reaction, "Show more" and a new row below: each row shows its new look."""
    model = shown(qtbot, view)
    before = grab(view)
    model.replace(dataclasses.replace(conversation()[9], text="edited to say more", edited_at=None))
    assert grab(view) != before
    assert_same(view)
    model.replace(dataclasses.replace(conversation()[0], reactions=(Reaction("👍", (2,)),)))
    assert_same(view)
    view._delegate.toggle_expanded(model.index(8))
    view.scheduleDelayedItemsLayout()
    qtbot.waitUntil(lambda: grab(view) != before)
    assert_same(view)
    model.add([message(11, text="one more, below")])
    model.flush()
    assert_same(view)


def test_an_avatar_arriving_drops_every_row_image(
    qtbot: QtBot, view: MessageView, avatars: AvatarCache
) -> None:
    shown(qtbot, view)
    grab(view)
    grab(view)
    assert len(delegate_of(view)._row_images) > 0
    avatars.updated.emit()
    assert len(delegate_of(view)._row_images) == 0


def test_a_row_already_painted_is_copied_not_painted_again(
    qtbot: QtBot, view: MessageView, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the images are for: a repaint (a new message scrolls every row up) draws only
    rows not seen before."""
    model = shown(qtbot, view)
    grab(view)
    grab(view)  # seen twice: kept
    painted: list[int] = []
    real = MessageDelegate._paint_row

    def counting(self: MessageDelegate, painter: object, option: object, index: object) -> None:
        painted.append(index.row())  # type: ignore[attr-defined]
        real(self, painter, option, index)  # type: ignore[arg-type]

    monkeypatch.setattr(MessageDelegate, "_paint_row", counting)
    grab(view)
    assert painted == []
    model.add([message(11, text="a new message scrolls the others up")])
    model.flush()
    qtbot.waitUntil(lambda: view.visualRect(model.index(10)).height() > 0)
    grab(view)
    assert painted == [10]  # once directly: a row is kept the second time it is painted


def test_the_images_stay_within_their_pixel_budget(qtbot: QtBot) -> None:
    images = RowImages(pixel_budget=100 * 100 * 3)
    records = [object() for _ in range(5)]
    for record in records:
        images.put(record, ("facts",), QPixmap(100, 100))
    assert len(images) == 3
    assert images.pixels == 30_000
    assert images.get(records[0], ("facts",)) is None  # the oldest went first
    assert images.get(records[4], ("facts",)) is not None
    assert images.get(records[4], ("other facts",)) is None
    images.put(records[4], ("facts",), QPixmap(1000, 1000))  # bigger than the budget
    assert images.get(records[4], ("facts",)) is None
    assert images.pixels == 20_000


def test_a_row_is_worth_keeping_the_second_time_it_is_painted_the_same_way() -> None:
    """A burst paints each new row once: those are never copied into images."""
    images = RowImages()
    record = object()
    assert not images.worth_keeping(record, ("hovered",))
    assert not images.worth_keeping(record, ("not hovered",))  # another look: first time
    assert images.worth_keeping(record, ("not hovered",))
    assert not images.worth_keeping(object(), ("not hovered",))


@pytest.mark.parametrize(("ratio", "kept"), [(1.0, 1), (1.25, 0), (1.5, 0), (2.0, 1)])
def test_rows_are_kept_only_at_whole_pixel_ratios(
    qtbot: QtBot, avatars: AvatarCache, ratio: float, kept: int
) -> None:
    """At 125% or 150% a row starts between device pixels: a copy would be resampled
    (blurred text), so such rows are painted every time."""
    delegate = MessageDelegate(avatars)
    model = MessageListModel("general", ME.id)
    model.add([message(1, text="hello")])
    model.flush()
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 600, 80)
    option.font = QFont()
    option.palette = QGuiApplication.palette()
    device = QImage(int(600 * ratio), int(80 * ratio), QImage.Format.Format_ARGB32_Premultiplied)
    device.setDevicePixelRatio(ratio)
    for _ in range(3):
        painter = QPainter(device)
        delegate.paint(painter, option, model.index(0))
        painter.end()
    assert len(delegate._row_images) == kept
