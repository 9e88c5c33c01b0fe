"""The app's own light and dark look: two palettes, the Fusion style, and derived colours.

Why not only ``QStyleHints.setColorScheme``: that asks the *platform theme* to switch, and a
plain X11 desktop (no GTK or KDE platform theme) has none, so the setting was saved and the
window stayed light. Here the palettes are the app's own and are set on the QApplication
whatever the platform offers, with the Fusion style, which paints every widget from the
palette on every platform (native styles such as Windows' or macOS' ignore parts of it).

``"system"`` follows the OS scheme where the platform reports one
(``styleHints().colorScheme()``, and ``colorSchemeChanged`` while running) and is light when
it says ``Unknown``. An explicit choice is also passed on to the platform, so window frames
and native dialogs can follow where the platform supports that.

Keyboard focus must be seen on every Tab stop: Fusion marks a focused check box with a
faint tint and a focused default button not at all (it already wears the default outline),
so :class:`FocusRingStyle` draws a ring in the highlight colour on both.

This module is the one place that decides colours: widgets that paint for themselves (the
message delegate, avatars, the connection banner, links in rich text) ask the functions
below, which derive everything from a palette, so a later design system can grow here.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)

#: The names the settings store, in the order the Settings dialog offers them.
NAMES = ("system", "light", "dark")
#: The style that honours the palette everywhere.
STYLE = "Fusion"
#: The tray badge (drawn over the app icon, the same on light and dark panels).
BADGE_BACKGROUND = QColor("#e01e5a")
BADGE_TEXT = QColor("#ffffff")

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

_LIGHT = {
    Role.Window: "#efefef",
    Role.WindowText: "#1d1d1d",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f3f3f3",
    Role.ToolTipBase: "#ffffdc",
    Role.ToolTipText: "#1d1d1d",
    Role.PlaceholderText: "#6b6b6b",
    Role.Text: "#1d1d1d",
    Role.Button: "#efefef",
    Role.ButtonText: "#1d1d1d",
    Role.BrightText: "#ffffff",
    Role.Light: "#ffffff",
    Role.Midlight: "#e3e3e3",
    Role.Mid: "#b8b8b8",
    Role.Dark: "#9f9f9f",
    Role.Shadow: "#767676",
    Role.Highlight: "#2f6fd0",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#0b57d0",
    Role.LinkVisited: "#7b1fa2",
    Role.Accent: "#2f6fd0",
}
_LIGHT_DISABLED = {Role.WindowText: "#8c8c8c", Role.Text: "#8c8c8c", Role.ButtonText: "#8c8c8c"}

_DARK = {
    Role.Window: "#2b2b2b",
    Role.WindowText: "#e6e6e6",
    Role.Base: "#1e1e1e",
    Role.AlternateBase: "#2a2a2a",
    Role.ToolTipBase: "#3a3a3a",
    Role.ToolTipText: "#e6e6e6",
    Role.PlaceholderText: "#9e9e9e",
    Role.Text: "#e6e6e6",
    Role.Button: "#353535",
    Role.ButtonText: "#e6e6e6",
    Role.BrightText: "#ffffff",
    Role.Light: "#4f4f4f",
    Role.Midlight: "#404040",
    Role.Mid: "#5c5c5c",
    Role.Dark: "#1a1a1a",
    Role.Shadow: "#101010",
    Role.Highlight: "#3d7ad6",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#8ab4f8",
    Role.LinkVisited: "#c58af9",
    Role.Accent: "#3d7ad6",
}
_DARK_DISABLED = {Role.WindowText: "#7a7a7a", Role.Text: "#7a7a7a", Role.ButtonText: "#7a7a7a"}

#: The banner's tint, mixed into the window colour (amber: "something needs attention").
_ATTENTION = QColor("#f2b233")


def palette(dark: bool) -> QPalette:
    """The app's dark or light palette (every role set, disabled text dimmed)."""
    result = QPalette()
    colours, disabled = (_DARK, _DARK_DISABLED) if dark else (_LIGHT, _LIGHT_DISABLED)
    for role, colour in colours.items():
        result.setColor(role, QColor(colour))
    for role, colour in disabled.items():
        result.setColor(Group.Disabled, role, QColor(colour))
    return result


def is_dark(source: QPalette) -> bool:
    """Whether ``source`` is a dark palette (light text on a dark window)."""
    return source.color(Role.Window).lightness() < source.color(Role.WindowText).lightness()


