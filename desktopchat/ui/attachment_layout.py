"""A message row's files: where the image previews and file cards go, painting, hit-tests.

Under the text (above the reaction chips, as in Slack and Element) come the images, in a
row that wraps, each in a rounded box sized from the attachment's width and height (fit
into :data:`MAX_IMAGE` and never upscaled), so the row's height is known before a pixel
has arrived and nothing jumps when it does; then one card per other file: an icon by kind,
the name elided in the middle, the type and size, and a "Save as…" button on hover.

:func:`place` is pure arithmetic on the attachments' metadata (``sizeHint`` calls it for
every row that has files; no decoding, no I/O); :func:`paint` asks the
:class:`~.thumbnail_cache.ThumbnailCache` for pixels, which never blocks. Colours are the
theme's tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import (
    QMimeDatabase,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)

from desktopchat.client.domain import Attachment, Message
from desktopchat.client.sizes import human_size
from desktopchat.ui import theme
from desktopchat.ui.preview_shape import MAX_IMAGE, MIN_SIDE, image_size
from desktopchat.ui.theme.tokens import Colours, Radius, Space
from desktopchat.ui.thumbnail_cache import Preview, ThumbnailCache

__all__ = ["MAX_IMAGE", "NO_PREVIEW", "Tile", "files_height", "image_size", "paint", "place"]

#: A file card: widest, height, icon side.
CARD_WIDTH = 360
CARD_HEIGHT = 56
ICON = 36
SAVE_BUTTON = 28
#: Between the text and the files, and between two files.
TOP = Space.XS
GAP = Space.S
NO_PREVIEW = "No preview"


@dataclass(frozen=True, slots=True)
class Tile:
    """One attachment and where it is drawn; ``save`` is its card's "Save as…" button."""

    rect: QRect
    attachment: Attachment
    image: bool
    save: QRect | None = None


def shows_files(record: object) -> Message | None:
    """``record`` if it has files to lay out (most rows have none)."""
    if not isinstance(record, Message) or record.deleted or not record.attachments:
        return None
    return record


def has_preview(attachment: Attachment) -> bool:
    """An image the relay gave dimensions and a thumbnail for (shown as a preview box)."""
    return attachment.is_image and attachment.thumbnail_url is not None


def place(record: object, at: QRect) -> tuple[list[Tile], int]:
    """The tiles from ``at``'s top-left (``at.width()`` wide), and the top of what follows."""
    message = shows_files(record)
    if message is None:
        return [], at.top()
    left, width = at.left(), max(MIN_SIDE, at.width())
    tiles: list[Tile] = []
    x, y, line_bottom = left, at.top() + TOP, at.top() + TOP
    for attachment in message.attachments:
        if not has_preview(attachment):
            continue
        size = image_size(attachment, width)
        if x > left and x + size.width() > left + width:
            x, y = left, line_bottom + GAP
        tiles.append(Tile(QRect(x, y, size.width(), size.height()), attachment, True))
        x += size.width() + GAP
        line_bottom = max(line_bottom, y + size.height())
    y = line_bottom + GAP if tiles else at.top() + TOP
    card_width = min(width, CARD_WIDTH)
    for attachment in message.attachments:
        if has_preview(attachment):
            continue
        rect = QRect(left, y, card_width, CARD_HEIGHT)
        save = QRect(
            rect.right() - Space.S - SAVE_BUTTON + 1,
            rect.top() + (CARD_HEIGHT - SAVE_BUTTON) // 2,
            SAVE_BUTTON,
            SAVE_BUTTON,
        )
        tiles.append(Tile(rect, attachment, False, save))
        y += CARD_HEIGHT + GAP
    bottom = max(t.rect.bottom() for t in tiles) + 1
    return tiles, bottom


#: Heights of rows' files by ``id`` of their attachments tuple and width; the tuple is
#: kept with it, so a reused id of a freed tuple is never taken for it.
_heights: dict[tuple[int, int], tuple[tuple[Attachment, ...], int]] = {}


