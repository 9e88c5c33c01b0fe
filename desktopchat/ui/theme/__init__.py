"""The app's own look: design tokens, a palette and a style sheet from them, light and dark.

- :mod:`.tokens` — every colour, space, radius and size (plain values, no Qt);
- :mod:`.palette` — the QPalette made from the tokens;
- :mod:`.stylesheet` — the application style sheet made from the tokens;
- :mod:`.style` — Fusion with a visible focus ring.

Why not only ``QStyleHints.setColorScheme``: that asks the *platform theme* to switch, and
a plain X11 desktop (no GTK or KDE platform theme) has none, so the setting was saved and
the window stayed light. Here palette and style sheet are the app's own and are set on the
QApplication whatever the platform offers.

``"system"`` follows the OS scheme where the platform reports one
(``styleHints().colorScheme()``, and ``colorSchemeChanged`` while running) and is light when
it says ``Unknown``. An explicit choice is also passed on to the platform, so window frames
and native dialogs can follow where the platform supports that.

Widgets that paint for themselves (the message and room delegates, avatars, the tray badge)
ask :func:`colours` for the tokens of the palette they paint with.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktopchat.ui.theme import palette as _palette
from desktopchat.ui.theme import stylesheet
from desktopchat.ui.theme.style import BASE_STYLE, FocusRingStyle
from desktopchat.ui.theme.tokens import (
    BADGE,
    DARK,
    LIGHT,
    ON_BADGE,
    Colours,
    Font,
    Radius,
    Size,
    Space,
    body_point_size,
    scheme,
)

__all__ = [
    "BADGE_BACKGROUND",
    "BADGE_TEXT",
    "DARK",
    "LIGHT",
    "NAMES",
    "STYLE",
    "Colours",
    "FocusRingStyle",
    "Font",
    "Radius",
    "Size",
    "Space",
    "active_style",
    "apply",
    "avatar_background",
    "colours",
    "document_css",
    "font",
    "forget",
    "is_dark",
    "mix",
    "muted_text",
    "palette",
    "qcolor",
    "scheme_is_dark",
]

#: The names the settings store, in the order the Settings dialog offers them.
NAMES = ("system", "light", "dark")
STYLE = BASE_STYLE
BADGE_BACKGROUND = QColor(BADGE)
BADGE_TEXT = QColor(ON_BADGE)

Role = QPalette.ColorRole


def palette(dark: bool) -> QPalette:
    """The app's dark or light palette (every role set, disabled text dimmed)."""
    return _palette.build(scheme(dark))


def is_dark(source: QPalette) -> bool:
    """Whether ``source`` is a dark palette (light text on a dark window)."""
    return source.color(Role.Window).lightness() < source.color(Role.WindowText).lightness()


def colours(source: QPalette | None = None) -> Colours:
    """The tokens for ``source`` (default: the application's palette).

    A widget under a style-sheet rule ``background: transparent`` has a transparent window
    colour, which says nothing about the scheme: then the application's palette decides.
    """
    if source is None or source.color(Role.Window).alpha() < 255:
        source = QGuiApplication.palette()
    return scheme(is_dark(source))


def qcolor(value: str) -> QColor:
    """A token's QColor (``#rrggbb`` or ``#aarrggbb``)."""
    return QColor(value)


def scheme_is_dark(name: str, platform_scheme: Qt.ColorScheme) -> bool:
    """Whether theme ``name`` means dark when the platform reports ``platform_scheme``."""
    if name == "dark":
        return True
    if name == "light":
        return False
    return platform_scheme == Qt.ColorScheme.Dark  # "system"; Unknown counts as light


def font(base: QFont, scale: float = 1.0, weight: QFont.Weight | None = None) -> QFont:
    """``base`` at ``scale`` times its size (see :class:`Font`), optionally in ``weight``."""
    result = QFont(base)
    if scale != 1.0 and base.pointSizeF() > 0:
        result.setPointSizeF(base.pointSizeF() * scale)
    if weight is not None:
        result.setWeight(weight)
    return result


class _Theme(QObject):
    """The theme in use; follows the platform's colour scheme while it is ``"system"``."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.name = "system"
        self.style: FocusRingStyle | None = None
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._platform_changed)
        body = app.font()
        body.setPointSizeF(body_point_size(body.pointSizeF()))
        app.setFont(body)

    def apply(self, name: str) -> None:
        self.name = name if name in NAMES else "system"
        hints = QGuiApplication.styleHints()
        requested = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}
        # Tell the platform too (frames, native dialogs); Unknown = "back to the OS's own".
        hints.setColorScheme(requested.get(self.name, Qt.ColorScheme.Unknown))
        self._set(scheme_is_dark(self.name, hints.colorScheme()))

    @Slot(Qt.ColorScheme)
    def _platform_changed(self, platform_scheme: Qt.ColorScheme) -> None:
        if self.name == "system":
            self._set(scheme_is_dark("system", platform_scheme))

    def _set(self, dark: bool) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        if self.style is None:
            # The application owns it from here; with a style sheet set, app.style() is
            # Qt's style-sheet wrapper around this one.
            self.style = FocusRingStyle()
            app.setStyle(self.style)
        app.setPalette(palette(dark))
        sheet = stylesheet.build(scheme(dark))
        if app.styleSheet() != sheet:  # re-polishing every widget is not free
            app.setStyleSheet(sheet)


_current: _Theme | None = None


def apply(name: str) -> None:
    """Use theme ``name`` ("system", "light" or "dark") for the whole application, now.

    Needs the QApplication; every widget repaints with the new palette and style sheet.
    """
    global _current  # noqa: PLW0603 - one theme per application
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if _current is None or _current.parent() is not app:
        _current = _Theme(app)
    _current.apply(name)


def forget() -> None:
    """Forget the theme in use (for code that has put back another style and palette)."""
    global _current  # noqa: PLW0603 - one theme per application
    if _current is not None:
        QGuiApplication.styleHints().colorSchemeChanged.disconnect(_current._platform_changed)
        _current.deleteLater()
    _current = None


def active_style() -> FocusRingStyle | None:
    """The style under the style sheet (``None`` before the first :func:`apply`)."""
    return _current.style if _current is not None else None


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
    return QColor(colours(source).text_muted)


def document_css(source: QPalette) -> str:
    """The default style sheet of rich message text (links, code, quotes, muted spans).

    Qt bakes colours into a QTextDocument when its HTML is set, so documents made under one
    palette must be made again under another (the delegate keys its cache on this text).
    """
    c = colours(source)
    return (
        "pre, code { font-family: monospace; }"
        f" code {{ background-color: {c.code_background}; color: {c.code_text}; }}"
        f" pre {{ white-space: pre-wrap; background-color: {c.code_background};"
        f" color: {c.text}; }}"
        f" blockquote {{ color: {c.text_muted}; }}"
        f" a {{ color: {c.link}; text-decoration: underline; }}"
        f" .muted {{ color: {c.text_muted}; }}"
    )


def avatar_background(source: QPalette) -> QColor:
    """Behind a picture avatar's transparent parts: a step away from the surface."""
    return QColor(colours(source).border)
