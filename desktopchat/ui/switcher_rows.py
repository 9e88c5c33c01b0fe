"""The quick switcher's rows: a model of ranked targets and a delegate that paints them.

Each row shows the sigil (``#``), the name with the letters that matched in bold accent,
the topic in muted text, and a count pill when the place has unread messages (the name is
bold too, as in the sidebar). The delegate paints from the theme's tokens so light and dark
come out of the same code.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktopchat.ui import theme
from desktopchat.ui.fuzzy import Match
from desktopchat.ui.switcher_targets import Target
from desktopchat.ui.theme import Radius, Size, Space

Index = QModelIndex | QPersistentModelIndex
TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
MATCH_ROLE = Qt.ItemDataRole.UserRole + 2


class SwitcherModel(QAbstractListModel):
    """The targets that match what was typed, best first, each with how it matched."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[Target, Match]] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """One row per matching target."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """``#name`` for display; the spoken form; the topic as tooltip; target and match."""
        if not index.isValid():
            return None
        target, found = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return target.sigil + target.label
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return target.spoken()
        if role == Qt.ItemDataRole.ToolTipRole:
            return target.detail or None
        if role == TARGET_ROLE:
            return target
        if role == MATCH_ROLE:
            return found
        return None

    def set_results(self, rows: list[tuple[Target, Match]]) -> None:
        """Show these rows, in this order."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def target(self, row: int) -> Target:
        """The target on ``row``."""
        return self._rows[row][0]


class SwitcherDelegate(QStyledItemDelegate):
    """Paints a row: sigil, name with matched letters highlighted, topic, unread pill."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """One line of text with room around it; the view decides the width."""
        return QSize(0, row_height(option.fontMetrics))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """The whole row, from the tokens of the palette in use."""
        target = index.data(TARGET_ROLE)
        found = index.data(MATCH_ROLE)
        if not isinstance(target, Target) or not isinstance(found, Match):
            return
        c = theme.colours()  # the app's: a transparent view's palette reads as dark
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        rect = option.rect.adjusted(Space.XS, 1, -Space.XS, -1)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected or hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c.accent if selected else c.hover))
            painter.drawRoundedRect(rect, Radius.M, Radius.M)
        inner = rect.adjusted(Space.M, 0, -Space.M, 0)
        right = _paint_pill(painter, option, inner, target, selected)
        line = _Line(painter, inner, inner.left())
        base = QFont(option.font)
        if target.unread or target.mentions:
            base.setWeight(QFont.Weight.DemiBold)
        muted = QColor(c.on_accent if selected else c.text_muted)
        line.run(base, muted, target.sigil + " ")
        plain = QColor(c.on_accent if selected else c.text)
        marked = QColor(c.on_accent if selected else c.accent_text)
        line.label(base, (plain, marked), target.label, found, right)
        if target.detail and line.x < right - Space.L:
            detail_font = theme.font(option.font, theme.Font.CAPTION)
            metrics = QFontMetrics(detail_font)
            width = right - line.x - Space.M
            line.x += Space.M
            line.run(detail_font, muted, metrics.elidedText(target.detail, _ELIDE, width))
        painter.restore()


_ELIDE = Qt.TextElideMode.ElideRight


def row_height(metrics: QFontMetrics) -> int:
    """A row's height for text of ``metrics``."""
    return max(metrics.height() + 2 * Space.S, Size.AVATAR_SMALL + Space.S)


class _Line:
    """Text drawn run by run along one row, vertically centred, from ``x`` rightwards."""

    def __init__(self, painter: QPainter, rect: QRect, x: int) -> None:
        self.painter, self.rect, self.x = painter, rect, x

    def run(self, font: QFont, colour: QColor, text: str) -> None:
        """Draw ``text`` at the current end of the line and move past it."""
        self.painter.setFont(font)
        self.painter.setPen(colour)
        width = QFontMetrics(font).horizontalAdvance(text)
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        self.painter.drawText(
            QRect(self.x, self.rect.top(), width + 1, self.rect.height()), int(align), text
        )
        self.x += width

    def label(
        self, font: QFont, colours: tuple[QColor, QColor], text: str, found: Match, limit: int
    ) -> None:
        """The name: matched letters bold in the second colour, the rest in the first; cut
        at ``limit``."""
        plain, marked = colours
        bold = QFont(font)
        bold.setWeight(QFont.Weight.Bold)
        hits = set(found.positions)
        self.painter.save()
        width = max(0, limit - self.rect.left())
        self.painter.setClipRect(
            QRect(self.rect.left(), self.rect.top(), width, self.rect.height())
        )
        start = 0
        for end in range(1, len(text) + 1):
            if end == len(text) or (end in hits) != (start in hits):
                on = start in hits
                self.run(bold if on else font, marked if on else plain, text[start:end])
                start = end
        self.painter.restore()
        self.x = min(self.x, limit)


def _paint_pill(
    painter: QPainter, option: QStyleOptionViewItem, rect: QRect, target: Target, selected: bool
) -> int:
    """The unread count at the right (accent for mentions); return the space left of it."""
    count = target.mentions or target.unread
    if not count:
        return rect.right()
    c = theme.colours()  # the app's: a transparent view's palette reads as dark
    font = theme.font(option.font, theme.Font.CAPTION, QFont.Weight.Bold)
    metrics = QFontMetrics(font)
    label = str(count) if count < 100 else "99+"
    height = metrics.height() + Space.XXS * 2
    width = max(height, metrics.horizontalAdvance(label) + Space.S * 2)
    pill = QRect(rect.right() - width, rect.center().y() - height // 2, width, height)
    fill, ink = (c.accent, c.on_accent) if target.mentions else (c.pill, c.on_pill)
    if selected and target.mentions:  # an accent pill on the accent row would vanish
        fill, ink = c.on_accent, c.accent
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(fill))
    painter.drawRoundedRect(pill, height / 2, height / 2)
    painter.setFont(font)
    painter.setPen(QColor(ink))
    painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), label)
    return pill.left() - Space.S