def files_height(record: object, width: int) -> int:
    """What the files add to a row's height (0 for a row without any).

    ``sizeHint`` asks this on every paint for every visible row, and for every row of a
    long history: laid out once per message and width, then looked up.
    """
    message = shows_files(record)
    if message is None:
        return 0
    key = (id(message.attachments), width)
    found = _heights.get(key)
    if found is not None and found[0] is message.attachments:
        return found[1]
    height = place(message, QRect(0, 0, width, 0))[1]
    if len(_heights) > 4096:
        _heights.clear()
    _heights[key] = (message.attachments, height)
    return height


def tile_at(tiles: tuple[Tile, ...], point: QPoint) -> Tile | None:
    """The tile under ``point``, if any."""
    return next((t for t in tiles if t.rect.contains(point)), None)


# --------------------------------------------------------------------------- words


@lru_cache(maxsize=256)
def kind_of(mime: str, name: str) -> str:
    """``image``, ``document``, ``archive``, ``text``, ``audio``, ``video`` or ``file``."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    major = mime.split("/", 1)[0]
    if major in ("image", "audio", "video"):
        return major
    if mime == "application/pdf" or any(
        word in mime for word in ("document", "msword", "opendocument", "rtf", "presentation")
    ):
        return "document"
    archives = ("zip", "tar", "gzip", "7z", "rar", "bzip", "xz", "compressed")
    if any(word in mime for word in archives) or extension in {"zip", "gz", "tgz", "7z", "rar"}:
        return "archive"
    texts = {"txt", "log", "md", "csv", "json", "xml", "yaml", "yml", "py", "ini", "conf"}
    if major == "text" or mime in ("application/json", "application/xml") or extension in texts:
        return "text"
    return "file"


@lru_cache(maxsize=256)
def type_words(mime: str, name: str) -> str:
    """What the file is, in words ("PDF document", "ZIP archive"), from Qt's MIME database
    (built into Qt: no desktop database is needed), by type, else by the name's extension."""
    database = QMimeDatabase()
    found = database.mimeTypeForName(mime)
    if not found.isValid() or found.isDefault() or mime == "text/plain":
        by_name = database.mimeTypeForFile(name, QMimeDatabase.MatchMode.MatchExtension)
        if by_name.isValid() and not by_name.isDefault():
            found = by_name
    words = found.comment() if found.isValid() and not found.isDefault() else ""
    return words[:1].upper() + words[1:] if words else "File"


def badge(attachment: Attachment) -> str:
    """The few letters on a file's icon: its extension ("PDF", "ZIP"), else its kind."""
    name = attachment.name
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension and len(extension) <= 4 and extension.isalnum():
        return extension.upper()
    return kind_of(attachment.type, name)[:4].upper()


def detail(attachment: Attachment, note: str | None, no_preview: bool) -> str:
    """The card's second line: type and size, or what is happening to the file now."""
    if note:
        return note
    parts = [type_words(attachment.type, attachment.name), human_size(attachment.size)]
    if no_preview:
        parts.append(NO_PREVIEW)
    return " · ".join(parts)


# ------------------------------------------------------------------------- painting


