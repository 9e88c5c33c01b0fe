"""Painting one row of the sidebar: ``#``, the name (elided with "…"), an unread pill.

Why a delegate that paints, not the style's item: the look (a rounded hover and selected
background inset from the edges, read rooms muted and unread ones bold, a count pill that
turns the accent colour for mentions) is the design's, the same on every platform, and the
name must be elided to what is left beside the pill — the style's item knows neither.

:meth:`RoomRowDelegate.layout` computes where everything goes; ``paint``, the tooltip and
``RoomListView.shown_text`` all use it, so what a test reads is what is painted.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

from desktopchat.ui import theme
from desktopchat.ui.theme import Radius, Space

Index = QModelIndex | QPersistentModelIndex
ROOM_ROLE = Qt.ItemDataRole.UserRole + 1
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 2
MENTIONS_ROLE = Qt.ItemDataRole.UserRole + 3
NAME_ROLE = Qt.ItemDataRole.UserRole + 4
#: A direct message's row: True (someone is online) or False; None on a room's row.
PRESENCE_ROLE = Qt.ItemDataRole.UserRole + 5
#: The glyph before a room's name (a direct message shows a presence dot instead).
GLYPH = "#"
#: Counts above this show as "99+".
PILL_MAX = 99


@dataclass(frozen=True, slots=True)
class RowLayout:
    """Where one row's parts go, and the name as it fits."""

    background: QRect
    glyph: QRect
    name: QRect
    pill: QRect | None
    pill_text: str
    shown_name: str


def pill_text(count: int) -> str:
    """The pill's label: the count, or "99+"."""
    return f"{PILL_MAX}+" if count > PILL_MAX else str(count)


