"""Settings' Desktop page and the first-start offer, writing real files in the test's XDG homes.

The switches are clicked as a person would; what is checked is the autostart and launcher
entries on disk, and that the offer is made once, remembered, and never when an entry exists.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktopchat.client import settings as settings_file
from desktopchat.client.live_settings import LiveSettings
from desktopchat.client.notify.center import Preferences
from desktopchat.paths import app_dirs
from desktopchat.ui import entry_offer
from desktopchat.ui.desktop_page import DesktopPage
from desktopchat.ui.dialogs import NotificationsPage
from desktopchat.xdg import autostart, entry
from tests.ui.conftest import QT_CLEAN

pytestmark = QT_CLEAN


@pytest.fixture
def page(qtbot: QtBot) -> DesktopPage:
    widget = DesktopPage()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_start_at_login_switch_writes_and_removes_the_autostart_entry(
    page: DesktopPage, qtbot: QtBot
) -> None:
    assert not page.start_at_login.isChecked()
    qtbot.mouseClick(page.start_at_login, Qt.MouseButton.LeftButton)
    assert autostart.enabled()
    assert "--start-in-tray" in autostart.entry_path().read_text()
    assert "start in the tray at login" in page.result.text()
    qtbot.mouseClick(page.start_at_login, Qt.MouseButton.LeftButton)
    assert not autostart.enabled()


def test_the_page_shows_what_is_on_disk(qtbot: QtBot) -> None:
    autostart.enable()
    entry.install()
    widget = DesktopPage()
    qtbot.addWidget(widget)
    assert widget.start_at_login.isChecked()
    assert widget.in_menu.isChecked()


def test_menu_switch_installs_and_removes_the_launcher_entry(
    page: DesktopPage, qtbot: QtBot
) -> None:
    qtbot.mouseClick(page.in_menu, Qt.MouseButton.LeftButton)
    assert entry.installed_entry() == entry.entry_path()
    qtbot.mouseClick(page.in_menu, Qt.MouseButton.LeftButton)
    assert not entry.entry_path().exists()


@pytest.fixture
def live() -> LiveSettings:
    dirs = app_dirs()
    return LiveSettings(dirs.config, settings_file.default_settings())


@pytest.fixture
def offer_allowed(monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory) -> None:
    """As on a real desktop: offers allowed, the platform seen, no system-wide entry."""
    monkeypatch.delenv(entry_offer.OFFER_ENV)
    monkeypatch.setattr(entry_offer, "_UNSEEN_PLATFORMS", set())
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path))


@pytest.mark.usefixtures("offer_allowed")
def test_first_start_offers_once_and_installs_on_yes(live: LiveSettings, qtbot: QtBot) -> None:
    parent = DesktopPage()
    qtbot.addWidget(parent)
    box = entry_offer.offer(parent, live)
    assert box is not None
    assert not box.isModal()
    assert box.isVisible()
    add = next(b for b in box.buttons() if b.text() == "Add to menu")
    with qtbot.waitSignal(box.finished):
        qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert entry.installed_entry() == entry.entry_path()
    assert entry.validate(entry.entry_path()) == ""
    # Remembered in the settings file: a later start does not ask again.
    reloaded = settings_file.load(app_dirs().config)
    assert (reloaded.extra or {})["desktop"]["offer_entry"] is False
    entry.uninstall()
    assert entry_offer.offer(parent, LiveSettings(app_dirs().config, reloaded)) is None


@pytest.mark.usefixtures("offer_allowed")
def test_not_now_installs_nothing_and_is_remembered(live: LiveSettings, qtbot: QtBot) -> None:
    parent = DesktopPage()
    qtbot.addWidget(parent)
    box = entry_offer.offer(parent, live)
    assert box is not None
    later = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole)
    with qtbot.waitSignal(box.finished):
        qtbot.mouseClick(later, Qt.MouseButton.LeftButton)
    assert entry.installed_entry() is None
    assert not entry_offer.wanted(live)


@pytest.mark.usefixtures("offer_allowed")
def test_no_offer_when_an_entry_is_found_or_a_setting_says_not_to(
    live: LiveSettings, qtbot: QtBot
) -> None:
    entry.install()
    assert not entry_offer.wanted(live)
    entry.uninstall()
    assert entry_offer.wanted(live)
    live.update_section("desktop", offer_entry=False)
    assert not entry_offer.wanted(live)


def test_no_offer_in_tests_or_offscreen(live: LiveSettings) -> None:
    assert not entry_offer.wanted(live)


def test_its_switches_line_up_with_the_notifications_page(qtbot: QtBot) -> None:
    """Side by side in Settings, the Desktop page's boxes start where the Notifications
    page's do (it had Qt's default margins, 7 px off)."""
    desktop = DesktopPage()
    notifications = NotificationsPage(Preferences(), ["general"])
    for widget in (desktop, notifications):
        qtbot.addWidget(widget)
        widget.resize(500, 400)
        widget.show()
        qtbot.waitExposed(widget)
    assert desktop.start_at_login.pos() == notifications.enabled.pos()
