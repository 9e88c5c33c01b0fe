"""Render desktopchat/assets/desktopchat.svg into the PNG, .ico and .icns files.

Run from a checkout after changing the SVG: ``python -m desktopchat.tools.render_icons``.
Qt draws the SVG (QtSvg) and writes ICO and ICNS through its own image plugins, so no other
tool is needed. The PNGs are package data (``desktopchat/assets/icons``, used at run time
and installed as hicolor icons); the .ico and .icns only feed PyInstaller's executable
icon, so they stay in the checkout's ``resources/``. All are committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from desktopchat.resources import APP_ICON_SVG, ICON_SIZES

#: The package's assets and the checkout's build-only resources, written in place.
ASSETS = Path(__file__).resolve().parents[1] / "assets"
BUILD_RESOURCES = Path(__file__).resolve().parents[2] / "resources"


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
    renderer = QSvgRenderer(str(ASSETS / APP_ICON_SVG))
    if not renderer.isValid():
        print(f"cannot read {ASSETS / APP_ICON_SVG}", file=sys.stderr)
        return 1
    (ASSETS / "icons").mkdir(exist_ok=True)
    for size in ICON_SIZES:
        if not render(renderer, size).save(str(ASSETS / "icons" / f"desktopchat-{size}.png")):
            print(f"could not write the {size} px PNG", file=sys.stderr)
            return 1
    ok = render(renderer, 256).save(str(BUILD_RESOURCES / "desktopchat.ico"), b"ICO")
    ok &= render(renderer, 512).save(str(BUILD_RESOURCES / "desktopchat.icns"), b"ICNS")
    del app
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
