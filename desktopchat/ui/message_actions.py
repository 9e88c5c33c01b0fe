"""The hover actions of a message row: a small floating toolbar of real buttons.

Real :class:`QToolButton` widgets, not painted pictures, so each has an accessible name,
a tooltip and a place in the Tab order, and works with Enter/Space. The icons are drawn
here from the theme's tokens (no icon theme is needed, so they look the same on every
desktop and follow light and dark).

React and reply have their buttons already (issue 15 makes them do something); they stay
hidden until :meth:`MessageActions.set_available` names them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QShowEvent,
)
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QWidget

from desktopchat.ui import message_style as ms
from desktopchat.ui import theme
from desktopchat.ui.theme.tokens import Radius, Space

#: Every action, in toolbar order: name, accessible name / tooltip.
ACTIONS: tuple[tuple[str, str], ...] = (
    ("react", "Add a reaction"),
    ("reply", "Reply"),
    ("copy", "Copy text"),
    ("edit", "Edit message"),
    ("delete", "Delete message"),
)
ICON = 16


def _pencil(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(3, 13)
    path.lineTo(3.6, 10.4)
    path.lineTo(10.8, 3.2)
    path.lineTo(12.8, 5.2)
    path.lineTo(5.6, 12.4)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(9.4, 4.6), QPointF(11.4, 6.6))


def _bin(p: QPainter) -> None:
    p.drawLine(QPointF(2.5, 4.5), QPointF(13.5, 4.5))
    p.drawLine(QPointF(6.5, 4.5), QPointF(6.5, 2.5))
    p.drawLine(QPointF(6.5, 2.5), QPointF(9.5, 2.5))
    p.drawLine(QPointF(9.5, 2.5), QPointF(9.5, 4.5))
    p.drawRoundedRect(QRectF(4, 4.5, 8, 9), 1.5, 1.5)
    p.drawLine(QPointF(6.8, 7), QPointF(6.8, 11))
    p.drawLine(QPointF(9.2, 7), QPointF(9.2, 11))


def _copy(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(5.5, 5.5, 8, 8), 1.5, 1.5)
    p.drawPolyline(
        [
            QPointF(10.5, 3.5),
            QPointF(10.5, 2.5),
            QPointF(2.5, 2.5),
            QPointF(2.5, 10.5),
            QPointF(3.5, 10.5),
        ]
    )


def _reply(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(13, 12.5)
    path.cubicTo(12.5, 8, 10, 6.5, 6, 6.5)
    p.drawPath(path)
    p.drawPolyline([QPointF(8.5, 3.5), QPointF(5.5, 6.5), QPointF(8.5, 9.5)])


def _smile(p: QPainter) -> None:
    p.drawEllipse(QRectF(2.5, 2.5, 11, 11))
    p.drawArc(QRectF(5, 6, 6, 5), 200 * 16, 140 * 16)
    p.drawPoint(QPointF(6.2, 6.5))
    p.drawPoint(QPointF(9.8, 6.5))


def _paperclip(p: QPainter) -> None:
    """The composer's attach button (drawn here with the other line icons)."""
    path = QPainterPath()
    path.moveTo(11, 5)
    path.lineTo(11, 11.5)
    path.arcTo(QRectF(5, 8.5, 6, 6), 0, -180)
    path.lineTo(5, 3.5)
    path.arcTo(QRectF(5, 1.5, 4, 4), 180, -180)
    path.lineTo(9, 10.5)
    path.arcTo(QRectF(7, 9.5, 2, 2), 0, -180)
    path.lineTo(7, 5)
    p.drawPath(path)


_DRAW: dict[str, Callable[[QPainter], None]] = {
    "attach": _paperclip,
    "edit": _pencil,
    "delete": _bin,
    "copy": _copy,
    "reply": _reply,
    "react": _smile,
}


def icon(name: str, colour: QColor, ratio: float = 2.0) -> QIcon:
    """The toolbar's ``name`` icon in ``colour`` (drawn at ``ratio`` for HiDPI)."""
    pixmap = QPixmap(round(ICON * ratio), round(ICON * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour, 1.4)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    _DRAW[name](painter)
    painter.end()
    return QIcon(pixmap)


class MessageActions(QFrame):
    """The toolbar over the message under the pointer (or the current one).

    Signals:
        triggered(str): an action's name ("copy", "edit", "delete", "react", "reply").
    """

    triggered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageActions")
        self.setAccessibleName("Message actions")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAutoFillBackground(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(Space.XXS, Space.XXS, Space.XXS, Space.XXS)
        layout.setSpacing(Space.XXS)
        self.buttons: dict[str, QToolButton] = {}
        for name, label in ACTIONS:
            button = QToolButton(self)
            button.setObjectName(f"{name}Action")
            button.setAccessibleName(label)
            button.setToolTip(label)
            button.setFixedSize(ms.ACTION_BUTTON, ms.ACTION_BUTTON)
            button.setIconSize(QSize(ICON, ICON))
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _=False, n=name: self.triggered.emit(n))
            layout.addWidget(button)
            self.buttons[name] = button
        self._available = {"copy", "edit", "delete"}
        #: Icons are drawn when the bar is first shown, and again after a theme change:
        #: the window starts with it hidden (drawing them cost ~10 ms of each start, three
        #: times over, as the window's palette settled).
        self._icons_stale = True
        self.hide()

    def set_available(self, names: set[str]) -> None:
        """Which actions exist at all (react and reply arrive with issue 15)."""
        self._available = set(names)

    def show_for(self, own: bool, deleted: bool, pending: bool) -> None:
        """Offer what can be done to this message: copy always; edit, delete for your own."""
        for name, button in self.buttons.items():
            allowed = name in self._available
            if name in ("edit", "delete"):
                allowed = allowed and own and not deleted and not pending
            elif name in ("react", "reply"):
                allowed = allowed and not pending and not deleted
            elif name == "copy":
                allowed = allowed and not deleted
            button.setVisible(allowed)
        self.adjustSize()

    def visible_actions(self) -> list[str]:
        """The names of the buttons shown now (for tests and accessibility checks)."""
        return [n for n, b in self.buttons.items() if not b.isHidden()]

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        """Another theme: icons and the frame follow it."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._icons_stale = True
            if self.isVisible():
                self._style()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Icons drawn now if the theme changed since (or they never were)."""
        if self._icons_stale:
            self._style()
        super().showEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        """A raised, rounded, outlined card (the buttons paint themselves on it)."""
        c = theme.colours(self.palette())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(c.border_strong), 1))
        painter.setBrush(QColor(c.raised))
        painter.drawRoundedRect(
            QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), Radius.M, Radius.M
        )
        painter.end()

    def _style(self) -> None:
        """Icons in the theme's muted text colour (delete in its danger colour)."""
        self._icons_stale = False
        c = theme.colours(self.palette())
        colour = QColor(c.text_muted)
        danger = QColor(c.danger)
        for name, button in self.buttons.items():
            button.setIcon(icon(name, danger if name == "delete" else colour))
