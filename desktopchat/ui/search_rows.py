"""The search panel's rows: a model of results and a delegate that paints them as text.

Each row is two lines: ``#room · Author · time`` in muted text, then an excerpt of the
message around its first match with every matched word on the theme's highlight tint, in
bold. Text is laid out with :class:`QTextLayout` and format ranges from the relay's (or the
local index's) character offsets: nothing is ever parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QTextCharFormat, QTextLayout
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktopchat.client.search import SearchHit
from desktopchat.ui import theme
from desktopchat.ui.theme import Space

Index = QModelIndex | QPersistentModelIndex
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Characters of context kept before the first match in an excerpt.
_LEAD = 40
#: An excerpt's longest, in characters (the row cuts what does not fit anyway).
_EXCERPT = 300
#: Lines of the excerpt a row shows.
EXCERPT_LINES = 2


def excerpt(hit: SearchHit) -> tuple[str, list[tuple[int, int]]]:
    """One line around the first match, and the match ranges shifted into it.

    Line breaks become spaces (one character for one, so offsets stay right).
    """
    text = hit.message.text
    start = max(0, hit.highlights[0][0] - _LEAD) if hit.highlights else 0
    end = min(len(text), start + _EXCERPT)
    prefix = "…" if start else ""
    line = prefix + "".join(" " if ch in "\r\n\t\u2028\u2029" else ch for ch in text[start:end])
    shift = len(prefix) - start
    ranges = [
        (max(a, start) + shift, min(b, end) + shift)
        for a, b in hit.highlights
        if a < end and b > start
    ]
    return line, ranges


def room_hashtag(room: str) -> str:
    """How a room is named where nothing better is known: ``#room``."""
    return f"#{room}"


def heading(hit: SearchHit, room_label: Callable[[str], str] = room_hashtag) -> str:
    """``#room · Author · 14:02`` (the date too when it was not today); the room as
    ``room_label`` names it (a direct message by its people, not its ``dm-…`` name)."""
    where_who, when = heading_parts(hit, room_label)
    return f"{where_who} · {when}"


def heading_parts(
    hit: SearchHit, room_label: Callable[[str], str] = room_hashtag
) -> tuple[str, str]:
    """``("#room · Author", "14:02")``: the row paints the time whole and elides the rest."""
    from datetime import datetime  # noqa: PLC0415 - only here

    message = hit.message
    local = message.sent_at.astimezone()
    today = datetime.now().astimezone().date()
    when = local.strftime("%H:%M") if local.date() == today else local.strftime("%d %b %Y %H:%M")
    return f"{room_label(message.room)} · {message.author.display_name}", when


def fitted_heading(parts: tuple[str, str], metrics: QFontMetrics, width: int) -> str:
    """``#room · Author · time`` in ``width``: the time whole, the rest elided first."""
    where_who, when = parts
    tail = f" · {when}"
    room = max(0, width - metrics.horizontalAdvance(tail))
    return metrics.elidedText(where_who, Qt.TextElideMode.ElideRight, room) + tail


class SearchResultsModel(QAbstractListModel):
    """The results on show, newest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        #: How rooms are named in the headings (the window names DMs by their people).
        self.room_label: Callable[[str], str] = room_hashtag

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """One row per result."""
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The text for display and screen readers; the hit itself under :data:`HIT_ROLE`."""
        if not index.isValid():
            return None
        hit = self._hits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{heading(hit, self.room_label)}: {hit.message.text}"
        if role == HIT_ROLE:
            return hit
        return None

    def set_hits(self, hits: list[SearchHit]) -> None:
        """Show these results, in this order."""
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> SearchHit:
        """The result on ``row``."""
        return self._hits[row]


class SearchResultDelegate(QStyledItemDelegate):
    """Paints a result: heading line, then the excerpt with its matches highlighted."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """The heading and up to :data:`EXCERPT_LINES` of text, with room around them."""
        line = option.fontMetrics.height()
        return QSize(0, (1 + EXCERPT_LINES) * line + Space.XS + 2 * Space.S)

    @staticmethod
    def _label(index: Index) -> Callable[[str], str]:
        model = index.model()
        return model.room_label if isinstance(model, SearchResultsModel) else room_hashtag

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Background (hover, selection), heading, excerpt."""
        hit = index.data(HIT_ROLE)
        if not isinstance(hit, SearchHit):
            return
        colours = theme.colours(option.palette)
        rect = option.rect
        state = option.state
        painter.save()
        if state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, theme.qcolor(colours.hover))
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, theme.qcolor(colours.row_hover))
        font = QFont(option.font)
        metrics = option.fontMetrics
        left, top = rect.left() + Space.M, rect.top() + Space.S
        width = rect.width() - 2 * Space.M
        painter.setPen(theme.qcolor(colours.text_muted))
        caption = theme.font(font, theme.Font.CAPTION)
        painter.setFont(caption)
        # The time whole; the room and the author elided into what is left (a narrow
        # panel cut "#general · Carol Tester · 15…" at the time).
        parts = heading_parts(hit, self._label(index))
        line = fitted_heading(parts, QFontMetrics(caption), width)
        painter.drawText(left, top + metrics.ascent(), line)
        line, ranges = excerpt(hit)
        layout = QTextLayout(line, font)
        match = QTextCharFormat()
        match.setBackground(theme.qcolor(colours.mention_background))
        match.setForeground(theme.qcolor(colours.text))
        match.setFontWeight(QFont.Weight.Bold)
        formats = []
        for start, end in ranges:
            piece = QTextLayout.FormatRange()
            piece.start, piece.length, piece.format = start, end - start, match
            formats.append(piece)
        layout.setFormats(formats)
        layout.beginLayout()
        y = 0.0
        for _ in range(EXCERPT_LINES):
            text_line = layout.createLine()
            if not text_line.isValid():
                break
            text_line.setLineWidth(width)
            text_line.setPosition(QPointF(0, y))
            y += text_line.height()
        layout.endLayout()
        painter.setPen(theme.qcolor(colours.text))
        painter.setClipRect(rect)
        layout.draw(painter, QPointF(left, top + metrics.height() + Space.XS))
        painter.restore()
