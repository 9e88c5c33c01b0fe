"""A message row's reply quote and reaction chips: their layout, painting and words.

The delegate asks here where the quote (one line above the text: the original's author
and first line) and the chips (under the text: emoji and count) go, paints them through
here, and hit-tests clicks on them, so :mod:`.message_delegate` grows by a few calls.
Colours are the theme's tokens; a chip the logged-in user is part of is drawn in the
accent colour, as in Slack and Element.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QFontMetricsF, QPainter, QPen

from desktopchat.client.domain import Message, Reaction, ReplyQuote
from desktopchat.ui import message_style as ms
from desktopchat.ui import theme
from desktopchat.ui.emoji_picker import emoji_name
from desktopchat.ui.theme.tokens import Colours, Radius, Space

#: Above the text: the quote line and the gap under it.
QUOTE_GAP = Space.XXS
#: Chips: inner padding, gap between chips and above them.
CHIP_PAD_X = Space.S
CHIP_PAD_Y = Space.XXS
CHIP_GAP = Space.XS
CHIPS_TOP = Space.XS
DELETED_ORIGINAL = "Original message was deleted"


@dataclass(frozen=True, slots=True)
class Chip:
    """One reaction chip and where it is drawn."""

    rect: QRect
    reaction: Reaction
    label: str


def quote_line(quote: ReplyQuote) -> str:
    """``"Alice: Lunch at noon?"``, or what a deleted original leaves."""
    if quote.deleted:
        return f"{quote.author.display_name}: {DELETED_ORIGINAL}"
    return f"{quote.author.display_name}: {quote.excerpt}"


def quote_height(font: QFont) -> int:
    """The quote's line (in the caption font) and the gap under it."""
    return QFontMetrics(caption_font(font)).height() + Space.XXS * 2 + QUOTE_GAP


def caption_font(font: QFont) -> QFont:
    """The smaller font of the quote and the chips."""
    return theme.font(font, theme.Font.CAPTION)


def chip_label(reaction: Reaction) -> str:
    """``"👍 2"``."""
    return f"{reaction.emoji} {reaction.count}"


def layout_chips(
    reactions: tuple[Reaction, ...], left: int, top: int, width: int, font: QFont
) -> list[Chip]:
    """Chips left to right from ``(left, top)``, wrapping at ``width``."""
    metrics = QFontMetrics(caption_font(font))
    height = metrics.height() + 2 * CHIP_PAD_Y
    chips: list[Chip] = []
    x, y = left, top
    for reaction in reactions:
        label = chip_label(reaction)
        chip_width = metrics.horizontalAdvance(label) + 2 * CHIP_PAD_X
        if x > left and x + chip_width > left + width:
            x, y = left, y + height + CHIP_GAP
        chips.append(Chip(QRect(x, y, chip_width, height), reaction, label))
        x += chip_width + CHIP_GAP
    return chips


def chips_height(chips: list[Chip]) -> int:
    """From the top of the first chip row to the bottom of the last, plus the gap above."""
    if not chips:
        return 0
    return CHIPS_TOP + chips[-1].rect.bottom() - chips[0].rect.top() + 1