def paint(
    painter: QPainter,
    tiles: tuple[Tile, ...],
    *,
    font: QFont,
    c: Colours,
    thumbnails: ThumbnailCache | None,
    notes: Mapping[str, str],
    index: QPersistentModelIndex | None,
    hovered: bool,
) -> None:
    """Every tile: a preview (or its placeholder, or a "No preview" card), or a file card."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    for tile in tiles:
        attachment = tile.attachment
        note = notes.get(attachment.id)
        if not tile.image:
            no_preview = attachment.type.startswith("image/")
            _paint_card(
                painter, tile, font, c, detail(attachment, note, no_preview), hovered=hovered
            )
            continue
        state = Preview.UNAVAILABLE if thumbnails is None else thumbnails.state(attachment)
        pixmap = thumbnails.pixmap(attachment, index) if thumbnails is not None else None
        if pixmap is not None:
            _paint_picture(painter, tile.rect, pixmap, c)
        elif state is Preview.NONE:
            _paint_no_preview(painter, tile, font, c, note)
        else:
            device = painter.device()
            ratio = device.devicePixelRatioF() if device is not None else 1.0
            painter.drawPixmap(tile.rect.topLeft(), _placeholder(tile.rect, ratio, c))
        if note and pixmap is not None:
            _paint_note(painter, tile.rect, note, font, c)
    painter.restore()


def _rounded(rect: QRect) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), Radius.M, Radius.M)
    return path


def _paint_picture(painter: QPainter, rect: QRect, pixmap: QPixmap, c: Colours) -> None:
    """The preview, already rounded and sized for its box on a worker: one blit (scaled
    only when the column is narrower than the box it was drawn for), and a hairline round
    it so a light picture does not melt into a light surface."""
    if pixmap.deviceIndependentSize().toSize() == rect.size():
        painter.drawPixmap(rect.topLeft(), pixmap)
    else:
        painter.drawPixmap(QRectF(rect), pixmap, QRectF(pixmap.rect()))
    painter.drawPixmap(rect.topLeft(), _frame(rect, pixmap.devicePixelRatio(), c.border))


def _frame(rect: QRect, ratio: float, colour: str) -> QPixmap:
    """The hairline round a preview, drawn once per size (an antialiased rounded path per
    preview per paint doubled the GUI thread's work in the benchmark)."""

    def draw(painter: QPainter, at: QRect) -> None:
        painter.setPen(QPen(QColor(colour), 1))
        painter.drawPath(_rounded(at))

    return _cached(("frame", rect.width(), rect.height(), ratio, colour), rect, ratio, draw)


def _cached(
    key: tuple[object, ...], rect: QRect, ratio: float, draw: Callable[[QPainter, QRect], None]
) -> QPixmap:
    """The pixmap ``draw`` paints at ``rect``'s size and ``ratio``, made once per ``key``."""
    found = _placeholders.get(key)
    if found is None:
        if len(_placeholders) > 64:
            _placeholders.clear()
        found = QPixmap(round(rect.width() * ratio), round(rect.height() * ratio))
        found.setDevicePixelRatio(ratio)
        found.fill(Qt.GlobalColor.transparent)
        painter = QPainter(found)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        draw(painter, QRect(0, 0, rect.width(), rect.height()))
        painter.end()
        _placeholders[key] = found
    return found


#: Placeholders and preview frames drawn, by size, ratio and colours (a few sizes recur).
_placeholders: dict[tuple[object, ...], QPixmap] = {}


def _placeholder(rect: QRect, ratio: float, c: Colours) -> QPixmap:
    key = (rect.width(), rect.height(), ratio, c.raised, c.border, c.text_disabled)
    return _cached(key, rect, ratio, lambda painter, at: _draw_placeholder(painter, at, c))


def _draw_placeholder(painter: QPainter, rect: QRect, c: Colours) -> None:
    """A neutral box with a small picture glyph while the preview loads."""
    painter.setPen(QPen(QColor(c.border), 1))
    painter.setBrush(QColor(c.raised))
    painter.drawPath(_rounded(rect))
    side = min(28, rect.width() - 8, rect.height() - 8)
    if side < 12:
        return
    glyph = QRectF(0, 0, side, side * 0.8)
    glyph.moveCenter(QRectF(rect).center())
    painter.setPen(QPen(QColor(c.text_disabled), 1.5))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(glyph, 3, 3)
    mountain = QPainterPath()
    mountain.moveTo(glyph.left() + side * 0.15, glyph.bottom() - side * 0.12)
    mountain.lineTo(glyph.left() + side * 0.42, glyph.top() + side * 0.38)
    mountain.lineTo(glyph.left() + side * 0.62, glyph.bottom() - side * 0.25)
    mountain.lineTo(glyph.left() + side * 0.72, glyph.bottom() - side * 0.35)
    mountain.lineTo(glyph.right() - side * 0.12, glyph.bottom() - side * 0.12)
    painter.drawPath(mountain)
    painter.drawEllipse(QPointF(glyph.right() - side * 0.28, glyph.top() + side * 0.25), 2, 2)


def _paint_icon(painter: QPainter, rect: QRectF, label: str, font: QFont, c: Colours) -> None:
    """A page with a folded corner and the file's badge across it (no icon theme needed)."""
    fold = rect.width() * 0.3
    page = QPainterPath()
    page.moveTo(rect.left() + 4, rect.top())
    page.lineTo(rect.right() - fold - 2, rect.top())
    page.lineTo(rect.right() - 2, rect.top() + fold)
    page.lineTo(rect.right() - 2, rect.bottom())
    page.lineTo(rect.left() + 4, rect.bottom())
    page.closeSubpath()
    painter.setPen(QPen(QColor(c.border_strong), 1.2))
    painter.setBrush(QColor(c.surface))
    painter.drawPath(page)
    painter.drawPolyline(
        [
            QPointF(rect.right() - fold - 2, rect.top()),
            QPointF(rect.right() - fold - 2, rect.top() + fold),
            QPointF(rect.right() - 2, rect.top() + fold),
        ]
    )
    small = theme.font(font, theme.Font.CAPTION * 0.85, QFont.Weight.Bold)
    metrics = QFontMetrics(small)
    band = QRectF(rect.left(), rect.center().y(), rect.width() - 4, metrics.height() + 2)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(c.accent))
    painter.drawRoundedRect(band, 3, 3)
    painter.setFont(small)
    painter.setPen(QColor(c.on_accent))
    painter.drawText(band, Qt.AlignmentFlag.AlignCenter, label)


