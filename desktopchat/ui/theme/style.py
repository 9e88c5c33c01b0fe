"""Fusion, with a keyboard-focus ring where Fusion's own mark is too faint to see.

Fusion paints every widget from the palette on every platform (native styles such as
Windows' or macOS' ignore parts of it), so the look does not depend on a platform theme.
Its item views draw a dotted focus rectangle: :class:`FocusRingStyle` draws a clear ring in
the focus colour instead. Inputs, buttons, tabs, check boxes and radio buttons get theirs
from the style sheet (a ring round the whole control, label included). Fusion also
outlines check boxes and radio buttons in the window colour darkened, which on a dark
window is all but black on near-black: the outline is redrawn in the palette's muted text
colour, so an unchecked box is as visible as its label (WCAG asks 3:1 of a control's
outline; the muted text has 4.5:1).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QTabBar,
    QWidget,
)

from desktopchat.ui.theme.tokens import Radius, Size

#: The style that honours the palette everywhere.
BASE_STYLE = "Fusion"


class FocusRingStyle(QProxyStyle):
    """Fusion, with a keyboard-focus ring that shows on check boxes and item views."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create(BASE_STYLE))

    def drawPrimitive(  # noqa: N802 - Qt API
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Focus frames (item views) as a clear ring."""
        if element == QStyle.PrimitiveElement.PE_FrameFocusRect:
            # Buttons, tabs, check boxes and radio buttons get their ring from the style
            # sheet; a second one here was drawn through their text, or round a check
            # box's label inside the sheet's ring round the whole box.
            if not isinstance(widget, (QAbstractButton, QTabBar)):
                ring(painter, option, option.rect.toRectF().adjusted(1, 1, -1, -1))
            return
        super().drawPrimitive(element, option, painter, widget)
        if element in _INDICATORS:
            outline(
                painter, option, round_=element == QStyle.PrimitiveElement.PE_IndicatorRadioButton
            )


#: What :func:`outline` redraws over Fusion's own faint outline.
_INDICATORS = (
    QStyle.PrimitiveElement.PE_IndicatorCheckBox,
    QStyle.PrimitiveElement.PE_IndicatorRadioButton,
)


def outline(painter: QPainter, option: QStyleOption, *, round_: bool) -> None:
    """Outline a check box (or, ``round_``, a radio button) in the muted text colour."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    state = option.state
    role = QPalette.ColorRole.PlaceholderText
    group = (
        QPalette.ColorGroup.Disabled
        if not state & QStyle.StateFlag.State_Enabled
        else QPalette.ColorGroup.Normal
    )
    painter.setPen(QPen(option.palette.color(group, role), 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    rect = option.rect.toRectF().adjusted(0.5, 0.5, -0.5, -0.5)
    if round_:
        painter.drawEllipse(rect)
    else:
        painter.drawRoundedRect(rect, 2, 2)
    painter.restore()


def ring(painter: QPainter, option: QStyleOption, rect: QRectF) -> None:
    """Draw the focus ring (the palette's highlight) around ``rect``."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Highlight), Size.FOCUS_RING))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect, Radius.S, Radius.S)
    painter.restore()
