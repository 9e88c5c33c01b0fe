"""The app's own light and dark themes, applied whatever the platform offers.

The suite runs on the ``offscreen`` platform with no platform theme (as a plain X11
desktop has none), where asking Qt for a colour scheme alone changes nothing: these tests
check the palette every widget then paints with, and the pixels of a real widget.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QListWidget
from pytestqt.qtbot import QtBot

from desktopchat.ui import theme
from desktopchat.ui.dialogs import SettingsDialog
from desktopchat.ui.panels import ConnectionBanner
from tests.ui.conftest import QT_CLEAN

pytestmark = [*QT_CLEAN, pytest.mark.usefixtures("restore_theme")]

Role = QPalette.ColorRole
DARK_ENOUGH = 80  # HSL lightness (0-255) below which a colour counts as dark
LIGHT_ENOUGH = 200


def app_colour(role: QPalette.ColorRole) -> QColor:
    return QGuiApplication.palette().color(role)


def looks_dark() -> bool:
    return (
        app_colour(Role.Window).lightness() < DARK_ENOUGH
        and app_colour(Role.Base).lightness() < DARK_ENOUGH
        and app_colour(Role.Text).lightness() > LIGHT_ENOUGH
    )


def looks_light() -> bool:
    return (
        app_colour(Role.Window).lightness() > LIGHT_ENOUGH
        and app_colour(Role.Base).lightness() > LIGHT_ENOUGH
        and app_colour(Role.Text).lightness() < DARK_ENOUGH
    )


def centre_pixel(widget: QListWidget) -> QColor:
    image = widget.viewport().grab().toImage()
    return image.pixelColor(image.width() // 2, image.height() // 2)


def test_choosing_dark_in_settings_makes_the_widgets_dark_at_once(qtbot: QtBot) -> None:
    """Appearance ▸ Dark, as the window wires it (``SettingsFlow.set_theme`` applies it)."""
    assert QGuiApplication.styleHints().colorScheme() is Qt.ColorScheme.Unknown  # no OS scheme
    theme.apply("light")
    listing = QListWidget()
    qtbot.addWidget(listing)
    listing.resize(200, 120)
    listing.show()
    qtbot.waitExposed(listing)
    assert centre_pixel(listing).lightness() > LIGHT_ENOUGH
    dialog = SettingsDialog([], "", "", "light")
    qtbot.addWidget(dialog)
    dialog.theme_changed.connect(theme.apply)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    assert looks_dark()
    # Widgets take the application's palette on their next event-loop turn.
    qtbot.waitUntil(lambda: listing.palette().color(Role.Base).lightness() < DARK_ENOUGH)
    qtbot.waitUntil(lambda: dialog.palette().color(Role.Window).lightness() < DARK_ENOUGH)
    assert centre_pixel(listing).lightness() < DARK_ENOUGH  # what is painted, not only set
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert isinstance(theme.active_style(), theme.FocusRingStyle)  # Fusion, with visible focus
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    assert looks_light()
    qtbot.waitUntil(lambda: centre_pixel(listing).lightness() > LIGHT_ENOUGH)


def test_system_is_light_when_the_os_says_nothing(qtbot: QtBot) -> None:
    theme.apply("dark")
    theme.apply("system")
    assert looks_light()


def test_system_follows_the_os_scheme_while_running(qtbot: QtBot) -> None:
    hints = QGuiApplication.styleHints()
    theme.apply("system")
    assert looks_light()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # what the platform sends on a switch
    assert looks_dark()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert looks_light()


def test_an_explicit_choice_ignores_the_os_switching(qtbot: QtBot) -> None:
    theme.apply("light")
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert looks_light()


def test_an_unknown_name_is_the_system_theme(qtbot: QtBot) -> None:
    theme.apply("dark")
    theme.apply("solarized")
    assert looks_light()


def test_the_banner_follows_the_theme(qtbot: QtBot) -> None:
    """Colours widgets paint themselves come from the palette, so dark is dark there too.

    (Avatars are initials on a colour of their user's, the same in both schemes:
    tests/ui/test_avatars.py.)
    """
    banner = ConnectionBanner()
    qtbot.addWidget(banner)
    banner.set_waiting(1)
    banner.resize(400, banner.sizeHint().height())
    qtbot.waitExposed(banner)
    banner_shade: dict[str, int] = {}
    for name in ("light", "dark"):
        theme.apply(name)
        dark = name == "dark"
        qtbot.waitUntil(lambda dark=dark: theme.is_dark(banner.palette()) is dark)
        banner_shade[name] = banner.grab().toImage().pixelColor(5, 5).lightness()
    assert banner_shade["light"] > LIGHT_ENOUGH - 20
    assert banner_shade["dark"] < DARK_ENOUGH + 20


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_unchecked_box_is_outlined_clearly(qtbot: QtBot, scheme: str) -> None:
    """Fusion outlines check boxes in the window colour darkened: near-black on a dark
    window. Ours reaches WCAG's 3:1 for a control's outline in both schemes."""
    from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton

    from desktopchat.ui.theme.tokens import contrast

    theme.apply(scheme)
    box = QCheckBox("Show notifications")
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    qtbot.waitUntil(lambda: box.palette().color(Role.Window) == app_colour(Role.Window))
    option = QStyleOptionButton()
    box.initStyleOption(option)
    indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    image = box.grab().toImage()
    background = app_colour(Role.Window).name()
    best = max(
        contrast(image.pixelColor(x, y).name(), background)
        for x in range(indicator.left(), indicator.right() + 1)
        for y in range(indicator.top(), indicator.bottom() + 1)
    )
    assert best >= 3.0, f"the box's outline has only {best:.2f}:1 against the window"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_focused_check_box_has_one_ring(qtbot: QtBot, scheme: str) -> None:
    """Tabbed to, a check box shows one ring in the focus colour round box and label (the
    style sheet's); the style drew a second one round the label, inside it. Looked for
    right of the label's text: only the outer ring's edge may be there."""
    from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton, QVBoxLayout, QWidget

    theme.apply(scheme)
    page = QWidget()
    layout = QVBoxLayout(page)
    before, box = QCheckBox("Start in the tray"), QCheckBox("Show notifications")
    layout.addWidget(before)
    layout.addWidget(box)
    qtbot.addWidget(page)
    page.resize(400, page.sizeHint().height())
    page.show()
    qtbot.waitExposed(page)
    before.setFocus()
    qtbot.keyClick(before, Qt.Key.Key_Tab)  # keyboard focus: the focus frame is drawn
    qtbot.waitUntil(box.hasFocus)
    option = QStyleOptionButton()
    box.initStyleOption(option)
    label = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxContents, option, box)
    text_end = label.left() + box.fontMetrics().horizontalAdvance(box.text())
    focus = QColor(theme.colours(box.palette()).focus)
    image = box.grab().toImage()
    middle = image.height() // 2

    def near_focus(x: int) -> bool:
        pixel = image.pixelColor(x, middle)
        return (
            max(
                abs(pixel.red() - focus.red()),
                abs(pixel.green() - focus.green()),
                abs(pixel.blue() - focus.blue()),
            )
            <= 60
        )

    runs, inside = 0, False
    for x in range(text_end + 1, image.width()):
        hit = near_focus(x)
        runs += hit and not inside
        inside = hit
    assert runs == 1, f"{runs} edges of focus colour right of the label: a ring inside the ring"
