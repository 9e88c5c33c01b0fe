"""Painting one message row: dividers, avatar and author line, text, state — no widgets.

A row is, top to bottom: the day separator (when a day starts), the "New messages" divider
(above the first unread, so it touches the message it points at), the author line with a
round avatar (when a group starts), the text (collapsed behind "Show more" when long),
and the outbox state line. All of it sits in a readable column
(:data:`~desktopchat.ui.message_style.COLUMN_MAX` at most, centred in a wider view) so
lines never run to 200 characters on a wide screen.

``sizeHint`` and ``paint`` share one layout computation (:meth:`MessageDelegate.geometry`),
and a row's text height is measured once per width: QListView asks every row's size to
lay out 100,000 messages, so the common case (plain text) is laid out with a bare
QTextLayout and its height kept in the model's flat per-row slot; only rows with markup or
links build a QTextDocument (kept in a small LRU for painting and link hit-tests).

Both break a word that is wider than the text column anywhere
(``WrapAtWordBoundaryOrAnywhere``): a long URL or a pasted hash wraps instead of being
clipped at the column's edge. Colours are the theme's tokens for the palette painted with.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QImage,
    QLinearGradient,
    QPainter,
    QPalette,
    QPen,
    QTextDocument,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from desktopchat.client.domain import Message
from desktopchat.client.notify.policy import mentions_me
from desktopchat.client.outbox import OutboxItem
from desktopchat.ui import (
    attachment_layout,
    markup,
    mention_markup,
    message_extras,
    theme,
    upload_progress,
)
from desktopchat.ui import message_style as ms
from desktopchat.ui.avatars import AvatarCache
from desktopchat.ui.message_model import MessageListModel, Roles, Row
from desktopchat.ui.row_images import RowImages
from desktopchat.ui.theme.tokens import Colours, Radius, Size, Space
from desktopchat.ui.thumbnail_cache import ThumbnailCache

# Kept for callers of the old names (tests, benchmarks).
GUTTER = ms.GUTTER
DAY_HEIGHT = ms.DAY_HEIGHT
PAD = Space.XS
#: Rich rows' documents kept: the one measured is the one painted and hit-tested.
DOC_CACHE = 64
#: Plain texts' layouts kept (a few screens' worth): the one measured is the one painted.
LAYOUT_CACHE = 128
#: Rows' drawable bodies kept (see :meth:`MessageDelegate._content`).
BODY_CACHE = 256
#: Rows' heights kept (see :meth:`MessageDelegate.sizeHint`): the rows a view keeps, many
#: times over.
ROW_HEIGHT_CACHE = 4096
#: Text heights :meth:`MessageDelegate.prepare` keeps until their rows are measured.
PREPARED_CACHE = 512
#: Low bits of a stored measure: the text width it was measured at.
_WIDTH_BITS = 20
_WIDTH_MASK = (1 << _WIDTH_BITS) - 1

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


@lru_cache(maxsize=512)
def clock(moment: datetime) -> str:
    """``HH:MM`` in local time, as rows show it (made once per message: paints repeat it)."""
    return f"{moment.astimezone():%H:%M}"


def full_time(moment: datetime) -> str:
    """The tooltip over a message's time: weekday, date and time to the second."""
    local = moment.astimezone()
    return f"{local:%A, %d %B %Y} at {local:%H:%M:%S}"


def _box_overhang(document: QTextDocument) -> tuple[int, int]:
    """Pixels a code box at the very start and end of ``document`` reaches beyond its size
    (Qt counts no margin above the first block or below the last one): the text is drawn
    that much lower, and the row is that much taller, so the box is never cut."""
    margin = ms.CODE_INSET_Y + Space.XXS
    first, last = document.begin(), document.lastBlock()
    top = margin if first.isValid() and first.userState() == markup.CODE_BLOCK else 0
    bottom = margin if last.isValid() and last.userState() == markup.CODE_BLOCK else 0
    return top, bottom


def _marked(model: object, record: Row) -> tuple[str, ...]:
    """The reader's name to mark in ``record``, if it mentions them (else nothing)."""
    if not isinstance(model, MessageListModel) or not isinstance(record, Message):
        return ()
    if record.deleted or not mentions_me(record, model.own_user_id, (model.own_name,)):
        return ()
    return (model.own_name,)


