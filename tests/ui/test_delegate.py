"""The message delegate: row heights (cached), painting every kind of row, links under the mouse.

The delegate is driven the way QListView drives it — ``sizeHint`` and ``paint`` with a
style option and a model index — against the real model, painting into a QImage.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QObject, QPoint, QRect, QSize
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Message
from desktopchat.client.outbox import OutboxItem, OutboxState
from desktopchat.ui import markup, message_delegate, message_style, theme
from desktopchat.ui.avatars import SIZE as AVATAR
from desktopchat.ui.avatars import AvatarCache
from desktopchat.ui.message_delegate import DAY_HEIGHT, DOC_CACHE, PAD, MessageDelegate
from desktopchat.ui.message_model import MessageListModel, Roles
from tests.ui.conftest import ME, NOON, QT_CLEAN, message, outbox_item

pytestmark = QT_CLEAN

WIDTH = 420


@pytest.fixture
def delegate(qtbot: QtBot, avatars: AvatarCache) -> MessageDelegate:
    return MessageDelegate(avatars)


def option(width: int = WIDTH, top: int = 0, height: int = 100) -> QStyleOptionViewItem:
    """What QListView hands the delegate: the row's rect, the font and palette."""
    result = QStyleOptionViewItem()
    result.rect = QRect(0, top, width, height)
    result.font = QFont()
    result.palette = QGuiApplication.palette()
    return result


def model_of(*rows: Message | OutboxItem) -> MessageListModel:
    """A model holding ``rows`` (messages first, in the order given, then outbox items)."""
    model = MessageListModel("general", ME.id)
    model.add([r for r in rows if isinstance(r, Message)])
    model.flush()
    for row in rows:
        if isinstance(row, OutboxItem):
            model.set_outbox_item(row)
    return model


def height(delegate: MessageDelegate, index: QModelIndex, width: int = WIDTH) -> int:
    hint = delegate.sizeHint(option(width), index)
    assert hint.width() == width
    return hint.height()


#: One row of every kind the window shows.
KINDS: dict[str, Callable[[], Message | OutboxItem]] = {
    "plain": lambda: message(1, text="just text"),
    "rich": lambda: message(1, text="**bold** `code` _it_ https://example.com :tada:"),
    "code block": lambda: message(1, text="```\n<b>x</b>\n  indented\n```"),
    "edited": lambda: message(1, text="fixed the typo", edited=True),
    "deleted": lambda: message(1, text="gone", deleted=True),
    "hostile": lambda: message(1, text="<script>alert(1)</script><b>x</b>"),
    "own": lambda: message(1, text="mine", author=ME),
    "pending": lambda: outbox_item("dc-1", "waiting"),
    "sending": lambda: outbox_item("dc-1", "on its way", OutboxState.SENDING),
    "failed": lambda: outbox_item("dc-1", "refused", OutboxState.FAILED, error="too large"),
}


# -------------------------------------------------------------------------- size hints


@pytest.mark.parametrize("width", [10, 420, 1920])
@pytest.mark.parametrize("kind", [*KINDS, "long"])
def test_the_size_hint_is_the_height_of_the_painted_layout(
    qtbot: QtBot, delegate: MessageDelegate, kind: str, width: int
) -> None:
    """sizeHint does the geometry's sums without its rectangles: they must agree."""
    record = message(1, text="line\n" * 60) if kind == "long" else KINDS[kind]()
    model = model_of(record, message(5, text="grouped below, or after the outbox"))
    model.set_first_unread(1)  # the divider, a day and a header above row 0
    for row in range(model.rowCount()):
        index = model.index(row)
        assert (
            height(delegate, index, width) == delegate.geometry(option(width), index).row.height()
        )
    if kind == "long":
        index = model.index(0)
        delegate.toggle_expanded(index)
        assert (
            height(delegate, index, width) == delegate.geometry(option(width), index).row.height()
        )


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_row_has_a_positive_height(
    qtbot: QtBot, delegate: MessageDelegate, kind: str
) -> None:
    model = model_of(KINDS[kind]())
    assert height(delegate, model.index(0)) >= PAD + QFontMetrics(QFont()).height()