def _paint_card(
    painter: QPainter, tile: Tile, font: QFont, c: Colours, second: str, *, hovered: bool
) -> None:
    """A rounded card: icon, the name (elided in the middle), ``second`` under it."""
    rect = tile.rect
    painter.setPen(QPen(QColor(c.border), 1))
    painter.setBrush(QColor(c.raised))
    painter.drawPath(_rounded(rect))
    pad = Space.S + Space.XXS
    icon_side = min(ICON, rect.height() - 2 * Space.S)
    icon = QRectF(
        rect.left() + pad, rect.top() + (rect.height() - icon_side) / 2, icon_side, icon_side
    )
    _paint_icon(painter, icon, badge(tile.attachment), font, c)
    left = round(icon.right()) + pad
    right = rect.right() - pad
    show_save = hovered and tile.save is not None
    if show_save and tile.save is not None:
        right = tile.save.left() - Space.XS
        _paint_save(painter, tile.save, c)
    bold = theme.font(font, weight=QFont.Weight.DemiBold)
    caption = theme.font(font, theme.Font.CAPTION)
    bold_metrics, caption_metrics = QFontMetrics(bold), QFontMetrics(caption)
    width = max(0, right - left)
    block = bold_metrics.height() + caption_metrics.height()
    top = rect.top() + (rect.height() - block) // 2
    if rect.height() > block + 2:
        painter.setFont(bold)
        painter.setPen(QColor(c.text))
        name = bold_metrics.elidedText(tile.attachment.name, Qt.TextElideMode.ElideMiddle, width)
        painter.drawText(
            QRect(left, top, width, bold_metrics.height()), Qt.AlignmentFlag.AlignVCenter, name
        )
        top += bold_metrics.height()
    painter.setFont(caption)
    painter.setPen(QColor(c.text_muted))
    line = caption_metrics.elidedText(second, Qt.TextElideMode.ElideRight, width)
    painter.drawText(
        QRect(left, top, width, caption_metrics.height()), Qt.AlignmentFlag.AlignVCenter, line
    )


