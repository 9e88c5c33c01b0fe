"""Render resources/desktopchat.svg into the PNG, .ico and .icns files the bundles need.

Run after changing the SVG: ``python -m desktopchat.tools.render_icons``. Qt draws the
SVG (QtSvg) and writes ICO and ICNS through its own image plugins, so no other tool is
needed; the results are committed under resources/.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from desktopchat.resources import APP_ICON_SVG, resources_dir

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The icon at ``size`` x ``size`` pixels, transparent around it."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main() -> int:
    """Write icons/desktopchat-N.png for every size, desktopchat.ico and desktopchat.icns."""
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    root = resources_dir()
    renderer = QSvgRenderer(str(root / APP_ICON_SVG))
    if not renderer.isValid():
        print(f"cannot read {root / APP_ICON_SVG}", file=sys.stderr)
        return 1
    (root / "icons").mkdir(exist_ok=True)
    for size in SIZES:
        if not render(renderer, size).save(str(root / "icons" / f"desktopchat-{size}.png")):
            print(f"could not write the {size} px PNG", file=sys.stderr)
            return 1
    ok = render(renderer, 256).save(str(root / "desktopchat.ico"), b"ICO")
    ok &= render(renderer, 512).save(str(root / "desktopchat.icns"), b"ICNS")
    del app
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