def test_heights_are_cached_per_row_and_width(
    qtbot: QtBot, delegate: MessageDelegate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second pass over the rows computes nothing: no text form, no rich layout; and a
    row's text form is made once, whatever the widths it is measured at."""
    bodies: list[object] = []
    documents: list[QTextDocument] = []
    layouts: list[QTextDocument] = []
    real_body = MessageDelegate._body

    def counting_body(
        record: Message | OutboxItem, marked: tuple[str, ...] = ()
    ) -> tuple[str, bool]:
        bodies.append(record)
        return real_body(record, marked)

    class CountingDocument(QTextDocument):
        """The delegate's template document: rich rows are laid out in its clones."""

        def __init__(self) -> None:
            super().__init__()
            documents.append(self)

        def clone(self, parent: QObject | None = None) -> QTextDocument:
            copy = super().clone(parent)
            layouts.append(copy)
            return copy

    monkeypatch.setattr(MessageDelegate, "_body", staticmethod(counting_body))
    monkeypatch.setattr(message_delegate, "QTextDocument", CountingDocument)
    rows = [
        message(1, text="plain"),
        message(2, text="**rich** https://example.com"),
        message(3, text="edited", edited=True),
        outbox_item("dc-1", "pending"),
    ]
    model = model_of(*rows)
    first = [height(delegate, model.index(r)) for r in range(model.rowCount())]
    assert len(bodies) == 4
    assert len(layouts) == 2  # the rich and the edited message; plain text needs none
    assert len(documents) == 1  # one template: the style sheet is parsed once
    second = [height(delegate, model.index(r)) for r in range(model.rowCount())]
    assert second == first
    assert len(bodies) == 4
    assert len(layouts) == 2
    # Another width is another layout (the view was resized), of the same text forms...
    narrow = [height(delegate, model.index(r), width=200) for r in range(model.rowCount())]
    assert len(bodies) == 4
    assert len(layouts) == 4
    assert len(documents) == 1
    # ...and both stay cached.
    assert [height(delegate, model.index(r), width=200) for r in range(4)] == narrow
    assert len(bodies) == 4
    assert len(layouts) == 4


def test_a_rich_row_is_painted_from_the_document_it_was_measured_in(
    qtbot: QtBot, delegate: MessageDelegate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Measuring lays a rich row out once; painting it (twice) lays out nothing more."""
    documents: list[QTextDocument] = []
    layouts: list[QTextDocument] = []
    bodies: list[object] = []
    real_body = MessageDelegate._body

    class CountingDocument(QTextDocument):
        def __init__(self) -> None:
            super().__init__()
            documents.append(self)

        def clone(self, parent: QObject | None = None) -> QTextDocument:
            copy = super().clone(parent)
            layouts.append(copy)
            return copy

    def counting_body(
        record: Message | OutboxItem, marked: tuple[str, ...] = ()
    ) -> tuple[str, bool]:
        bodies.append(record)
        return real_body(record, marked)

    monkeypatch.setattr(message_delegate, "QTextDocument", CountingDocument)
    monkeypatch.setattr(MessageDelegate, "_body", staticmethod(counting_body))
    model = model_of(message(1, text="**rich** text"))
    hint = height(delegate, model.index(0))
    assert (len(documents), len(layouts), len(bodies)) == (1, 1, 1)  # template, row, HTML
    paint(delegate, model.index(0), hint)
    paint(delegate, model.index(0), hint)
    assert (len(documents), len(layouts), len(bodies)) == (1, 1, 1)


def test_an_edit_changes_the_cached_height(qtbot: QtBot, delegate: MessageDelegate) -> None:
    model = model_of(message(1, text="short"))
    short = height(delegate, model.index(0))
    model.replace(message(1, text="\n".join(["a much longer text now"] * 6), edited=True))
    assert height(delegate, model.index(0)) > short


def test_multi_line_and_long_text_is_taller(qtbot: QtBot, delegate: MessageDelegate) -> None:
    one_line = height(delegate, model_of(message(1, text="one line")).index(0))
    three_lines = height(delegate, model_of(message(2, text="one\ntwo\nthree")).index(0))
    six_lines = height(delegate, model_of(message(3, text="1\n2\n3\n4\n5\n6")).index(0))
    long_text = height(delegate, model_of(message(4, text="word " * 300)).index(0))
    rich_lines = height(delegate, model_of(message(5, text="**a**\n**b**\n**c**\n**d**")).index(0))
    line = QFontMetrics(QFont()).lineSpacing()
    assert one_line < three_lines < six_lines < long_text
    assert six_lines - three_lines >= 3 * line - 3
    assert rich_lines > one_line + 2 * line


def test_rooms_do_not_share_cached_rows(qtbot: QtBot, delegate: MessageDelegate) -> None:
    """Ids restart at 1 in every room, and one delegate draws whichever room is shown."""
    general = model_of(message(1, room="general", text="https://general.example/x"))
    random = model_of(message(1, room="random", text="https://random.example/y\nwith\nmore\nlines"))
    style = option(WIDTH, 0, 200)
    text = delegate.geometry(style, general.index(0)).text
    point = QPoint(text.left() + 3, text.top() + 3)
    assert delegate.anchor_at(style, general.index(0), point) == "https://general.example/x"
    general_height = height(delegate, general.index(0))
    # The window switches to #random: its message 1 is another message.
    assert delegate.anchor_at(style, random.index(0), point) == "https://random.example/y"
    assert height(delegate, random.index(0)) > general_height
    plain_general = model_of(message(2, room="general", text="short"))
    plain_random = model_of(message(2, room="random", text="a\nmuch\ntaller\nmessage"))
    assert height(delegate, plain_random.index(0)) > height(delegate, plain_general.index(0))


def test_long_text_is_taller_when_the_view_is_narrower(
    qtbot: QtBot, delegate: MessageDelegate
) -> None:
    model = model_of(message(1, text="word " * 100), message(2, text="**word** " * 100))
    for row in (0, 1):
        assert height(delegate, model.index(row), width=250) > height(
            delegate, model.index(row), width=800
        )


def test_headers_and_day_separators_add_height(qtbot: QtBot, delegate: MessageDelegate) -> None:
    model = model_of(
        message(1, text="x", at=NOON),  # day separator and header
        message(2, text="x", at=NOON + timedelta(minutes=1)),  # grouped: neither
        message(3, text="x", author=ME, at=NOON + timedelta(minutes=2)),  # header only
    )
    assert [model.index(r).data(Roles.SHOW_HEADER) for r in range(3)] == [True, False, True]
    assert model.index(0).data(Roles.DAY) is not None
    day_and_header, bare, header = (height(delegate, model.index(r)) for r in range(3))
    assert bare < header < day_and_header
    assert day_and_header - header == DAY_HEIGHT
    assert header >= AVATAR + PAD  # room for the avatar beside the header


def test_an_outbox_row_is_taller_by_its_state_line(qtbot: QtBot, delegate: MessageDelegate) -> None:
    model = model_of(
        message(1, text="first", author=ME),
        message(2, text="same text", author=ME),  # grouped under the first: no header
        outbox_item("dc-1", "same text"),  # follows your own message: no header either
    )
    assert [model.index(r).data(Roles.SHOW_HEADER) for r in (1, 2)] == [False, False]
    stored, pending = height(delegate, model.index(1)), height(delegate, model.index(2))
    assert pending - stored == delegate.line_height()  # one line: "waiting to send…"


def test_a_failed_row_says_the_whole_reason_and_what_to_do(
    qtbot: QtBot, delegate: MessageDelegate
) -> None:
    """Not 'not sent — Enter to retry (Message t…': the reason wraps, whole, and the row
    grows to hold it; the advice is what actually works (Enter does not retry)."""
    reason = (
        "Message text is over the limit of 8192 bytes (UTF-8, JSON-escaped); "
        "split it into several messages"
    )
    failed = outbox_item("dc-1", "x", OutboxState.FAILED, reason)
    label = message_delegate.state_label(failed)
    assert reason.rstrip(".") in label
    assert "Right-click to retry, edit or discard" in label
    assert "Enter" not in label
    pending = outbox_item("dc-2", "x")
    model = model_of(message(1, text="first", author=ME), failed, pending)
    narrow = 320
    one_line = QFontMetrics(QFont()).height()
    assert height(delegate, model.index(1), narrow) >= height(delegate, model.index(2), narrow)
    assert (
        height(delegate, model.index(1), narrow) - height(delegate, model.index(2), narrow)
        >= 2 * one_line
    )  # the reason takes several lines at this width, all of them shown


# ------------------------------------------------------------------------------ paint


def paint(
    delegate: MessageDelegate,
    index: QModelIndex,
    row_height: int,
    *,
    width: int = WIDTH,
    selected: bool = False,
) -> QImage:
    image = QImage(width, row_height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    style = option(width, 0, row_height)
    if selected:
        style.state |= QStyle.StateFlag.State_Selected
    delegate.paint(painter, style, index)
    painter.end()
    return image


def inked(image: QImage, rect: QRect) -> bool:
    """Whether anything was drawn inside ``rect`` of an image that started white."""
    part = image.copy(rect)
    blank = QImage(part.size(), part.format())
    blank.fill(QColor("white"))
    return part != blank


@pytest.mark.parametrize("selected", [False, True], ids=["normal", "selected"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_row_paints_its_text(
    qtbot: QtBot, delegate: MessageDelegate, kind: str, selected: bool
) -> None:
    model = model_of(KINDS[kind]())
    index = model.index(0)
    row_height = height(delegate, index)
    image = paint(delegate, index, row_height, selected=selected)
    body = text_rect(delegate, index)
    assert body.bottom() < row_height
    assert inked(image, body), f"nothing drawn for the {kind} row's text"


@pytest.mark.parametrize("kind", ["pending", "sending", "failed"])
def test_outbox_rows_paint_their_state_line(
    qtbot: QtBot, delegate: MessageDelegate, kind: str
) -> None:
    model = model_of(message(1, author=ME, text="before"), KINDS[kind]())
    index = model.index(1)
    row_height = height(delegate, index)
    image = paint(delegate, index, row_height)
    state_line = delegate.geometry(option(WIDTH, 0, row_height), index).state
    assert state_line is not None
    assert state_line.bottom() < row_height
    assert state_line.height() >= QFontMetrics(QFont()).height()
    assert inked(image, state_line)


def test_headers_paint_the_avatar_and_name(qtbot: QtBot, delegate: MessageDelegate) -> None:
    model = model_of(message(1, text="x"))
    index = model.index(0)
    image = paint(delegate, index, height(delegate, index))
    g = delegate.geometry(option(WIDTH, 0, image.height()), index)
    assert g.avatar is not None
    assert g.header is not None
    assert g.day is not None
    assert g.avatar.size() == QSize(AVATAR, AVATAR)
    assert inked(image, g.avatar)
    assert inked(image, QRect(g.header.topLeft(), QSize(60, g.header.height())))  # the name
    assert inked(image, g.day)  # the day separator


def test_a_grouped_row_paints_no_header(qtbot: QtBot, delegate: MessageDelegate) -> None:
    model = model_of(message(1, at=NOON), message(2, text="x", at=NOON + timedelta(seconds=5)))
    index = model.index(1)
    image = paint(delegate, index, height(delegate, index))
    g = delegate.geometry(option(WIDTH, 0, image.height()), index)
    assert g.avatar is None
    assert g.header is None
    assert not inked(image, QRect(0, 0, g.text.left() - 2, image.height()))  # no avatar, time


def test_painting_a_row_in_a_tiny_view_does_not_fail(
    qtbot: QtBot, delegate: MessageDelegate
) -> None:
    for make in KINDS.values():
        model = model_of(make())
        index = model.index(0)
        hint = height(delegate, index, width=10)
        image = paint(delegate, index, hint, width=10)
        assert not image.isNull()


# ------------------------------------------------------------------------------ links


def text_rect(
    delegate: MessageDelegate, index: QModelIndex, top: int = 0, width: int = WIDTH
) -> QRect:
    """Where the delegate puts the row's text when the row starts at ``top``."""
    return delegate.geometry(option(width, top, 100), index).text


def x_of(text: str, position: int, width: int = WIDTH) -> float:
    """Where character ``position`` of ``text`` lies on line one, laid out as by the delegate."""
    document = QTextDocument()
    document.setDefaultFont(QFont())
    document.setDocumentMargin(0)
    document.setDefaultStyleSheet(message_style.document_css(theme.colours()))
    document.setHtml(markup.to_html(text))
    document.setTextWidth(MessageDelegate.text_width(width))
    document.size()  # lay out
    layout = document.begin().layout()
    return layout.lineAt(0).cursorToX(position)[0]


def test_anchor_at_names_the_link_under_the_point(qtbot: QtBot, delegate: MessageDelegate) -> None:
    text = "see https://example.com/one and https://example.org/two?x=1 too"
    model = model_of(message(1, text=text))
    index = model.index(0)
    top = 250  # the row lies further down the view: points are in view coordinates
    wide = 800  # all of the text on one line
    style = option(wide, top, height(delegate, index, width=wide))
    body = text_rect(delegate, index, top, width=wide)
    y = body.top() + QFontMetrics(QFont()).height() // 2

    def at(position: int) -> str | None:
        x = round(x_of(text, position, wide)) + 2
        return delegate.anchor_at(style, index, QPoint(body.left() + x, y))

    assert at(text.index("example.com")) == "https://example.com/one"
    assert at(text.index("example.org")) == "https://example.org/two?x=1"
    assert at(1) is None  # "see"
    assert at(text.index("and")) is None
    assert at(text.index("too")) is None
    end = round(x_of(text, len(text), wide)) + 20
    assert delegate.anchor_at(style, index, QPoint(body.left() + end, y)) is None


def test_no_anchor_outside_the_text(qtbot: QtBot, delegate: MessageDelegate) -> None:
    text = "https://example.com/a at the start"
    model = model_of(message(1, text=text))
    index = model.index(0)
    style = option(WIDTH, 0, height(delegate, index))
    g = delegate.geometry(style, index)
    assert g.header is not None
    assert g.day is not None
    x, y = g.text.left() + 3, g.text.top() + 3
    assert delegate.anchor_at(style, index, QPoint(x, y)) == "https://example.com/a"
    assert delegate.anchor_at(style, index, QPoint(x, g.header.top() + 3)) is None  # header
    assert delegate.anchor_at(style, index, QPoint(x, g.day.top() + 3)) is None  # day separator
    assert delegate.anchor_at(style, index, QPoint(g.column.left() + 3, y)) is None  # avatars


def test_rows_without_links_have_no_anchor(qtbot: QtBot, delegate: MessageDelegate) -> None:
    model = model_of(
        message(1, text="plain words"),
        message(2, text="**bold** only"),
        message(3, text="javascript:alert(1) <a href=javascript:alert(2)>_x_</a>"),
        outbox_item("dc-1", "https://example.com/pending"),
    )
    for row in range(model.rowCount()):
        index = model.index(row)
        style = option(WIDTH, 0, height(delegate, index))
        body = text_rect(delegate, index)
        y = body.top() + 3
        for x in range(body.left(), body.right(), 7):
            assert delegate.anchor_at(style, index, QPoint(x, y)) is None, (row, x)


def test_an_edited_message_keeps_its_link(qtbot: QtBot, delegate: MessageDelegate) -> None:
    model = model_of(message(1, text="https://example.com/edited", edited=True))
    index = model.index(0)
    style = option(WIDTH, 0, height(delegate, index))
    body = text_rect(delegate, index)
    point = QPoint(body.left() + 3, body.top() + 3)
    assert delegate.anchor_at(style, index, point) == "https://example.com/edited"


# ------------------------------------------------------------------- long unbroken words

#: 300 characters without a space: a pasted hash, a long URL, a long line of code.
LONG_WORD = "".join(chr(ord("a") + i % 26) for i in range(300))
LONG_TEXTS = {
    "plain word": f"look: {LONG_WORD} there",
    "plain word alone": LONG_WORD,
    "url alone": f"https://example.com/{LONG_WORD}",
    "link": f"see https://example.com/{LONG_WORD} there",
    "bold word": f"**{LONG_WORD}**",
    "code block": f"```\n{LONG_WORD}\n```",
    "edited word": LONG_WORD,
    "pending word": LONG_WORD,
}


def long_row(kind: str) -> Message | OutboxItem:
    text = LONG_TEXTS[kind]
    if kind == "pending word":
        return outbox_item("dc-long", text)
    return message(1, text=text, edited=kind == "edited word")


def painted_extent(image: QImage, left: int) -> tuple[int, int]:
    """``(rightmost x, lowest y)`` of anything drawn at or right of ``left`` (-1 when none)."""
    right = bottom = -1
    white = QColor("white").rgb()
    for y in range(image.height()):
        for x in range(left, image.width()):
            if image.pixel(x, y) != white:
                right, bottom = max(right, x), max(bottom, y)
    return right, bottom


@pytest.mark.parametrize("kind", LONG_TEXTS)
def test_a_long_unbroken_word_wraps_inside_the_text_column(
    qtbot: QtBot, delegate: MessageDelegate, kind: str
) -> None:
    """All 300 characters are painted: inside the text column, and inside the row's height."""
    model = model_of(long_row(kind))
    index = model.index(0)
    row_height = height(delegate, index)
    body = text_rect(delegate, index)
    column = body.width()
    # Painted into an image wider and taller than the row: what spills over shows there.
    image = QImage(WIDTH + 300, row_height + 200, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    delegate.paint(painter, option(WIDTH, 0, row_height), index)
    painter.end()
    right, bottom = painted_extent(image, body.left())
    assert 0 <= right <= body.right(), f"text drawn {right - body.right()} px too wide"
    assert bottom < row_height, f"text drawn {bottom - row_height + 1} px below its row"
    metrics = QFontMetrics(QFont())
    lines = metrics.horizontalAdvance(LONG_WORD) // column + 1
    assert row_height >= lines * metrics.height(), "the row is too short for all of the word"


# ---------------------------------------------------------------------------- colours


def has_colour_near(image: QImage, colour: QColor, tolerance: int = 40) -> bool:
    for y in range(image.height()):
        for x in range(image.width()):
            p = image.pixelColor(x, y)
            if (
                abs(p.red() - colour.red())
                + abs(p.green() - colour.green())
                + abs(p.blue() - colour.blue())
                <= tolerance
            ):
                return True
    return False


def test_links_take_the_colour_of_the_palette_they_are_painted_with(
    qtbot: QtBot, delegate: MessageDelegate
) -> None:
    """A theme switch re-colours rich text (Qt bakes link colours into a document)."""
    model = model_of(message(1, text="see https://example.com/docs (edited soon)", edited=True))
    index = model.index(0)
    for dark in (False, True):
        palette = theme.palette(dark)
        style = option()
        style.palette = palette
        row_height = delegate.sizeHint(style, index).height()
        style.rect = QRect(0, 0, WIDTH, row_height)
        image = QImage(WIDTH, row_height, QImage.Format.Format_ARGB32)
        image.fill(palette.color(QPalette.ColorRole.Base))
        painter = QPainter(image)
        delegate.paint(painter, style, index)
        painter.end()
        link = palette.color(QPalette.ColorRole.Link)
        other = theme.palette(not dark).color(QPalette.ColorRole.Link)
        assert has_colour_near(image, link), f"no link colour {link.name()} (dark={dark})"
        assert not has_colour_near(image, other, tolerance=10)


def with_files(record: Message, *names: str) -> Message:
    from dataclasses import replace

    from desktopchat.client.domain import Attachment

    files = tuple(
        Attachment(f"f{n}", "ab" * 32, name, 186_784, "image/png", None, None, f"/f{n}", None)
        for n, name in enumerate(names)
    )
    return replace(record, attachments=files)


def files_of(delegate: MessageDelegate, index: QModelIndex, top: int = 0) -> tuple[Any, ...]:
    """The row's file tiles when the row starts at ``top``."""
    return delegate.geometry(option(WIDTH, top, 100), index).files


def test_a_message_of_files_alone_shows_a_card_per_file_and_no_empty_line(
    qtbot: QtBot, delegate: MessageDelegate
) -> None:
    """Not an empty row: a card per file (these images have no preview), right under the
    author line, taller than a one-line message, and painted."""
    record = with_files(message(1, text=""), "shot.png", "<b>x</b>.log")
    model = model_of(record)
    index = model.index(0)
    cards = files_of(delegate, index)
    assert [card.attachment.name for card in cards] == ["shot.png", "<b>x</b>.log"]
    assert not any(card.image for card in cards)
    assert text_rect(delegate, index).height() == 0
    row_height = height(delegate, index)
    assert row_height > height(delegate, model_of(message(1, text="one line")).index(0))
    assert cards[-1].rect.bottom() < row_height
    image = paint(delegate, index, row_height)
    assert all(inked(image, card.rect) for card in cards)


def test_a_caption_comes_first_then_the_files(qtbot: QtBot, delegate: MessageDelegate) -> None:
    index = model_of(with_files(message(1, text="the run"), "build.log")).index(0)
    (card,) = files_of(delegate, index)
    assert text_rect(delegate, index).bottom() < card.rect.top()


def test_an_image_box_is_sized_from_its_metadata_and_the_row_holds_it(
    qtbot: QtBot, delegate: MessageDelegate
) -> None:
    """No pixels needed: the box (fit into 320 x 240) and the row's height are known."""
    from dataclasses import replace

    record = with_files(message(1, text="look"), "wide.png")
    wide = replace(record.attachments[0], width=1600, height=400, thumbnail_url="/f0/thumbnail")
    index = model_of(replace(record, attachments=(wide,))).index(0)
    (box,) = files_of(delegate, index)
    assert box.image
    assert (box.rect.width(), box.rect.height()) == (320, 80)
    assert box.rect.bottom() < height(delegate, index)


@pytest.mark.parametrize("name", ["Bob Builder", "Alice Liddell", "Élodie Ñúñez", "李小龍"])
def test_a_quotes_author_is_not_elided_when_there_is_room(qtbot: QtBot, name: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QFontMetrics

    from desktopchat.ui import message_extras

    bold = theme.font(QFont(), theme.Font.CAPTION, QFont.Weight.Bold)
    width = message_extras.quote_name_width(name, bold, 700)
    assert QFontMetrics(bold).elidedText(name, Qt.TextElideMode.ElideRight, width) == name
    assert message_extras.quote_name_width(name * 20, bold, 700) == 350  # half the row at most


def test_a_rows_height_asked_again_is_a_lookup_until_its_header_changes(
    qtbot: QtBot, delegate: MessageDelegate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QListView asks every row it keeps on each insert: nothing is measured or summed
    again for an unchanged row; the row that becomes the first one gains its header."""
    model = model_of(message(1, text="first"), message(2, text="second, same author"))
    continuation = height(delegate, model.index(1))
    summed: list[object] = []
    real = MessageDelegate._height

    def counting(self: MessageDelegate, record: Any, *args: Any, **kwargs: Any) -> int:
        summed.append(record)
        return real(self, record, *args, **kwargs)

    monkeypatch.setattr(MessageDelegate, "_height", counting)
    assert height(delegate, model.index(1)) == continuation
    assert summed == []
    model.trim_oldest(1)  # the first message goes: the second starts the room's history
    assert height(delegate, model.index(0)) > continuation
    assert len(summed) == 1


def test_rich_documents_leaving_the_cache_are_freed(
    qtbot: QtBot, delegate: MessageDelegate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PySide6 makes a ``clone()`` its template's child: each document the cache lets go
    must be freed, or a long history's rich rows would all stay in memory (hundreds of MB)."""
    clones: list[weakref.ref[QTextDocument]] = []

    class Template(QTextDocument):
        def clone(self, parent: QObject | None = None) -> QTextDocument:
            copy = super().clone(parent)
            clones.append(weakref.ref(copy))
            return copy

    monkeypatch.setattr(message_delegate, "QTextDocument", Template)
    extra = 5
    rows = [message(n, text=f"**rich** row {n}") for n in range(1, DOC_CACHE + extra + 1)]
    model = model_of(*rows)
    for row in range(model.rowCount()):
        height(delegate, model.index(row))
    assert len(clones) == DOC_CACHE + extra
    assert [ref() for ref in clones[:extra]] == [None] * extra  # let go: freed
    assert all(ref() is not None for ref in clones[extra:])  # kept for painting
    dark = option(WIDTH - 10)
    dark.palette = theme.palette(True)  # another theme: every kept document goes too
    delegate.sizeHint(dark, model.index(0))
    assert all(ref() is None for ref in clones[: DOC_CACHE + extra])