def _paint_no_preview(
    painter: QPainter, tile: Tile, font: QFont, c: Colours, note: str | None
) -> None:
    """An image that cannot be previewed, in the box it was given (the row keeps its
    height): the file's icon, its name and "No preview" with its size, centred."""
    rect = tile.rect
    painter.setPen(QPen(QColor(c.border), 1))
    painter.setBrush(QColor(c.raised))
    painter.drawPath(_rounded(rect))
    bold = theme.font(font, weight=QFont.Weight.DemiBold)
    caption = theme.font(font, theme.Font.CAPTION)
    bold_metrics, caption_metrics = QFontMetrics(bold), QFontMetrics(caption)
    lines = bold_metrics.height() + caption_metrics.height()
    icon_side = ICON if rect.height() >= ICON + lines + 3 * Space.S else 0
    top = rect.top() + (rect.height() - icon_side - lines - (Space.S if icon_side else 0)) // 2
    if icon_side:
        icon = QRectF(rect.center().x() - icon_side / 2, top, icon_side, icon_side)
        _paint_icon(painter, icon, badge(tile.attachment), font, c)
        top += icon_side + Space.S
    width = max(0, rect.width() - 2 * Space.S)
    centred = Qt.AlignmentFlag.AlignCenter
    if rect.height() >= lines:
        painter.setFont(bold)
        painter.setPen(QColor(c.text))
        name = bold_metrics.elidedText(tile.attachment.name, Qt.TextElideMode.ElideMiddle, width)
        painter.drawText(
            QRect(rect.left() + Space.S, top, width, bold_metrics.height()), centred, name
        )
        top += bold_metrics.height()
    painter.setFont(caption)
    painter.setPen(QColor(c.text_muted))
    words = note or f"{NO_PREVIEW} · {human_size(tile.attachment.size)}"
    line = caption_metrics.elidedText(words, Qt.TextElideMode.ElideRight, width)
    painter.drawText(
        QRect(rect.left() + Space.S, top, width, caption_metrics.height()), centred, line
    )


def _paint_save(painter: QPainter, rect: QRect, c: Colours) -> None:
    """The card's "Save as…" button: a rounded square with a down arrow onto a tray."""
    painter.setPen(QPen(QColor(c.border), 1))
    painter.setBrush(QColor(c.surface))
    painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), Radius.S, Radius.S)
    centre = QRectF(rect).center()
    pen = QPen(QColor(c.text), 1.6)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawLine(QPointF(centre.x(), centre.y() - 6), QPointF(centre.x(), centre.y() + 3))
    painter.drawPolyline(
        [
            QPointF(centre.x() - 4, centre.y() - 1),
            QPointF(centre.x(), centre.y() + 3),
            QPointF(centre.x() + 4, centre.y() - 1),
        ]
    )
    painter.drawLine(
        QPointF(centre.x() - 6, centre.y() + 6), QPointF(centre.x() + 6, centre.y() + 6)
    )


def _paint_note(painter: QPainter, rect: QRect, note: str, font: QFont, c: Colours) -> None:
    """What is happening to an image ("Opening…") on a pill at the bottom of its preview."""
    caption = theme.font(font, theme.Font.CAPTION)
    metrics = QFontMetrics(caption)
    text = metrics.elidedText(note, Qt.TextElideMode.ElideRight, rect.width() - 2 * Space.S)
    pill = QRectF(0, 0, metrics.horizontalAdvance(text) + 2 * Space.S, metrics.height() + 4)
    pill.moveBottomLeft(QPointF(rect.left() + Space.XS, rect.bottom() - Space.XS))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(c.tooltip))
    painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
    painter.setFont(caption)
    painter.setPen(QColor(c.on_tooltip))
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
