"""The shape of an image preview: its box from the attachment's size, and its rounded picture.

The box is pure arithmetic on the relay's width and height (the list's ``sizeHint`` needs
it for every row with images). The picture is drawn once, on the worker that decoded the
thumbnail: scaled to the box at the screen's device pixel ratio, cropped to the box's shape
and its corners rounded, into a QImage (QPainter on a QImage is safe off the GUI thread).
Painting a row is then one plain blit per preview, not a clip path and a smooth scale per
preview on every paint.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPainterPath

from desktopchat.client.domain import Attachment
from desktopchat.ui.theme.tokens import Radius

#: The largest box an image preview is shown in (device-independent pixels).
MAX_IMAGE = QSize(320, 240)
#: The smallest side of a preview box (a 1 x 1000 image still gets a clickable box).
MIN_SIDE = 40
#: The corners of a preview.
RADIUS = Radius.M


def image_size(attachment: Attachment, width: int = MAX_IMAGE.width()) -> QSize:
    """The preview box of ``attachment`` in a column ``width`` wide (never upscaled)."""
    natural_w, natural_h = attachment.width or MIN_SIDE, attachment.height or MIN_SIDE
    limit_w, limit_h = max(MIN_SIDE, min(MAX_IMAGE.width(), width)), MAX_IMAGE.height()
    scale = min(1.0, limit_w / natural_w, limit_h / natural_h)
    box_w = min(limit_w, max(MIN_SIDE, round(natural_w * scale)))
    box_h = min(limit_h, max(MIN_SIDE, round(natural_h * scale)))
    return QSize(box_w, box_h)


def rounded(image: QImage, box: QSize, ratio: float) -> QImage:
    """``image`` filling ``box`` (centred, cropped to its shape), corners rounded, drawn at
    ``ratio`` device pixels per pixel and tagged with it. Runs on any thread."""
    pixels = QSize(max(1, round(box.width() * ratio)), max(1, round(box.height() * ratio)))
    out = QImage(pixels, QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(Qt.GlobalColor.transparent)
    source = QRectF(image.rect())
    target = QRectF(0, 0, pixels.width(), pixels.height())
    if source.width() * target.height() > target.width() * source.height():
        width = source.height() * target.width() / target.height()
        source = QRectF((source.width() - width) / 2, 0, width, source.height())
    else:
        height = source.width() * target.height() / target.width()
        source = QRectF(0, (source.height() - height) / 2, source.width(), height)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    clip = QPainterPath()
    clip.addRoundedRect(target, RADIUS * ratio, RADIUS * ratio)
    painter.setClipPath(clip)
    painter.drawImage(target, image, source)
    painter.end()
    out.setDevicePixelRatio(ratio)
    return out