def quote_name_width(name: str, bold: QFont, row_width: int) -> int:
    """Room for the author's name in a quote: all of it, unless it needs half the row.

    From the float advance, rounded up: the int one is a pixel short for some names, so
    "Bob Builder" was elided to "Bob Build…" under Xvfb.
    """
    return min(math.ceil(QFontMetricsF(bold).horizontalAdvance(name)) + 1, row_width // 2)


def paint_quote(painter: QPainter, rect: QRect, quote: ReplyQuote, font: QFont, c: Colours) -> None:
    """A bar at the left, then the author in bold and the first line, elided to fit."""
    painter.save()
    painter.fillRect(
        QRect(rect.left(), rect.top(), ms.QUOTE_BAR, rect.height()), QColor(c.quote_bar)
    )
    caption = caption_font(font)
    bold = theme.font(font, theme.Font.CAPTION, QFont.Weight.Bold)
    x = rect.left() + ms.QUOTE_BAR + Space.S
    name = quote.author.display_name
    bold_metrics = QFontMetrics(bold)
    painter.setFont(bold)
    painter.setPen(QColor(c.text))
    name_width = quote_name_width(name, bold, rect.width())
    text_rect = QRect(x, rect.top(), name_width, rect.height())
    painter.drawText(
        text_rect,
        Qt.AlignmentFlag.AlignVCenter,
        bold_metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_width),
    )
    rest = DELETED_ORIGINAL if quote.deleted else quote.excerpt
    painter.setFont(caption)
    painter.setPen(QColor(c.text_muted))
    metrics = QFontMetrics(caption)
    start = x + name_width + Space.S
    space = max(0, rect.right() - start)
    if quote.deleted:
        caption.setItalic(True)
        painter.setFont(caption)
        metrics = QFontMetrics(caption)
    elided = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, space)
    painter.drawText(
        QRect(start, rect.top(), space, rect.height()), Qt.AlignmentFlag.AlignVCenter, elided
    )
    painter.restore()


def paint_chips(
    painter: QPainter, chips: list[Chip], own_user_id: int, font: QFont, c: Colours
) -> None:
    """Rounded chips; yours outlined and tinted in the accent colour."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(caption_font(font))
    for chip in chips:
        mine = own_user_id in chip.reaction.user_ids
        pen = QPen(QColor(c.accent if mine else c.border))
        pen.setWidth(1)
        painter.setPen(pen)
        painter.setBrush(QColor(c.mention_background if mine else c.raised))
        painter.drawRoundedRect(
            QRectF(chip.rect).adjusted(0.5, 0.5, -0.5, -0.5), Radius.L, Radius.L
        )
        painter.setPen(QColor(c.accent_text if mine else c.text))
        painter.drawText(chip.rect, Qt.AlignmentFlag.AlignCenter, chip.label)
    painter.restore()


def who_reacted(reaction: Reaction, names: Mapping[int, str], own_user_id: int) -> str:
    """The chip's tooltip: ``"You, Bob B. and 1 other reacted with :thumbs up sign:"``."""
    known = [
        "You" if uid == own_user_id else names[uid]
        for uid in reaction.user_ids
        if uid == own_user_id or uid in names
    ]
    others = reaction.count - len(known)
    if others:
        known.append(f"{others} other" + ("s" if others > 1 else ""))
    people = known[0] if len(known) == 1 else ", ".join(known[:-1]) + " and " + known[-1]
    return f"{people} reacted with {reaction.emoji} ({emoji_name(reaction.emoji).lower()})"


def extras_of(record: object) -> Message | None:
    """``record`` if it has a quote or chips to lay out (most rows have neither)."""
    if not isinstance(record, Message) or record.deleted:
        return None
    return record if record.reply_to is not None or record.reactions else None


def place_quote(extras: Message | None, at: QRect, font: QFont) -> tuple[QRect | None, int]:
    """The quote's rect with its top-left at ``at`` (``at.width()`` wide), and the top of
    what follows; no quote leaves the top where it was."""
    if extras is None or extras.reply_to is None:
        return None, at.top()
    height = quote_height(font)
    return QRect(at.left(), at.top(), at.width(), height - QUOTE_GAP), at.top() + height


def place_chips(extras: Message | None, at: QRect, font: QFont) -> tuple[list[Chip], int]:
    """The chips from ``at`` (wrapping at ``at.width()``), and the top of what follows."""
    if extras is None or not extras.reactions:
        return [], at.top()
    chips = layout_chips(extras.reactions, at.left(), at.top() + CHIPS_TOP, at.width(), font)
    return chips, at.top() + chips_height(chips)


def extras_height(record: object, width: int, font: QFont) -> int:
    """What the quote and the chips add to a row's height (0 for most rows)."""
    extras = extras_of(record)
    if extras is None:
        return 0
    at = QRect(0, 0, width, 0)
    return place_quote(extras, at, font)[1] + place_chips(extras, at, font)[1]