def scheme_is_dark(name: str, platform_scheme: Qt.ColorScheme) -> bool:
    """Whether theme ``name`` means dark when the platform reports ``platform_scheme``."""
    if name == "dark":
        return True
    if name == "light":
        return False
    return platform_scheme == Qt.ColorScheme.Dark  # "system"; Unknown counts as light


#: Width of the keyboard-focus ring, in device-independent pixels.
FOCUS_RING = 2.0


class FocusRingStyle(QProxyStyle):
    """Fusion, with a keyboard-focus ring that shows on check boxes and push buttons."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create(STYLE))

    def drawPrimitive(  # noqa: N802 - Qt API
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Focus frames (check boxes, radio buttons, item views) as a clear ring."""
        if element == QStyle.PrimitiveElement.PE_FrameFocusRect:
            _ring(painter, option, option.rect.toRectF().adjusted(1, 1, -1, -1))
            return
        super().drawPrimitive(element, option, painter, widget)

    def drawControl(  # noqa: N802 - Qt API
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Push buttons as Fusion draws them, plus a ring while they have keyboard focus."""
        super().drawControl(element, option, painter, widget)
        if element == QStyle.ControlElement.CE_PushButton and (
            option.state & QStyle.StateFlag.State_HasFocus
        ):
            _ring(painter, option, option.rect.toRectF().adjusted(1.5, 1.5, -1.5, -1.5))


def _ring(painter: QPainter, option: QStyleOption, rect: QRectF) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(option.palette.color(Role.Highlight), FOCUS_RING))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect, 3, 3)
    painter.restore()


class _Theme(QObject):
    """The theme in use; follows the platform's colour scheme while it is ``"system"``."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.name = "system"
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._platform_changed)

    def apply(self, name: str) -> None:
        self.name = name if name in NAMES else "system"
        hints = QGuiApplication.styleHints()
        requested = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}
        # Tell the platform too (frames, native dialogs); Unknown = "back to the OS's own".
        hints.setColorScheme(requested.get(self.name, Qt.ColorScheme.Unknown))
        self._set(scheme_is_dark(self.name, hints.colorScheme()))

    @Slot(Qt.ColorScheme)
    def _platform_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.name == "system":
            self._set(scheme_is_dark("system", scheme))

    def _set(self, dark: bool) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        if not isinstance(app.style(), FocusRingStyle):
            app.setStyle(FocusRingStyle())
        app.setPalette(palette(dark))


_current: _Theme | None = None


def apply(name: str) -> None:
    """Use theme ``name`` ("system", "light" or "dark") for the whole application, now.

    Needs the QApplication; every widget repaints with the new palette.
    """
    global _current  # noqa: PLW0603 - one theme per application
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if _current is None or _current.parent() is not app:
        _current = _Theme(app)
    _current.apply(name)


# ------------------------------------------------------------- derived colours


def mix(base: QColor, tint: QColor, amount: float) -> QColor:
    """``base`` with ``amount`` (0..1) of ``tint`` mixed in."""
    keep = 1.0 - amount
    return QColor.fromRgbF(
        base.redF() * keep + tint.redF() * amount,
        base.greenF() * keep + tint.greenF() * amount,
        base.blueF() * keep + tint.blueF() * amount,
    )


def muted_text(source: QPalette) -> QColor:
    """Secondary text: times, "(edited)", pending messages, day separators."""
    return source.color(Role.PlaceholderText)


def avatar_background(source: QPalette) -> QColor:
    """Behind an identicon's cells: a step away from the base, in either scheme."""
    return source.color(Role.Midlight)


def banner_background(source: QPalette) -> QColor:
    """The connection banner: the window colour tinted amber."""
    return mix(source.color(Role.Window), _ATTENTION, 0.28 if is_dark(source) else 0.35)


def document_css(source: QPalette) -> str:
    """The default style sheet of rich message text (links and muted spans), from ``source``.

    Qt bakes colours into a QTextDocument when its HTML is set, so documents made under one
    palette must be made again under another (the delegate keys its cache on this text).
    """
    return (
        "pre, code { font-family: monospace; } pre { white-space: pre-wrap; }"
        f" a {{ color: {source.color(Role.Link).name()}; text-decoration: underline; }}"
        f" .muted {{ color: {muted_text(source).name()}; }}"
    )
