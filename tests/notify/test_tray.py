"""The tray's badge and fallbacks, and the in-app toast (offscreen: there is no tray)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from desktopchat.client.notify.policy import Content
from desktopchat.ui.toast import SHOWN_MS, Toast
from desktopchat.ui.tray import BADGE_SIZE, Tray, badge_pixmap

BASE_COLOUR = QColor("#2060c0")
BADGE_COLOUR = QColor("#e01e5a")


@pytest.fixture
def base_icon(qtbot: QtBot) -> QIcon:
    """A plain blue square icon: every pixel of it is BASE_COLOUR."""
    pixmap = QPixmap(BADGE_SIZE, BADGE_SIZE)
    pixmap.fill(BASE_COLOUR)
    return QIcon(pixmap)


def image(pixmap: QPixmap) -> QImage:
    return pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)


def colour_at(pixmap: QPixmap, x: float, y: float) -> QColor:
    return image(pixmap).pixelColor(int(x), int(y))


def close(a: QColor, b: QColor, tolerance: int = 8) -> bool:
    return all(abs(p - q) <= tolerance for p, q in zip(a.getRgb(), b.getRgb(), strict=True))


# -------------------------------------------------------------------------- badge


def test_no_unread_is_the_plain_icon(base_icon: QIcon) -> None:
    plain = base_icon.pixmap(BADGE_SIZE, BADGE_SIZE)
    assert image(badge_pixmap(base_icon, 0)) == image(plain)
    assert image(badge_pixmap(base_icon, -3)) == image(plain)


def test_unread_draws_a_red_badge_top_right(base_icon: QIcon) -> None:
    badged = badge_pixmap(base_icon, 3)
    assert (badged.width(), badged.height()) == (BADGE_SIZE, BADGE_SIZE)
    diameter = BADGE_SIZE * 0.58
    centre_x, centre_y = BADGE_SIZE - diameter / 2, diameter / 2
    assert colour_at(badged, centre_x, centre_y) != BASE_COLOUR  # the digit or the disc
    # Inside the disc, above the digit: the badge's red.
    assert close(colour_at(badged, centre_x, diameter * 0.1), BADGE_COLOUR)
    # Far from the badge the icon is untouched.
    assert colour_at(badged, 2, BADGE_SIZE - 3) == BASE_COLOUR


def test_counts_are_written_into_the_badge(base_icon: QIcon) -> None:
    assert image(badge_pixmap(base_icon, 3)) != image(badge_pixmap(base_icon, 7))
    assert image(badge_pixmap(base_icon, 42)) != image(badge_pixmap(base_icon, 99))


@pytest.mark.parametrize("count", [100, 1000, 10**9])
def test_large_counts_read_99_plus(base_icon: QIcon, count: int) -> None:
    big = image(badge_pixmap(base_icon, count))
    assert big == image(badge_pixmap(base_icon, 100))
    assert big != image(badge_pixmap(base_icon, 99))


# --------------------------------------------------------------------------- tray


def test_without_a_system_tray_there_is_no_tray_icon(qtbot: QtBot, base_icon: QIcon) -> None:
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen has none
    tray = Tray(base_icon)
    assert tray.icon is None
    assert tray.available is False
    assert tray.balloon(Content("general", "Bob in #general", "hi", 1)) is False
    tray.set_unread(5)  # nothing to draw into, and no error
    tray.set_do_not_disturb(True)


# -------------------------------------------------------------------------- toast


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    widget.resize(800, 600)
    qtbot.addWidget(widget)
    return widget


def test_a_toast_needs_a_visible_window(qtbot: QtBot, window: QWidget) -> None:
    toast = Toast(window)
    assert toast.isHidden()
    assert toast.show_content(Content("general", "Bob in #general", "hi", 1)) is False
    assert toast.isHidden()


def test_a_toast_shows_plain_text(qtbot: QtBot, window: QWidget) -> None:
    window.show()
    qtbot.waitExposed(window)
    toast = Toast(window)
    title, body = "<b>x</b> in #general", "a & <i>b</i> <img src='y.png'>"
    assert toast.show_content(Content("general", title, body, 1)) is True
    assert toast.isVisible()
    assert (toast.title.text(), toast.body.text()) == (title, body)
    for label in (toast.title, toast.body):
        assert label.textFormat() == Qt.TextFormat.PlainText
    # As HTML the title would render as a short "x in #general": the tags are on screen.
    as_html = QLabel()
    as_html.setFont(toast.title.font())
    as_html.setTextFormat(Qt.TextFormat.RichText)
    as_html.setText(title)
    assert toast.title.sizeHint().width() > as_html.sizeHint().width()
    assert toast.title.sizeHint().width() >= toast.title.fontMetrics().horizontalAdvance(title)
    # Inside the window, on its right, and it goes away by itself.
    assert window.rect().contains(toast.geometry())
    assert toast.geometry().right() > window.width() // 2
    assert toast._timer.isActive()
    assert toast._timer.interval() == SHOWN_MS


@pytest.mark.parametrize(("room", "expected"), [("random", "random"), (None, "")])
def test_clicking_a_toast_opens_its_room(
    qtbot: QtBot, window: QWidget, room: str | None, expected: str
) -> None:
    window.show()
    qtbot.waitExposed(window)
    toast = Toast(window)
    assert toast.show_content(Content(room, "a title", "a body", 1))
    with qtbot.waitSignal(toast.clicked) as clicked:
        qtbot.mouseClick(toast, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert clicked.args == [expected]
    assert toast.isHidden()


def test_reading_the_room_withdraws_its_toast(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QWidget

    from desktopchat.client.notify.policy import Content
    from desktopchat.ui.toast import Toast

    window = QWidget()
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    toast = Toast(window)
    assert toast.show_content(Content("general", "Bob in #general", "hi", 1))
    toast.withdraw("random")
    assert toast.isVisible()  # another room's read leaves it
    toast.withdraw("general")
    assert not toast.isVisible()


def test_the_toast_floats_over_the_messages_not_the_composer(qtbot: QtBot) -> None:
    """In the real window the toast sits at the messages area's top right: the bottom
    right is the composer's Send button and the newest message, which it must not hide."""
    from desktopchat.client.credentials import MemoryTokenStore
    from desktopchat.client.settings import default_settings
    from desktopchat.paths import app_dirs
    from desktopchat.ui.main_window import MainWindow

    window = MainWindow(app_dirs(), default_settings(), MemoryTokenStore(), [], defer_services=True)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    try:
        toast = window.toast
        assert toast.show_content(Content("general", "Bob in #general", "hi " * 40, 1))
        composer = window.composer_box
        composer_rect = composer.geometry().translated(
            composer.parentWidget().mapTo(window, QPoint())
        )
        messages = window.messages
        messages_rect = messages.geometry().translated(
            messages.parentWidget().mapTo(window, QPoint())
        )
        assert not toast.geometry().intersects(composer_rect)
        assert messages_rect.contains(toast.geometry())
        assert toast.geometry().top() < messages_rect.center().y()  # the top half
        assert toast.geometry().right() > messages_rect.center().x()  # the right half
    finally:
        window.quit()


def test_a_long_toast_title_is_elided_not_cut(qtbot: QtBot, window: QWidget) -> None:
    """ "Carol in #release-planning-for-the-next-quarter" is wider than the toast: it ends
    in "…" within the toast, and the whole is in its tooltip."""
    window.show()
    qtbot.waitExposed(window)
    toast = Toast(window)
    title = "Carol Tester in #release-planning-for-the-next-quarter-and-the-one-after"
    assert toast.show_content(Content("release", title, "see the plan", 1)) is True
    qtbot.waitUntil(lambda: toast.title.text().endswith("…"))
    shown = toast.title.text()
    assert title.startswith(shown.removesuffix("…"))
    assert toast.title.fontMetrics().horizontalAdvance(shown) <= toast.title.contentsRect().width()
    assert toast.title.toolTip() == title