class RoomRowDelegate(QStyledItemDelegate):
    """Draws a sidebar row from the theme's tokens; never wider than the view."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view

    # ------------------------------------------------------------------ geometry

    def _fonts(self, option: QStyleOptionViewItem, unread: bool) -> tuple[QFont, QFont]:
        name_font = theme.font(option.font, weight=QFont.Weight.Bold if unread else None)
        pill_font = theme.font(option.font, theme.Font.CAPTION, QFont.Weight.Bold)
        return name_font, pill_font

    def row_height(self, font: QFont) -> int:
        """One line of text with the design's padding (or the pill, if taller)."""
        return QFontMetrics(font).height() + 2 * Space.S

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """The view's width at most, so nothing ever scrolls sideways."""
        return QSize(max(0, self._view.viewport().width()), self.row_height(option.font))

    def layout(self, option: QStyleOptionViewItem, index: Index) -> RowLayout:
        """Where the row's parts go inside ``option.rect``."""
        unread = int(index.data(UNREAD_ROLE) or 0)
        name = str(index.data(NAME_ROLE) or "")
        name_font, pill_font = self._fonts(option, unread > 0)
        background = option.rect.adjusted(Space.S, 1, -Space.S, -1)
        inner = background.adjusted(Space.M - Space.XS, 0, -Space.S, 0)
        metrics = QFontMetrics(name_font)
        glyph_width = metrics.horizontalAdvance(GLYPH)
        glyph = QRect(inner.left(), inner.top(), glyph_width, inner.height())
        name_left = glyph.right() + 1 + Space.S
        name_right = inner.right()
        pill: QRect | None = None
        label = pill_text(unread) if unread else ""
        if unread:
            pill_metrics = QFontMetrics(pill_font)
            height = pill_metrics.height() + Space.XXS
            width = max(height, pill_metrics.horizontalAdvance(label) + 2 * Space.S - 2)
            pill = QRect(0, 0, width, height)
            pill.moveCenter(inner.center())
            pill.moveRight(inner.right())
            name_right = pill.left() - Space.S
        name_rect = QRect(name_left, inner.top(), max(0, name_right - name_left), inner.height())
        shown = metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width())
        return RowLayout(background, glyph, name_rect, pill, label, shown)

    # ------------------------------------------------------------------ painting

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Background (hover, selected), glyph, name, pill; focus ring for the keyboard."""
        colours = theme.colours(option.palette)
        unread = int(index.data(UNREAD_ROLE) or 0)
        mentions = int(index.data(MENTIONS_ROLE) or 0)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        parts = self.layout(option, index)
        name_font, pill_font = self._fonts(option, unread > 0)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        if selected or hovered:
            painter.setBrush(QColor(colours.accent if selected else colours.hover))
            painter.drawRoundedRect(QRectF(parts.background), Radius.M, Radius.M)
        if option.state & QStyle.StateFlag.State_HasFocus and self._view.hasFocus():
            theme.style.ring(painter, option, QRectF(parts.background).adjusted(1, 1, -1, -1))
        if selected:
            name_colour = glyph_colour = colours.on_accent
        else:
            name_colour = colours.text if unread else colours.text_muted
            glyph_colour = colours.text_muted
        painter.setFont(name_font)
        painter.setPen(QColor(glyph_colour))
        centre = Qt.AlignmentFlag.AlignVCenter
        online = index.data(PRESENCE_ROLE)
        if isinstance(online, bool):
            self._paint_dot(painter, parts.glyph, online, colours, glyph_colour)
        else:
            painter.drawText(parts.glyph, centre | Qt.AlignmentFlag.AlignLeft, GLYPH)
        painter.setPen(QColor(name_colour))
        painter.drawText(parts.name, centre | Qt.AlignmentFlag.AlignLeft, parts.shown_name)
        if parts.pill is not None:
            self._paint_pill(
                painter, parts, pill_font, colours, selected=selected, mention=mentions > 0
            )
        painter.restore()

    @staticmethod
    def _paint_dot(
        painter: QPainter, where: QRect, online: bool, colours: theme.Colours, ring: str
    ) -> None:
        """A DM's presence: a filled dot when someone is online, a ring when not (on the
        selected row's accent, the dot has a ring of the row's text colour to stand out)."""
        size = max(8.0, QFontMetrics(painter.font()).height() * 0.5)
        dot = QRectF(0, 0, size, size)
        dot.moveCenter(QRectF(where).center())
        if online:
            painter.setPen(
                QPen(QColor(ring), 1.5) if ring == colours.on_accent else Qt.PenStyle.NoPen
            )
            painter.setBrush(QColor(colours.online))
        else:
            painter.setPen(QPen(QColor(ring), 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(dot.adjusted(1, 1, -1, -1))
        painter.setPen(Qt.PenStyle.NoPen)

    @staticmethod
    def _paint_pill(
        painter: QPainter,
        parts: RowLayout,
        font: QFont,
        colours: theme.Colours,
        *,
        selected: bool,
        mention: bool,
    ) -> None:
        assert parts.pill is not None  # noqa: S101 - only called with a pill
        if selected:  # on the accent fill: invert, so the pill still stands out
            fill, text = colours.on_accent, colours.accent
        elif mention:
            fill, text = colours.accent, colours.on_accent
        else:
            fill, text = colours.pill, colours.on_pill
        radius = parts.pill.height() / 2
        painter.setBrush(QColor(fill))
        painter.drawRoundedRect(QRectF(parts.pill), radius, radius)
        painter.setFont(font)
        painter.setPen(QColor(text))
        painter.drawText(parts.pill, Qt.AlignmentFlag.AlignCenter, parts.pill_text)

    def helpEvent(  # noqa: N802 - Qt API
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        """The tooltip: the whole name when it is cut, then the topic and the counts."""
        if event.type() != QEvent.Type.ToolTip or not index.isValid():
            return super().helpEvent(event, view, option, index)
        name = str(index.data(NAME_ROLE) or "")
        online = index.data(PRESENCE_ROLE)
        lines = [f"{GLYPH}{name}" if online is None else name]
        topic = index.data(Qt.ItemDataRole.ToolTipRole)
        if topic:
            lines.append(str(topic))
        unread = int(index.data(UNREAD_ROLE) or 0)
        if unread:
            mentions = int(index.data(MENTIONS_ROLE) or 0)
            lines.append(f"{unread} unread" + (f", {mentions} mentioning you" if mentions else ""))
        if len(lines) == 1 and self.layout(option, index).shown_name == name:
            QToolTip.hideText()
            return True
        QToolTip.showText(event.globalPos(), "\n".join(lines), view)
        return True
