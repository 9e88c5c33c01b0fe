"""Painting one message row: day separator, author header, text, state — no widgets.

``sizeHint`` and ``paint`` share one layout computation, and heights are cached per row
and width: QListView asks every row's size to lay out 100,000 messages, so the common
case (plain text) is laid out with a bare QTextLayout, and only rows with markup or links
build a QTextDocument (kept in a small LRU for painting and link hit-tests).

Both break a word that is wider than the text column anywhere
(``WrapAtWordBoundaryOrAnywhere``): a long URL or a pasted hash wraps instead of being
clipped at the column's edge. (``QFontMetrics.boundingRect`` with ``TextWordWrap``, used
before, never breaks inside a word.) Colours come from the palette and
:mod:`desktopchat.ui.theme`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QPointF, QRect, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextDocument,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktopchat.client.domain import Message
from desktopchat.client.outbox import OutboxItem
from desktopchat.ui import markup, theme
from desktopchat.ui.avatars import SIZE as AVATAR
from desktopchat.ui.avatars import AvatarCache
from desktopchat.ui.message_model import MessageListModel, Roles, Row

PAD = 6
GUTTER = AVATAR + 2 * PAD + 4  # avatar column
DAY_HEIGHT = 30
DOC_CACHE = 400
#: Low bits of a cached height: width (18 bits), header flag, day flag.
_SHAPE_BITS = 20
_SHAPE_MASK = (1 << _SHAPE_BITS) - 1

Index = QModelIndex | QPersistentModelIndex

_STATE_LABEL = {
    "pending": "waiting to send…",
    "sending": "sending…",
    "sent": "sent",
}


def state_label(record: OutboxItem) -> str:
    """The line under a message still in the outbox; a failed one says why, in full (it
    wraps), and what can be done about it."""
    if record.state.value == "failed":
        reason = (record.error or "the server refused it").rstrip(".")
        return f"Not sent: {reason}. Right-click to retry, edit or discard it."
    return _STATE_LABEL.get(record.state.value, "")


@dataclass(frozen=True, slots=True)
class _Layout:
    day: date | None
    header: bool
    header_height: int
    text_height: int

    @property
    def height(self) -> int:
        return (DAY_HEIGHT if self.day else 0) + self.header_height + self.text_height + PAD


class MessageDelegate(QStyledItemDelegate):
    """Draws a chat row; caches heights so layout of long histories stays fast."""

    def __init__(self, avatars: AvatarCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._avatars = avatars
        #: Heights packed with the shape they were measured for (width, header, day).
        self._plain_heights: dict[str, dict[int, int]] = {}
        self._other_heights: dict[Any, int] = {}
        self._documents: OrderedDict[tuple[object, ...], QTextDocument] = OrderedDict()
        self._document_css = ""
        self._metrics_font: QFont | None = None
        self._font_metrics = QFontMetrics(QFont())
        self._text_option = QTextOption()

    # ------------------------------------------------------------------- text forms

    @staticmethod
    def _body(record: Row) -> tuple[str, bool]:
        """``(content, rich)``: plain text drawn as is, or our own safe HTML."""
        if isinstance(record, OutboxItem):
            return record.text, False  # shown as typed until the relay has it
        if record.deleted:
            return "<i>This message was deleted.</i>", True
        if record.edited_at is not None:
            return f'{markup.to_html(record.text)} <span class="muted">(edited)</span>', True
        if markup.is_plain(record.text):
            return record.text, False
        return markup.to_html(record.text), True

    @staticmethod
    def _key(record: Row) -> tuple[object, ...]:
        if isinstance(record, OutboxItem):  # its state line changes its height
            return ("outbox", record.client_id, record.text, record.state, record.error)
        return (record.room, record.id, record.edited_at, record.deleted)  # ids restart per room

    def _document(
        self, record: Row, html: str, width: int, font: QFont, palette: QPalette
    ) -> QTextDocument:
        css = theme.document_css(palette)
        if css != self._document_css:  # another theme: colours are baked into documents
            self._documents.clear()
            self._document_css = css
        key = (*self._key(record), width)
        document = self._documents.get(key)
        if document is None:
            document = QTextDocument()
            document.setDefaultFont(font)
            document.setDocumentMargin(0)
            document.setDefaultStyleSheet(css)
            document.setHtml(html)
            document.setTextWidth(width)
            self._documents[key] = document
            if len(self._documents) > DOC_CACHE:
                self._documents.popitem(last=False)
        else:
            self._documents.move_to_end(key)
        return document

    # ---------------------------------------------------------------------- layout

    def _metrics(self, font: QFont) -> QFontMetrics:
        """Font metrics, made once per font (sizeHint runs for every row on each layout)."""
        if self._metrics_font is None or font != self._metrics_font:
            self._metrics_font = QFont(font)
            self._font_metrics = QFontMetrics(font)
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            option.setTabStopDistance(8 * self._font_metrics.horizontalAdvance("x"))
            self._text_option = option
        return self._font_metrics

    def _plain_layout(self, text: str, width: int, font: QFont) -> tuple[QTextLayout, int]:
        """Plain text laid out in lines of at most ``width`` pixels, and its height.

        Words wider than the column break anywhere. ``sizeHint`` and ``paint`` both call
        this, so the painted text is exactly as tall as the row.
        """
        self._metrics(font)
        layout = QTextLayout(text.replace("\n", "\u2028"), font)
        layout.setTextOption(self._text_option)
        layout.setCacheEnabled(True)
        layout.beginLayout()
        y = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, y))
            y += line.height()
        layout.endLayout()
        return layout, round(y)

    def _text_width(self, option: QStyleOptionViewItem) -> int:
        return max(40, option.rect.width() - GUTTER - PAD)

    def _layout(self, option: QStyleOptionViewItem, index: Index) -> _Layout:
        model = index.model()
        if isinstance(model, MessageListModel):
            # Straight from the Python model: three QVariant round trips per row add up
            # when Qt measures every row of a long history.
            row = index.row()
            record: Row = model.row(row)
            header = model.shows_header(row)
            day = model.day_above(row)
        else:
            record = index.data(Roles.ROW)
            header = bool(index.data(Roles.SHOW_HEADER))
            day = index.data(Roles.DAY)
        metrics = self._metrics(option.font)
        header_height = metrics.height() + 2 if header else 0
        width = self._text_width(option)
        heights, key = self._height_slot(record)
        shape = (width << 2) | (header << 1) | (day is not None)
        cached = heights.get(key)
        if cached is not None and cached & _SHAPE_MASK == shape:
            return _Layout(day, header, header_height, cached >> _SHAPE_BITS)
        content, rich = self._body(record)
        if rich:
            document = self._document(record, content, width, option.font, option.palette)
            text_height = round(document.size().height())
        else:
            text_height = self._plain_layout(content, width, option.font)[1]
        if isinstance(record, OutboxItem):  # the state line(s)
            text_height += self._plain_layout(state_label(record), width, option.font)[1]
        text_height = max(text_height, metrics.height())
        if header:
            text_height = max(text_height, AVATAR - header_height)
        heights[key] = (text_height << _SHAPE_BITS) | shape
        return _Layout(day, header, header_height, text_height)

    def _height_slot(self, record: Row) -> tuple[dict[Any, int], Any]:
        """Where a row's height is cached: plain messages by id in their room's dict of
        ints (about 90 bytes a row, so 100,000 rows stay cheap); edited, deleted and
        pending rows by their full key."""
        if isinstance(record, Message) and record.edited_at is None and not record.deleted:
            room = self._plain_heights.get(record.room)
            if room is None:
                room = self._plain_heights[record.room] = {}
            return room, record.id
        return self._other_heights, self._key(record)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """Height from the shared layout (cached); width follows the view."""
        return QSize(option.rect.width(), self._layout(option, index).height)

    # ----------------------------------------------------------------------- paint

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Day separator, avatar and header, then the text (and the outbox state)."""
        layout = self._layout(option, index)
        record: Row = index.data(Roles.ROW)
        palette = option.palette
        painter.save()
        rect = QRect(option.rect)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        top = rect.top()
        if layout.day is not None:
            self._paint_day(
                painter, option, QRect(rect.left(), top, rect.width(), DAY_HEIGHT), layout.day
            )
            top += DAY_HEIGHT
        if layout.header:
            self._paint_header(
                painter, option, record, QRect(rect.left(), top, rect.width(), layout.header_height)
            )
            top += layout.header_height
        body = QRect(rect.left() + GUTTER, top, self._text_width(option), layout.text_height)
        self._paint_body(painter, option, record, body)
        painter.restore()

    def _paint_day(
        self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, day: date
    ) -> None:
        text = "Today" if day == date.today() else f"{day:%A, %d %B %Y}"
        mid = rect.center().y()
        painter.setPen(option.palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(rect.left() + PAD, mid, rect.right() - PAD, mid)
        metrics = QFontMetrics(option.font)
        label = QRect(0, 0, metrics.horizontalAdvance(text) + 16, metrics.height())
        label.moveCenter(rect.center())
        painter.fillRect(label, option.palette.color(QPalette.ColorRole.Base))
        painter.setPen(theme.muted_text(option.palette))
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_header(
        self, painter: QPainter, option: QStyleOptionViewItem, record: Row, rect: QRect
    ) -> None:
        if isinstance(record, OutboxItem):
            name, when, avatar = "You", "", None
        else:
            name = record.author.display_name
            when = f"{record.sent_at.astimezone():%H:%M}"
            avatar = self._avatars.pixmap(record.author.id, record.author.avatar_url)
        if avatar is not None:
            painter.drawPixmap(rect.left() + PAD, rect.top() + 2, avatar)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        name_rect = QRect(rect.left() + GUTTER, rect.top(), self._text_width(option), rect.height())
        elided = QFontMetrics(bold).elidedText(
            name, Qt.TextElideMode.ElideRight, name_rect.width() - 60
        )
        painter.drawText(
            name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided
        )
        offset = QFontMetrics(bold).horizontalAdvance(elided) + 8
        painter.setFont(option.font)
        painter.setPen(theme.muted_text(option.palette))
        painter.drawText(
            name_rect.adjusted(offset, 0, 0, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            when,
        )

    def _paint_body(
        self, painter: QPainter, option: QStyleOptionViewItem, record: Row, rect: QRect
    ) -> None:
        content, rich = self._body(record)
        pending = isinstance(record, OutboxItem)
        palette = option.palette
        colour = theme.muted_text(palette) if pending else palette.color(QPalette.ColorRole.Text)
        painter.setFont(option.font)
        if rich:
            document = self._document(record, content, rect.width(), option.font, palette)
            painter.translate(rect.topLeft())
            context = QAbstractTextDocumentLayout.PaintContext()
            context.palette = QPalette(palette)
            context.palette.setColor(QPalette.ColorRole.Text, colour)
            document.documentLayout().draw(painter, context)
            painter.translate(-rect.topLeft())
        else:
            painter.setPen(colour)
            self._plain_layout(content, rect.width(), option.font)[0].draw(
                painter, QPointF(rect.topLeft())
            )
        if isinstance(record, OutboxItem):
            layout, height = self._plain_layout(state_label(record), rect.width(), option.font)
            failed = record.state.value == "failed"
            painter.setPen(option.palette.color(QPalette.ColorRole.Link) if failed else colour)
            layout.draw(painter, QPointF(rect.left(), rect.bottom() - height + 1))

    # ----------------------------------------------------------------------- links

    def anchor_at(self, option: QStyleOptionViewItem, index: Index, point: QPoint) -> str | None:
        """The link under ``point`` (view coordinates) in the row at ``index``, if any."""
        record: Row = index.data(Roles.ROW)
        if not isinstance(record, Message):
            return None
        content, rich = self._body(record)
        if not rich:
            return None
        layout = self._layout(option, index)
        top = option.rect.top() + (DAY_HEIGHT if layout.day else 0) + layout.header_height
        local = point - QPoint(option.rect.left() + GUTTER, top)
        document = self._document(
            record, content, self._text_width(option), option.font, option.palette
        )
        anchor = document.documentLayout().anchorAt(local)
        return anchor or None
