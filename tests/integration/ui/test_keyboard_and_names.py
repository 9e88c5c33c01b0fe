"""Every control in the window has a name a screen reader can say, and shows keyboard focus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktopchat.ui import theme
from tests.integration.ui.conftest import QT_CLEAN, WAIT_MS, Chat
from tests.ui.conftest import theme_restored

pytestmark = QT_CLEAN


#: How far around a widget its focus may be drawn (the composer's frame draws its ring).
RING_ROOM = 6


def tab_stops(window: QWidget) -> list[QWidget]:
    """The widgets Tab visits, in order, starting from the window's first."""
    stops: list[QWidget] = []
    first = window.nextInFocusChain()
    widget = first
    while True:
        if (
            widget.isVisible()
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.window() is window
        ):
            stops.append(widget)
        widget = widget.nextInFocusChain()
        if widget is first or len(stops) > 100:
            return stops


def strong_changes(a: QImage, b: QImage) -> int:
    """Pixels that differ clearly (by 60 or more in a channel) between two grabs."""
    first = a.convertToFormat(QImage.Format.Format_RGB32)
    second = b.convertToFormat(QImage.Format.Format_RGB32)
    left, right = bytes(first.constBits()), bytes(second.constBits())
    count = 0
    for offset in range(0, min(len(left), len(right)), 4):
        if left[offset : offset + 4] != right[offset : offset + 4] and any(
            abs(left[offset + i] - right[offset + i]) >= 60 for i in range(3)
        ):
            count += 1
    return count


def test_every_control_has_an_accessible_name(chat: Chat) -> None:
    stops = tab_stops(chat.window)
    assert len(stops) >= 5  # rooms, "+", search, messages, composer at least
    unnamed = [type(w).__name__ for w in stops if not w.accessibleName()]
    assert unnamed == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_tab_stop_shows_that_it_has_the_focus(qtbot: QtBot, chat: Chat, scheme: str) -> None:
    """Themed as the app is (``app.run`` applies the theme before the first window)."""
    window = chat.window
    with theme_restored():
        theme.apply(scheme)
        qtbot.waitUntil(lambda: theme.is_dark(window.palette()) is (scheme == "dark"))
        check_focus_shows(qtbot, window)


def check_focus_shows(qtbot: QtBot, window: QWidget) -> None:
    stops = tab_stops(window)
    for position, widget in enumerate(stops):
        elsewhere = stops[position - 1]
        elsewhere.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(elsewhere.hasFocus, timeout=WAIT_MS)
        # The widget and a ring's width around it: a frame may draw the focus for its field.
        area = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()).adjusted(
            -RING_ROOM, -RING_ROOM, RING_ROOM, RING_ROOM
        )
        unfocused = window.grab(area).toImage()
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus, timeout=WAIT_MS)
        focused = window.grab(area).toImage()
        changed = strong_changes(unfocused, focused)
        assert changed >= min(widget.height(), widget.width()), (
            f"focus barely shows on {widget.accessibleName() or type(widget).__name__}"
        )
