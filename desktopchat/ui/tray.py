"""The tray icon: unread count drawn into it (Linux has no badge API), and a small menu.

It exists only where a system tray really does (``isSystemTrayAvailable``); the window
never hides into a tray that is not there.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktopchat.client.notify.policy import Content
from desktopchat.ui import theme

BADGE_SIZE = 64


def badge_pixmap(base: QIcon, count: int, size: int = BADGE_SIZE) -> QPixmap:
    """``base`` at ``size`` px with a red badge showing ``count`` (99+ past 99); none at 0."""
    pixmap = base.pixmap(size, size)
    if count <= 0:
        return pixmap
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    diameter = size * 0.58
    rect = QRectF(size - diameter, 0, diameter, diameter)
    painter.setBrush(theme.BADGE_BACKGROUND)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(rect)
    font = QFont()
    font.setBold(True)
    text = "99+" if count > 99 else str(count)
    font.setPixelSize(int(diameter * (0.42 if len(text) > 2 else 0.6)))
    painter.setFont(font)
    painter.setPen(theme.BADGE_TEXT)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


class Tray(QObject):
    """The tray icon and its menu, when the desktop has a tray.

    Signals:
        toggle_window(): show or hide the window (menu entry or a click on the icon).
        do_not_disturb(bool): the menu's do-not-disturb toggle.
        quit_requested(): really quit (not just close the window).
    """

    toggle_window = Signal()
    do_not_disturb = Signal(bool)
    quit_requested = Signal()

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icon = icon
        self.icon: QSystemTrayIcon | None = None
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        self.icon = QSystemTrayIcon(icon, self)
        self.icon.setToolTip("desktopchat")
        menu = QMenu()
        menu.addAction("Show / Hide", self.toggle_window.emit)
        self.dnd_action = QAction("Do not disturb", menu)
        self.dnd_action.setCheckable(True)
        self.dnd_action.toggled.connect(self.do_not_disturb)
        menu.addAction(self.dnd_action)
        menu.addSeparator()
        menu.addAction("Quit", self.quit_requested.emit)
        self._menu = menu
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(self._activated)
        self.icon.show()

    @property
    def available(self) -> bool:
        """Whether there is a visible tray icon (close-to-tray is allowed only then)."""
        return self.icon is not None and self.icon.isVisible()

    def set_unread(self, count: int) -> None:
        """Redraw the badge."""
        if self.icon is not None:
            self.icon.setIcon(QIcon(badge_pixmap(self._icon, count)))
            self.icon.setToolTip(f"desktopchat — {count} unread" if count else "desktopchat")

    def set_do_not_disturb(self, on: bool) -> None:
        """Reflect do-not-disturb changed elsewhere (settings)."""
        if self.icon is not None:
            self.dnd_action.setChecked(on)

    def balloon(self, content: Content) -> bool:
        """The tray's own message bubble: a fallback when there is no notification service."""
        if not self.available or self.icon is None:
            return False
        self.icon.showMessage(
            content.title, content.body, QSystemTrayIcon.MessageIcon.Information, 8000
        )
        return True

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_window.emit()
