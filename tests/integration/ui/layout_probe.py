"""Open the real window (as the screenshot tool does) and report every clipped widget.

Run in a fresh process, because ``QT_SCALE_FACTOR`` is read when the QApplication starts:
``QT_SCALE_FACTOR=2 python -m tests.integration.ui.layout_probe 1366 768 dark``. Prints one
JSON object: ``{"problems": [...], "window": [w, h], "dark_share": float, ...}``.

A widget is clipped when it has less room than it needs to show its content: a button,
check box, combo box or unwrapped label narrower or lower than its size hint, a wrapping
label lower than its height for its width, or anything smaller than its minimum size hint.
Scroll areas (the message list, the composer) scroll what does not fit. Elided labels are
exempt from the width rule (cutting with "…" is their job), not from the height rule.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from desktopchat.ui.widgets import ElidedLabel

#: The least a button's frame and padding take beside its text (style sheet: 12 px a side).
BUTTON_PADDING = 16


def clipped(root: QWidget) -> list[str]:
    """What is clipped among ``root``'s visible descendants."""
    problems = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        name = f"{type(widget).__name__}({widget.accessibleName() or widget.objectName()})"
        size, minimum = widget.size(), widget.minimumSizeHint()
        if isinstance(widget, QAbstractScrollArea):
            continue  # it scrolls what does not fit: that is not clipping
        if minimum.isValid() and (
            size.width() < minimum.width() - 1 or size.height() < minimum.height() - 1
        ):
            problems.append(f"{name}: {size.toTuple()} < minimum {minimum.toTuple()}")
            continue
        hint = widget.sizeHint()
        if isinstance(widget, QLabel):
            if widget.wordWrap():
                needed = widget.heightForWidth(widget.width())
                if needed > size.height() + 1:
                    problems.append(f"{name}: {size.height()} px high, needs {needed}")
                continue
            if isinstance(widget, ElidedLabel):  # it elides what does not fit
                hint.setWidth(0)
        if isinstance(widget, QAbstractButton):
            # A button may be narrower than it would like; its text must still fit.
            text = widget.fontMetrics().horizontalAdvance(widget.text().replace("&", ""))
            icon = widget.iconSize().width() if not widget.icon().isNull() else 0
            if text + icon + BUTTON_PADDING > size.width() or size.height() < minimum.height():
                problems.append(f"{name}: {size.width()} px wide for {text} px of text")
            continue
        if isinstance(widget, QComboBox | QLabel | QLineEdit) and (
            size.width() < hint.width() - 1 or size.height() < hint.height() - 1
        ):
            problems.append(f"{name}: {size.toTuple()} < hint {hint.toTuple()}")
    return problems


def main() -> int:
    """Populate a hub, open the window at the size and scheme given, report."""
    width, height, scheme = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with tempfile.TemporaryDirectory(prefix="desktopchat-probe-") as home:
        os.environ["DESKTOPCHAT_HOME"] = home
        print(json.dumps(_probe(Path(home), width, height, scheme)))
    return 0


def _probe(home: Path, width: int, height: int, scheme: str) -> dict[str, object]:
    from PySide6.QtGui import QGuiApplication

    from desktopchat.client import settings as settings_file
    from desktopchat.client.credentials import MemoryTokenStore
    from desktopchat.client.login import Login
    from desktopchat.paths import app_dirs
    from desktopchat.server.credentials import generate
    from desktopchat.server.hub import HubConfig
    from desktopchat.server.relay.service import RelayConfig
    from desktopchat.server.runner import HubThread
    from desktopchat.tools import screenshot
    from desktopchat.ui import theme
    from desktopchat.ui.app import application
    from desktopchat.ui.main_window import MainWindow

    application()
    theme.apply(scheme)
    hub = HubThread(HubConfig(generate(), port=0, relay=RelayConfig(data_dir=home / "hub")))
    hub.start()
    url = f"http://127.0.0.1:{hub.port}"
    try:
        clients, _ids = screenshot._populate(url)
        viewer = clients[screenshot.VIEWER]
        token, user = viewer.login(screenshot.VIEWER, f"{screenshot.VIEWER}-password")
        window = MainWindow(app_dirs(), settings_file.default_settings(), MemoryTokenStore(), [])
        window.notifications.preferences = replace(window.notifications.preferences, enabled=False)
        window.resize(width, height)
        window.show()
        window.attach(Login(url, token, user, viewer.server_info()))
        screenshot._wait_for_conversation(window)
        for author, room, text in screenshot.LATER:
            clients[author].send(room, text, f"probe-{room}-{author}")
        rooms = window.controller.rooms if window.controller else None
        screenshot._settle(lambda: rooms is not None and rooms.unread("random") > 0)
        screenshot._settle(lambda: window.size().toTuple() == (width, height), 5)
        for _ in range(10):
            screenshot._settle(lambda: False, 0.02)
        image = window.grab().toImage()
        step = 8
        samples = [
            image.pixelColor(x, y).lightness() < 80
            for x in range(0, image.width(), step)
            for y in range(0, image.height(), step)
        ]
        result: dict[str, object] = {
            "problems": clipped(window),
            "window": list(window.size().toTuple()),
            "minimum": list(window.minimumSizeHint().toTuple()),
            "ratio": window.devicePixelRatioF(),
            "dark_share": sum(samples) / len(samples),
            "platform_theme": os.environ.get("QT_QPA_PLATFORMTHEME"),
            "horizontal_scrollbars": [
                type(w).__name__
                for w in window.findChildren(QWidget)
                if hasattr(w, "horizontalScrollBar") and w.horizontalScrollBar().isVisible()
            ],
            "palette_window": QGuiApplication.palette()
            .color(QGuiApplication.palette().ColorRole.Window)
            .name(),
        }
        window.quit()
    finally:
        hub.stop()
    return result


if __name__ == "__main__":
    raise SystemExit(main())