def column_rect(row: QRect) -> QRect:
    """The readable column inside a row's rect: capped, centred (or at the left)."""
    width = max(0, min(row.width() - 2 * ms.EDGE, ms.COLUMN_MAX))
    spare = row.width() - width
    left = row.left() + (spare // 2 if ms.CENTRED else min(ms.EDGE, spare))
    return QRect(left, row.top(), width, row.height())


@dataclass(frozen=True, slots=True)
class Geometry:
    """Where everything of one row goes, in the view's coordinates."""

    row: QRect
    column: QRect
    unread: QRect | None
    day: QRect | None
    day_value: date | None
    #: The row below the dividers: hover background, actions, focus.
    message: QRect
    avatar: QRect | None
    header: QRect | None
    #: The text as shown (clipped when collapsed) and at full height.
    text: QRect
    full_text_height: int
    #: "Show more"/"Show less" when the text is long; the outbox state line.
    toggle: QRect | None
    expanded: bool
    state: QRect | None
    #: Where the time goes on hover in a continuation row (the gutter).
    gutter_time: QRect | None
    #: A reply's quote of its original (above the text), and reaction chips (below it).
    quote: QRect | None = None
    chips: tuple[message_extras.Chip, ...] = ()
    #: Image previews and file cards (under the text, above the chips).
    files: tuple[attachment_layout.Tile, ...] = ()


class MessageDelegate(QStyledItemDelegate):
    """Draws a chat row; caches heights so layout of long histories stays fast.

    The view tells it which row is under the pointer (:attr:`hover`); rows collapsed
    behind "Show more" are expanded with :meth:`toggle_expanded`.
    """

    def __init__(self, avatars: AvatarCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._avatars = avatars
        #: Measured heights of rows the model keeps no slot for (outbox items).
        self._other_heights: dict[Any, tuple[int, int]] = {}
        self._documents: OrderedDict[tuple[object, ...], QTextDocument] = OrderedDict()
        self._layouts: OrderedDict[tuple[str, int], tuple[QTextLayout, int]] = OrderedDict()
        self._bodies: OrderedDict[int, tuple[Row, object, str, bool, tuple[str, ...]]] = (
            OrderedDict()
        )
        #: Text heights measured by :meth:`prepare` before the rows exist, by identity.
        self._prepared: dict[int, tuple[Message, int, int, int]] = {}
        #: Messages' row heights, by identity (see :meth:`sizeHint`).
        self._row_heights: dict[int, tuple[Message, tuple[object, ...], int]] = {}
        self._document_css = ""
        self._css_by_palette: dict[int, str] = {}
        #: An empty document with the font, margin and parsed style sheet: rich rows'
        #: documents are its clones (see :meth:`_document`).
        self._template: QTextDocument | None = None
        self._metrics_font: QFont | None = None
        self._font_metrics = QFontMetrics(QFont())
        self._bold_font = QFont()
        self._caption_font = QFont()
        self._bold_metrics = QFontMetrics(QFont())
        self._text_option = QTextOption()
        self._line_height = self._font_metrics.height()
        self._generation = 0
        self._model_generation: dict[int, int] = {}
        self._expanded: set[tuple[object, ...]] = set()
        #: The row under the pointer (or offered to the keyboard), set by the view.
        self.hover = QPersistentModelIndex()
        #: The row just jumped to, tinted for a moment (set and cleared by the view).
        self.flash = QPersistentModelIndex()
        self._colour_cache: dict[str, QColor] = {}
        self._text_widths: dict[int, int] = {}
        #: The viewport's width, kept by the view (0: no view; the rows are option.rect).
        self.viewport_width = 0
        #: Image previews (None: placeholders only) and what is happening to each file
        #: ("Opening…", by attachment id), set by the window.
        self.thumbnails: ThumbnailCache | None = None
        self.file_notes: dict[str, str] = {}
        #: Upload figures of queued messages with files (set by the window's file flow).
        self.uploads: upload_progress.UploadProgress | None = None
        #: Rows already painted, as images (False: paint each time, to compare in tests).
        self.cache_rows = True
        self._row_images = RowImages()
        avatars.updated.connect(self.forget_row_images)

    # ------------------------------------------------------------------- text forms

    @staticmethod
    def _body(record: Row, marked: tuple[str, ...] = ()) -> tuple[str, bool]:
        """``(content, rich)``: plain text drawn as is, or our own safe HTML (where the
        names ``marked`` stand out: the reader's own, in a message that mentions them)."""
        if isinstance(record, OutboxItem):
            return record.text, False  # shown as typed until the relay has it
        if record.deleted:
            return "<i>This message was deleted.</i>", True
        if record.edited_at is not None:
            text = mention_markup.highlight(markup.to_html(record.text), marked)
            return f'{text} <span class="muted">(edited)</span>', True
        if markup.is_plain(record.text) and not marked:
            return record.text, False
        return mention_markup.highlight(markup.to_html(record.text), marked), True

    def _content(self, model: object, record: Row) -> tuple[str, bool, tuple[str, ...]]:
        """``(content, rich, marked)`` of ``record`` as :meth:`_body` makes it, for the
        reader of ``model`` (whose name is ``marked`` if the row mentions them).

        Kept for the newest :data:`BODY_CACHE` records (by identity: the model holds each
        record until it is replaced) and readers: measuring and painting a row both need
        it, and turning markdown into HTML and looking for mentions cost ~0.1 ms a row.
        """
        reader = (
            (model.own_user_id, model.own_name) if isinstance(model, MessageListModel) else None
        )
        found = self._bodies.get(id(record))
        if found is not None and found[0] is record and found[1] == reader:
            return found[2], found[3], found[4]
        marked = _marked(model, record)
        content, rich = self._body(record, marked)
        self._bodies[id(record)] = (record, reader, content, rich, marked)
        if len(self._bodies) > BODY_CACHE:
            self._bodies.popitem(last=False)
        return content, rich, marked

    @staticmethod
    def _key(record: Row) -> tuple[object, ...]:
        if isinstance(record, OutboxItem):  # its state line changes its height
            return ("outbox", record.client_id, record.text, record.state, record.error)
        return (record.room, record.id, record.edited_at, record.deleted)  # ids restart per room

    @staticmethod
    def _expand_key(record: Row) -> tuple[object, ...]:
        if isinstance(record, OutboxItem):
            return ("outbox", record.client_id)
        return (record.room, record.id)

    def _css(self, palette: QPalette) -> str:
        """The document style sheet for ``palette`` (made once per palette)."""
        key = palette.cacheKey()
        css = self._css_by_palette.get(key)
        if css is None:
            css = self._css_by_palette[key] = ms.document_css(theme.colours(palette))
        if css != self._document_css:  # another theme: colours are baked into documents
            self._documents.clear()
            self._template = None
            self._document_css = css
        return css

    def _document(
        self, record: Row, html: str, width: int, font: QFont, palette: QPalette
    ) -> QTextDocument:
        """The laid-out document of a rich row (the newest :data:`DOC_CACHE` are kept).

        Qt parses a document's default style sheet when it is set, not on each
        ``setHtml``, and a clone keeps the parsed sheet: cloning one empty template costs
        a third of making a document and setting the sheet (~70 µs against ~210 µs). The
        row is measured in the document it is then painted from.

        PySide6 makes a clone the template's child: kept so, every document ever made
        would live as long as the template (450 MB over a 100,000-message history), so
        each is handed to Python (``setParent(None)``) and freed when the cache drops it.
        """
        css = self._css(palette)
        key = (*self._key(record), width)
        document = self._documents.get(key)
        if document is None:
            template = self._template
            if template is None or template.defaultFont() != font:
                template = self._template = QTextDocument()
                template.setDefaultFont(font)
                template.setDocumentMargin(0)
                template.setDefaultStyleSheet(css)
            document = template.clone()
            document.setParent(None)  # Python's to free, not the template's (see above)
            document.setDocumentMargin(0)  # not carried over by clone()
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
            if self._metrics_font is not None:
                self._generation += 1  # heights measured in another font are stale
                self._other_heights.clear()
            self._layouts.clear()
            self._metrics_font = QFont(font)
            self._font_metrics = QFontMetrics(font)
            self._bold_font = theme.font(font, weight=QFont.Weight.Bold)
            self._caption_font = theme.font(font, theme.Font.CAPTION)
            self._bold_metrics = QFontMetrics(self._bold_font)
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            option.setTabStopDistance(8 * self._font_metrics.horizontalAdvance("x"))
            self._text_option = option
            self._line_height = self._plain_layout("x", 1000, font)[1]
        return self._font_metrics

    def _plain_layout(self, text: str, width: int, font: QFont) -> tuple[QTextLayout, int]:
        """Plain text laid out in lines of at most ``width`` pixels, and its height.

        Words wider than the column break anywhere. ``sizeHint`` and ``paint`` both call
        this, so the painted text is exactly as tall as the row; the newest
        :data:`LAYOUT_CACHE` are kept, so a row measured as it arrives is not laid out
        again on each paint (at a burst's pace every row on screen is new on each frame).
        """
        self._metrics(font)
        key = (text, width)
        found = self._layouts.get(key)
        if found is not None:
            self._layouts.move_to_end(key)
            return found
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
        found = self._layouts[key] = (layout, round(y))
        if len(self._layouts) > LAYOUT_CACHE:
            self._layouts.popitem(last=False)
        return found

    def row_width(self, option: QStyleOptionViewItem) -> int:
        """The width the row is painted at, which its text is measured for.

        QListView asks ``sizeHint`` with its layout bounds, a few pixels narrower than the
        rows it then paints (it keeps room for a scroll bar of the style's width, not the
        theme's): measured at one width and painted at another, every visible row was
        measured again on each layout and each paint. The view tells the delegate its
        viewport's width (:attr:`viewport_width`, on every resize of it); without a view,
        the option's rect is the row.
        """
        return self.viewport_width or option.rect.width()

    def _text_width_at(self, row_width: int) -> int:
        """:meth:`text_width`, worked out once per row width (sizeHint asks it per row)."""
        width = self._text_widths.get(row_width)
        if width is None:
            width = self._text_widths[row_width] = self.text_width(row_width)
        return width

    @staticmethod
    def text_width(row_width: int) -> int:
        """The text column's width in a row ``row_width`` wide (capped)."""
        column = max(0, min(row_width - 2 * ms.EDGE, ms.COLUMN_MAX))
        return max(40, min(Size.TEXT_COLUMN, column - ms.GUTTER - ms.RIGHT_PAD))

    def _measure(
        self, model: object, record: Row, width: int, option: QStyleOptionViewItem
    ) -> tuple[int, int]:
        """``(text height, state line height)`` of ``record`` at text ``width``."""
        content, rich, _ = self._content(model, record)
        if rich:
            document = self._document(record, content, width, option.font, option.palette)
            text_height = round(document.size().height()) + sum(_box_overhang(document))
        else:
            text_height = self._plain_layout(content, width, option.font)[1]
        state = 0
        if isinstance(record, OutboxItem):
            state = self._plain_layout(state_label(record), width, option.font)[1]
            state += upload_progress.block_height(record, option.font)
        if not content.strip() and (
            attachment_layout.shows_files(record) is not None
            or (isinstance(record, OutboxItem) and bool(record.files))
        ):
            return 0, state  # files alone, no caption: no empty line above them
        return max(text_height, self._font_metrics.height()), state

    def _measured(
        self, model: Any, row: int, record: Row, width: int, option: QStyleOptionViewItem
    ) -> tuple[int, int]:
        """The measure of ``record``, from the model's slot or the outbox dict if known."""
        self._metrics(option.font)
        if isinstance(model, MessageListModel) and isinstance(record, Message):
            if self._model_generation.get(id(model)) != self._generation:
                if id(model) in self._model_generation:
                    model.forget_measures()
                self._model_generation[id(model)] = self._generation
            stored = model.measured(row)
            if stored and stored & _WIDTH_MASK == width:
                return stored >> _WIDTH_BITS, 0
            early = self._prepared.pop(id(record), None)
            if early is not None and early[0] is record and early[1:3] == (width, self._generation):
                text_height = early[3]  # measured by prepare() before it was a row
            else:
                text_height, _ = self._measure(model, record, width, option)
            model.store_measure(row, (text_height << _WIDTH_BITS) | width)
            return text_height, 0
        key = (*self._key(record), width)
        found = self._other_heights.get(key)
        if found is None:
            found = self._other_heights[key] = self._measure(model, record, width, option)
            if len(self._other_heights) > 2000:
                self._other_heights.pop(next(iter(self._other_heights)))
        return found

    def _row_facts(self, index: Index) -> tuple[Any, int, Row, bool, date | None, bool]:
        model = index.model()
        row = index.row()
        if isinstance(model, MessageListModel):
            # Straight from the Python model: QVariant round trips per row add up when Qt
            # measures every row of a long history.
            return (
                model,
                row,
                model.row(row),
                model.shows_header(row),
                model.day_above(row),
                model.unread_above(row),
            )
        return (
            model,
            row,
            index.data(Roles.ROW),
            bool(index.data(Roles.SHOW_HEADER)),
            index.data(Roles.DAY),
            bool(index.data(Roles.UNREAD_ABOVE)),
        )

    def line_height(self) -> int:
        """The height of one laid-out line of body text (as QTextLayout makes it)."""
        return self._line_height

    def collapsed_height(self) -> int:
        """The text height a long message is cut to (``Size.COLLAPSE_LINES`` lines)."""
        return Size.COLLAPSE_LINES * self._line_height

    def geometry(self, option: QStyleOptionViewItem, index: Index) -> Geometry:
        """Where every part of the row at ``index`` goes within ``option.rect``."""
        model, row, record, header, day, unread = self._row_facts(index)
        metrics = self._metrics(option.font)
        rect = QRect(option.rect)
        column = column_rect(rect)
        width = self.text_width(self.row_width(option))
        text_height, state_height = self._measured(model, row, record, width, option)
        top = rect.top()
        unread_rect = day_rect = None
        # The day first: "New messages" belongs right above the message it points at.
        if day is not None:
            day_rect = QRect(column.left(), top, column.width(), ms.DAY_HEIGHT)
            top += ms.DAY_HEIGHT
        if unread:
            unread_rect = QRect(column.left(), top, column.width(), ms.UNREAD_HEIGHT)
            top += ms.UNREAD_HEIGHT
        message_top = top
        top += ms.GROUP_TOP if header else ms.CONTINUATION_TOP
        text_left = column.left() + ms.GUTTER
        avatar_rect = header_rect = gutter_time = None
        if header:
            avatar_rect = QRect(column.left() + ms.AVATAR_LEFT, top, Size.AVATAR, Size.AVATAR)
            header_rect = QRect(text_left, top, width, self._bold_metrics.height())
            top += header_rect.height() + ms.HEADER_GAP
        else:
            gutter_time = QRect(column.left(), top, ms.GUTTER - Space.S, metrics.height())
        extras = message_extras.extras_of(record)
        quote, top = message_extras.place_quote(
            extras, QRect(text_left, top, width, 0), option.font
        )
        shown, toggle_height, expanded = self._shown_text(record, text_height)
        text_rect = QRect(text_left, top, width, shown)
        top += shown
        toggle = None
        if toggle_height:
            top += ms.TOGGLE_GAP
            label = ms.SHOW_LESS if expanded else ms.SHOW_MORE
            toggle = QRect(
                text_left,
                top,
                self._bold_metrics.horizontalAdvance(label) + Space.XS,
                self._bold_metrics.height(),
            )
            top += toggle.height()
        files, top = attachment_layout.place(record, QRect(text_left, top, width, 0))
        chips, top = message_extras.place_chips(
            extras, QRect(text_left, top, width, 0), option.font
        )
        state = None
        if state_height:
            state = QRect(text_left, top, width, state_height)
            top += state_height
        if avatar_rect is not None:
            top = max(top, avatar_rect.bottom() + 1)
        top += ms.BOTTOM
        message = QRect(column.left(), message_top, column.width(), top - message_top)
        return Geometry(
            row=QRect(rect.left(), rect.top(), rect.width(), top - rect.top()),
            column=column,
            unread=unread_rect,
            day=day_rect,
            day_value=day,
            message=message,
            avatar=avatar_rect,
            header=header_rect,
            text=text_rect,
            full_text_height=text_height,
            toggle=toggle,
            expanded=expanded,
            state=state,
            gutter_time=gutter_time,
            quote=quote,
            chips=tuple(chips),
            files=tuple(files),
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """Height of the shared layout (text heights cached); width follows the view.

        The arithmetic of :meth:`geometry` without its rectangles: Qt asks this of every
        row, 100,000 times for a long history, so it makes no objects it can avoid. And
        QListView asks it again of every row it keeps on each insert: a message's height
        is kept with what it depends on besides the record (the width, its header, day and
        divider, the font, "Show more"), so asking again is one lookup.
        """
        model, row = index.model(), index.row()
        if isinstance(model, MessageListModel):
            record, header, day, unread = model.layout_facts(row)
        else:
            _, _, record, header, day_value, unread = self._row_facts(index)
            day = day_value is not None
        row_width = self.row_width(option)
        facts: tuple[object, ...] | None = None
        if isinstance(record, Message):
            self._metrics(option.font)  # a new font is a new generation
            expanded = bool(self._expanded) and self._expand_key(record) in self._expanded
            facts = (row_width, header, day, unread, expanded, self._generation)
            found = self._row_heights.get(id(record))
            if found is not None and found[0] is record and found[1] == facts:
                return QSize(option.rect.width(), found[2])
        width = self._text_width_at(row_width)
        text_height, state_height = self._measured(model, row, record, width, option)
        # A quote and chips sit in the body as the state line does (see geometry()).
        state_height += message_extras.extras_height(record, width, option.font)
        state_height += attachment_layout.files_height(record, width)
        height = self._height(
            record, text_height, state_height, header=header, day=day, unread=unread
        )
        if facts is not None and isinstance(record, Message):
            if len(self._row_heights) >= ROW_HEIGHT_CACHE:
                self._row_heights.clear()  # a long history's first layout: each once anyway
            self._row_heights[id(record)] = (record, facts, height)
        return QSize(option.rect.width(), height)

    def prepare(
        self, model: MessageListModel, record: Message, option: QStyleOptionViewItem
    ) -> int:
        """Lay out ``record``'s text before it is a row (kept: the row's measure and paint
        then reuse it); the least height its row will have (as a continuation row)."""
        self._metrics(option.font)
        width = self._text_width_at(self.row_width(option))
        text_height, state_height = self._measure(model, record, width, option)
        if len(self._prepared) >= PREPARED_CACHE:
            self._prepared.clear()  # prepared for rows never inserted (another room's)
        self._prepared[id(record)] = (record, width, self._generation, text_height)
        return self._height(
            record, text_height, state_height, header=False, day=False, unread=False
        )

    def _shown_text(self, record: Row, text_height: int) -> tuple[int, int, bool]:
        """``(shown height, toggle line height, expanded)`` of text ``text_height`` tall."""
        # Never collapsed to hide a line or two: "Show more" would cost as much room.
        if text_height <= self.collapsed_height() + 2 * self._line_height:
            return text_height, 0, False
        expanded = self._expand_key(record) in self._expanded
        shown = text_height if expanded else self.collapsed_height()
        return shown, ms.TOGGLE_GAP + self._bold_metrics.height(), expanded

    def _height(
        self,
        record: Row,
        text_height: int,
        state_height: int,
        *,
        header: bool,
        day: bool,
        unread: bool,
    ) -> int:
        """A row's height from its parts (the same sums as :meth:`geometry`)."""
        shown, toggle, _ = self._shown_text(record, text_height)
        body = shown + toggle + state_height
        if header:
            body = max(self._bold_metrics.height() + ms.HEADER_GAP + body, Size.AVATAR)
        top = ms.GROUP_TOP if header else ms.CONTINUATION_TOP
        dividers = (ms.UNREAD_HEIGHT if unread else 0) + (ms.DAY_HEIGHT if day else 0)
        return dividers + top + body + ms.BOTTOM

    # ------------------------------------------------------------------ expanding

    def is_collapsible(self, option: QStyleOptionViewItem, index: Index) -> bool:
        """Whether the row at ``index`` is long enough to be collapsed."""
        return self.geometry(option, index).toggle is not None

    def is_expanded(self, index: Index) -> bool:
        """Whether the row at ``index`` was expanded with "Show more"."""
        record: Row = index.data(Roles.ROW)
        return self._expand_key(record) in self._expanded

    @staticmethod
    def parent_index(index: Index) -> QModelIndex:
        """A plain index for ``index`` (signals take QModelIndex)."""
        model = index.model()
        return model.index(index.row(), index.column()) if model is not None else QModelIndex()

    def toggle_expanded(self, index: Index) -> None:
        """Show all of a long message, or collapse it again; its row's height changes."""
        record: Row = index.data(Roles.ROW)
        key = self._expand_key(record)
        if key in self._expanded:
            self._expanded.discard(key)
        else:
            self._expanded.add(key)
        self.sizeHintChanged.emit(self.parent_index(index))

    # ----------------------------------------------------------------------- paint

    def _colour(self, value: str) -> QColor:
        found = self._colour_cache.get(value)
        if found is None:
            found = self._colour_cache[value] = QColor(value)
        return found

    def _flashed(self, index: Index) -> bool:
        flash = self.flash
        return flash.isValid() and flash.row() == index.row() and flash.model() is index.model()

    def _hovered(self, index: Index) -> bool:
        hover = self.hover
        return hover.isValid() and hover.row() == index.row() and hover.model() is index.model()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """The row as :meth:`_paint_row` draws it; copied from an image of it once it was
        painted in the same state before (see :mod:`desktopchat.ui.row_images`)."""
        keyed = self._image_facts(painter, option, index) if self.cache_rows else None
        if keyed is None or option.rect.isEmpty():
            self._paint_row(painter, option, index)
            return
        record, facts = keyed
        image = self._row_images.get(record, facts)
        if image is None:
            if not self._row_images.worth_keeping(record, facts):
                self._paint_row(painter, option, index)  # new in this frame: once may do
                return
            image = self._row_image(painter, option, index)
            self._row_images.put(record, facts, image)
        painter.drawImage(option.rect.topLeft(), image)

    def _image_facts(
        self, painter: QPainter, option: QStyleOptionViewItem, index: Index
    ) -> tuple[Message, tuple[object, ...]] | None:
        """The row's record and what its look depends on besides, or None if it is painted each
        time: queued messages (their state and upload move), rows with files (previews
        arrive later), and every row at a fractional scale (125%, 150%: a row starts
        between device pixels, and a copy there would be resampled, its text blurred).
        A changed avatar drops every image (:meth:`forget_row_images`)."""
        model = index.model()
        ratio = self._pixel_ratio(painter)
        if not isinstance(model, MessageListModel) or not ratio.is_integer():
            return None
        record, header, day, unread = model.layout_facts(index.row())
        if not isinstance(record, Message) or attachment_layout.shows_files(record) is not None:
            return None
        self._metrics(option.font)  # a new font is a new generation
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        return record, (
            option.rect.width(),
            option.rect.height(),
            header,
            date.today() if day else None,  # "Today" on the divider turns into a date
            unread,
            self._hovered(index),
            selected,
            selected and bool(state & QStyle.StateFlag.State_HasFocus),
            self._flashed(index),
            bool(self._expanded) and self._expand_key(record) in self._expanded,
            option.palette.cacheKey(),
            self._generation,
            (model.own_user_id, model.own_name),  # whose mentions are marked
            ratio,
        )

    def _row_image(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> QImage:
        """The row painted into an image of its whole rect, on the list's background, at the
        device's pixel ratio.

        The whole rect, not only the readable column: in a narrow view (or with a large
        font) the day label, "New messages" and the text's minimum width reach past the
        column. Qt draws text into an image with grey antialiasing only, so the view asks
        for that in both paths (:class:`~desktopchat.ui.message_view.MessageView`)."""
        ratio = self._pixel_ratio(painter)  # whole: see _image_facts
        size = option.rect.size() * ratio
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(self._colour(theme.colours(option.palette).surface))
        image_painter = QPainter(image)
        image_painter.setFont(painter.font())
        image_painter.setPen(painter.pen())
        image_painter.setRenderHints(painter.renderHints())
        image_painter.translate(-option.rect.left(), -option.rect.top())
        self._paint_row(image_painter, option, index)
        image_painter.end()
        return image

    def forget_row_images(self) -> None:
        """Paint every row afresh next time (an avatar arrived; tests compare both ways)."""
        self._row_images.forget()

    def _paint_row(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Dividers, hover background, avatar and author line, the text, its state."""
        g = self.geometry(option, index)
        record: Row = index.data(Roles.ROW)
        c = theme.colours(option.palette)
        painter.save()
        hovered = self._hovered(index)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        background = c.surface
        content, rich, marked = self._content(index.model(), record)
        if marked:  # a mention of the reader: the row is tinted
            background = c.mention_background
            painter.fillRect(g.message, self._colour(background))
        if hovered or selected:
            background = c.row_hover
            painter.fillRect(g.message, self._colour(c.row_hover))
        if self._flashed(index):  # just jumped to: tinted under everything else
            background = c.mention_background
            painter.fillRect(g.message, self._colour(background))
        if selected and option.state & QStyle.StateFlag.State_HasFocus:
            self._paint_focus(painter, g.message, c)
        if g.unread is not None:
            self._paint_unread(painter, option, g.unread, c)
        if g.day is not None and g.day_value is not None:
            self._paint_day(painter, option, g.day, g.day_value, c)
        if g.header is not None:
            self._paint_header(painter, option, index, record, g=g, c=c)
        elif g.gutter_time is not None and (hovered or selected):
            self._paint_gutter_time(painter, option, record, g.gutter_time, c)
        self._paint_body(painter, option, record, (content, rich), g=g, c=c, background=background)
        if g.toggle is not None:
            self._paint_toggle(painter, option, g, c)
        if g.state is not None and isinstance(record, OutboxItem):
            self._paint_state(painter, option, record, g.state, c)
        self._paint_extras(painter, option, index, record, g=g, c=c)
        painter.restore()

    def _paint_extras(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: Index,
        record: Row,
        *,
        g: Geometry,
        c: Colours,
    ) -> None:
        """The reply quote and the reaction chips."""
        if not isinstance(record, Message):
            return
        if g.quote is not None and record.reply_to is not None:
            message_extras.paint_quote(painter, g.quote, record.reply_to, option.font, c)
        if g.chips:
            model = index.model()
            own = model.own_user_id if isinstance(model, MessageListModel) else -1
            message_extras.paint_chips(painter, list(g.chips), own, option.font, c)
        if g.files:
            attachment_layout.paint(
                painter,
                g.files,
                font=option.font,
                c=c,
                thumbnails=self.thumbnails,
                notes=self.file_notes,
                index=QPersistentModelIndex(index),
                hovered=self._hovered(index),
            )

    def quote_at(self, option: QStyleOptionViewItem, index: Index, point: QPoint) -> int | None:
        """The id of the original whose quote is under ``point``, if any."""
        record: Row = index.data(Roles.ROW)
        quote = self.geometry(option, index).quote
        if quote is None or not quote.contains(point) or not isinstance(record, Message):
            return None
        return record.reply_to.id if record.reply_to is not None else None

    def file_at(
        self, option: QStyleOptionViewItem, index: Index, point: QPoint
    ) -> attachment_layout.Tile | None:
        """The image preview or file card under ``point``, if any."""
        return attachment_layout.tile_at(self.geometry(option, index).files, point)

    def chip_at(
        self, option: QStyleOptionViewItem, index: Index, point: QPoint
    ) -> message_extras.Chip | None:
        """The reaction chip under ``point``, if any."""
        return next((c for c in self.geometry(option, index).chips if c.rect.contains(point)), None)

    def _paint_focus(self, painter: QPainter, rect: QRect, c: Colours) -> None:
        pen = QPen(self._colour(c.focus))
        pen.setWidth(Size.FOCUS_RING)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawRoundedRect(QRectF(rect).adjusted(1, 1, -1, -1), Radius.M, Radius.M)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def _paint_unread(
        self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, c: Colours
    ) -> None:
        """A danger-coloured line with "New messages" at its right end."""
        caption = theme.font(option.font, theme.Font.CAPTION, QFont.Weight.Bold)
        metrics = QFontMetrics(caption)
        label_width = metrics.horizontalAdvance(ms.NEW_MESSAGES) + Space.S
        mid = rect.center().y()
        danger = self._colour(c.danger)
        painter.setPen(QPen(danger, 1))
        painter.drawLine(
            rect.left() + ms.AVATAR_LEFT, mid, rect.right() - label_width - Space.L, mid
        )
        painter.setFont(caption)
        label = QRect(rect.right() - label_width - Space.M, rect.top(), label_width, rect.height())
        painter.drawText(
            label, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, ms.NEW_MESSAGES
        )

    def _paint_day(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        rect: QRect,
        day: date,
        c: Colours,
    ) -> None:
        """A hairline with the day in a rounded label across its middle."""
        text = "Today" if day == date.today() else f"{day:%A, %d %B %Y}"
        caption = theme.font(option.font, theme.Font.CAPTION, QFont.Weight.DemiBold)
        metrics = QFontMetrics(caption)
        mid = rect.center().y()
        painter.setPen(self._colour(c.border))
        painter.drawLine(rect.left() + ms.AVATAR_LEFT, mid, rect.right() - ms.RIGHT_PAD, mid)
        label = QRect(
            0, 0, metrics.horizontalAdvance(text) + 2 * Space.M, metrics.height() + Space.XS
        )
        label.moveCenter(rect.center())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._colour(c.border))
        painter.setBrush(self._colour(c.surface))
        painter.drawRoundedRect(
            QRectF(label).adjusted(0.5, 0.5, -0.5, -0.5), label.height() / 2, label.height() / 2
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setFont(caption)
        painter.setPen(self._colour(c.text_muted))
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)

    def _pixel_ratio(self, painter: QPainter) -> float:
        """Device pixels per logical pixel of what ``painter`` paints on (avatars, images)."""
        device = painter.device()
        return device.devicePixelRatioF() if device is not None else 1.0

    def _paint_header(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: Index,
        record: Row,
        *,
        g: Geometry,
        c: Colours,
    ) -> None:
        if g.header is None or g.avatar is None:
            return
        model = index.model()
        ratio = self._pixel_ratio(painter)
        if isinstance(record, OutboxItem):
            own_id = model.own_user_id if isinstance(model, MessageListModel) else 0
            own_name = model.own_name if isinstance(model, MessageListModel) else "You"
            name, when = "You", ""
            avatar = self._avatars.pixmap(own_id, "", own_name, ratio=ratio)
        else:
            name = record.author.display_name
            when = clock(record.sent_at)
            avatar = self._avatars.pixmap(
                record.author.id, record.author.avatar_url, name, ratio=ratio
            )
        painter.drawPixmap(g.avatar.topLeft(), avatar)
        bold, bold_metrics = self._bold_font, self._bold_metrics  # of option.font (geometry)
        time_width = self._font_metrics.horizontalAdvance(when) + Space.S if when else 0
        elided = bold_metrics.elidedText(
            name, Qt.TextElideMode.ElideRight, max(0, g.header.width() - time_width)
        )
        painter.setFont(bold)
        painter.setPen(self._colour(c.text))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(g.header, align, elided)
        if when:
            offset = bold_metrics.horizontalAdvance(elided) + Space.S
            painter.setFont(self._caption_font)
            painter.setPen(self._colour(c.text_muted))
            painter.drawText(g.header.adjusted(offset, 0, 0, 0), align, when)

    def header_time_rect(self, option: QStyleOptionViewItem, index: Index) -> QRect | None:
        """Where the time is in the author line (for the full date's tooltip)."""
        g = self.geometry(option, index)
        record: Row = index.data(Roles.ROW)
        if g.header is None or not isinstance(record, Message):
            return g.gutter_time
        bold = QFontMetrics(theme.font(option.font, weight=QFont.Weight.Bold))
        when = clock(record.sent_at)
        time_width = self._font_metrics.horizontalAdvance(when) + Space.S
        name = bold.elidedText(
            record.author.display_name,
            Qt.TextElideMode.ElideRight,
            max(0, g.header.width() - time_width),
        )
        left = g.header.left() + bold.horizontalAdvance(name) + Space.S
        return QRect(left, g.header.top(), time_width, g.header.height())

    def _paint_gutter_time(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        record: Row,
        rect: QRect,
        c: Colours,
    ) -> None:
        if not isinstance(record, Message):
            return
        painter.setFont(self._caption_font)
        painter.setPen(self._colour(c.text_muted))
        painter.drawText(
            rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, clock(record.sent_at)
        )

    def _paint_body(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        record: Row,
        body: tuple[str, bool],
        *,
        g: Geometry,
        c: Colours,
        background: str,
    ) -> None:
        content, rich = body
        pending = isinstance(record, OutboxItem)
        colour = self._colour(c.text_muted if pending else c.text)
        rect = g.text
        painter.save()
        painter.setClipRect(rect.adjusted(-ms.GUTTER, 0, ms.RIGHT_PAD, 0))
        painter.setFont(option.font)
        if rich:
            document = self._document(record, content, rect.width(), option.font, option.palette)
            painter.translate(rect.topLeft() + QPoint(0, _box_overhang(document)[0]))
            self._paint_blocks(painter, document, c)
            context = QAbstractTextDocumentLayout.PaintContext()
            context.palette = QPalette(option.palette)
            context.palette.setColor(QPalette.ColorRole.Text, colour)
            document.documentLayout().draw(painter, context)
        else:
            painter.setPen(colour)
            self._plain_layout(content, rect.width(), option.font)[0].draw(
                painter, QPointF(rect.topLeft())
            )
        painter.restore()
        if g.toggle is not None and not g.expanded:
            self._paint_fade(painter, rect, background)

    def _paint_blocks(self, painter: QPainter, document: QTextDocument, c: Colours) -> None:
        """Code blocks' rounded boxes and quotes' bars, under the text (Qt has neither)."""
        layout = document.documentLayout()
        width = document.textWidth()
        block = document.begin()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        while block.isValid():
            state = block.userState()
            if state in (markup.CODE_BLOCK, markup.QUOTE_BLOCK):
                box = layout.blockBoundingRect(block)
                if state == markup.CODE_BLOCK:
                    rect = QRectF(
                        0.5,
                        box.top() - ms.CODE_INSET_Y + 0.5,
                        width - 1,
                        box.height() + 2 * ms.CODE_INSET_Y - 1,
                    )
                    painter.setPen(QPen(self._colour(c.code_border), 1))
                    painter.setBrush(self._colour(c.code_background))
                    painter.drawRoundedRect(rect, ms.CODE_RADIUS, ms.CODE_RADIUS)
                else:
                    bar = QRectF(Space.XXS, box.top(), ms.QUOTE_BAR, box.height())
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(self._colour(c.quote_bar))
                    painter.drawRoundedRect(bar, ms.QUOTE_BAR / 2, ms.QUOTE_BAR / 2)
            block = block.next()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def _paint_fade(self, painter: QPainter, rect: QRect, background: str) -> None:
        """The last line of a collapsed message fades into the row: there is more."""
        height = self._font_metrics.lineSpacing() * 2
        fade = QRect(rect.left(), rect.bottom() - height + 1, rect.width(), height)
        gradient = QLinearGradient(QPointF(fade.topLeft()), QPointF(fade.bottomLeft()))
        clear = QColor(self._colour(background))
        clear.setAlpha(0)
        gradient.setColorAt(0.0, clear)
        gradient.setColorAt(1.0, self._colour(background))
        painter.fillRect(fade, gradient)

    def _paint_toggle(
        self, painter: QPainter, option: QStyleOptionViewItem, g: Geometry, c: Colours
    ) -> None:
        if g.toggle is None:
            return
        font = theme.font(option.font, weight=QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(self._colour(c.link))
        painter.drawText(
            g.toggle,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            ms.SHOW_LESS if g.expanded else ms.SHOW_MORE,
        )

    def _paint_state(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        record: OutboxItem,
        rect: QRect,
        c: Colours,
    ) -> None:
        top = upload_progress.paint(painter, rect, record, self.uploads, font=option.font, c=c)
        layout, _ = self._plain_layout(state_label(record), rect.width(), option.font)
        failed = record.state.value == "failed"
        painter.setPen(self._colour(c.danger if failed else c.text_muted))
        layout.draw(painter, QPointF(rect.left(), top))

    def upload_cancel_at(
        self, option: QStyleOptionViewItem, index: Index, point: QPoint
    ) -> str | None:
        """The client_id of the queued message whose Cancel is under ``point``, if any."""
        record: Row = index.data(Roles.ROW)
        if not isinstance(record, OutboxItem) or not record.files:
            return None
        state = self.geometry(option, index).state
        where = upload_progress.cancel_rect(state, record, option.font) if state else None
        return record.client_id if where is not None and where.contains(point) else None

    # ------------------------------------------------------------- links, tooltips

    def anchor_at(self, option: QStyleOptionViewItem, index: Index, point: QPoint) -> str | None:
        """The link under ``point`` (view coordinates) in the row at ``index``, if any."""
        record: Row = index.data(Roles.ROW)
        if not isinstance(record, Message):
            return None
        content, rich, _ = self._content(index.model(), record)
        if not rich:
            return None
        g = self.geometry(option, index)
        if not g.text.contains(point):
            return None
        document = self._document(record, content, g.text.width(), option.font, option.palette)
        local = point - g.text.topLeft() - QPoint(0, _box_overhang(document)[0])
        anchor = document.documentLayout().anchorAt(QPointF(local))
        return anchor or None

    def toggle_at(self, option: QStyleOptionViewItem, index: Index, point: QPoint) -> bool:
        """Whether ``point`` is on the row's "Show more"/"Show less"."""
        toggle = self.geometry(option, index).toggle
        return toggle is not None and toggle.adjusted(-2, -2, 2, 2).contains(point)

    def tooltip_at(self, option: QStyleOptionViewItem, index: Index, point: QPoint) -> str | None:
        """The full date and time over a row's time; who reacted over a chip."""
        record: Row = index.data(Roles.ROW)
        if not isinstance(record, Message):
            return None
        chip = self.chip_at(option, index, point)
        model = index.model()
        if chip is not None and isinstance(model, MessageListModel):
            return message_extras.who_reacted(chip.reaction, model.names(), model.own_user_id)
        where = self.header_time_rect(option, index)
        if where is not None and where.contains(point):
            return full_time(record.sent_at)
        return None

    def helpEvent(  # noqa: N802 - Qt API
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        """Tooltips: the full date and time over a message's time."""
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            text = self.tooltip_at(option, index, event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, view.viewport())
                return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().helpEvent(event, view, option, index)
