"""The window's notifications end to end: a real hub and relay, real sessions, real dunst.

Alice runs the window (offscreen) on a private desktop whose notification server is dunst;
Bob writes through the relay's HTTP API. What Alice would see is read back from dunst, and
her click is dunst performing the notification's default action (``dunstctl action 0``).
The server's do-not-disturb, which dunst 1.9 lacks, comes from the stand-in server instead
(``tests/notify/standin.py``).
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktopchat.client.credentials import MemoryTokenStore
from desktopchat.client.notify.freedesktop import FreedesktopBackend
from desktopchat.client.settings import default_settings
from desktopchat.paths import app_dirs
from desktopchat.ui.main_window import MainWindow
from tests.inbox import WAIT
from tests.integration.client.helpers import (
    Account,
)
from tests.notify.desktop import NotificationDesktop
from tests.notify.helpers import close_leaked_socket
from tests.notify.standin import StandInServer

WAIT_MS = int(WAIT * 1000)


@contextlib.contextmanager
def open_window(qtbot: QtBot) -> Iterator[MainWindow]:
    """The main window, shown, its notifications going to the session bus's server; really
    closed afterwards."""
    window = MainWindow(app_dirs(), default_settings(), MemoryTokenStore(), [])
    backend = window.notifications.backend
    try:
        assert isinstance(backend, FreedesktopBackend), window.notification_service
        window.show()
        qtbot.waitExposed(window)
        yield window
    finally:
        window.quit()
        close_leaked_socket(backend)  # see test_freedesktop.py::test_stop_releases_the_connection
        window.deleteLater()
    for thread in threading.enumerate():
        if type(thread).__module__.startswith("pysher"):
            thread.join(WAIT)
            assert not thread.is_alive(), f"pysher thread {thread.name} outlived the window"


@pytest.fixture
def window(desktop: NotificationDesktop, qtbot: QtBot) -> Iterator[MainWindow]:
    """The main window, its notifications going to dunst."""
    desktop.close_all()
    with open_window(qtbot) as window:
        yield window


def signed_in(qtbot: QtBot, window: MainWindow, account: Account) -> None:
    """Attach ``account``'s session and wait until #general is on screen."""
    window.attach(account.login)
    qtbot.waitUntil(
        lambda: (
            window.controller is not None
            and window.controller.current is not None
            and window.controller.current.name == "general"
        ),
        timeout=WAIT_MS,
    )


def followed(qtbot: QtBot, window: MainWindow, room: str) -> None:
    """Wait until ``room``'s backlog is in (the window follows every room; what came before
    is history, not news: only messages after it notify)."""
    controller = window.controller
    assert controller is not None
    sync = controller.session.sync
    qtbot.waitUntil(lambda: sync.last_id(room) is not None, timeout=WAIT_MS)


def notifications_of(desktop: NotificationDesktop, summary: str) -> list[dict[str, object]]:
    """The history entries (closed notifications) of desktopchat titled ``summary``."""
    return [
        e for e in desktop.history() if e["appname"] == "desktopchat" and e["summary"] == summary
    ]


def test_a_message_in_another_room_notifies_and_a_click_opens_it(
    qtbot: QtBot, desktop: NotificationDesktop, window: MainWindow, alice: Account, bob: Account
) -> None:
    bob.client.create_room("random", "off topic")
    signed_in(qtbot, window, alice)  # Alice looks at #general
    followed(qtbot, window, "random")
    controller = window.controller
    assert controller is not None

    bob.client.send("random", "**lunch** at  `noon`?", uuid.uuid4().hex)

    desktop.wait_displayed(1, qtbot)
    desktop.invoke_default_action(0)  # Alice clicks it
    qtbot.waitUntil(
        lambda: controller.current is not None and controller.current.name == "random",
        timeout=WAIT_MS,
    )
    assert window.isVisible()
    assert window.isActiveWindow()
    desktop.wait_displayed(0, qtbot)  # #random is read now: its notification is withdrawn
    desktop.close_all()
    seen = notifications_of(desktop, "bob in #random")
    assert len(seen) == 1, desktop.history()
    assert seen[0]["body"] == "lunch at noon?"  # plain text: no markdown marks
    assert seen[0]["category"] == "im.received"


def test_history_is_not_news(
    qtbot: QtBot, desktop: NotificationDesktop, window: MainWindow, alice: Account, bob: Account
) -> None:
    """Bob wrote in #dev before Alice started the app: only what he writes after notifies."""
    earlier = {e["id"] for e in desktop.history()}  # dunst's history spans the module
    bob.client.create_room("dev", "builds")
    bob.client.send("dev", "yesterday's news", uuid.uuid4().hex)
    signed_in(qtbot, window, alice)
    followed(qtbot, window, "dev")
    with qtbot.assertNotEmitted(window.notifications.delivered):
        window.notifications.flush()  # nothing was collected from the backlog

    bob.client.send("dev", "the build is red", uuid.uuid4().hex)

    desktop.wait_displayed(1, qtbot)
    desktop.close_all()
    seen = [e for e in desktop.history() if e["id"] not in earlier]
    assert [(e["summary"], e["body"]) for e in seen] == [("bob in #dev", "the build is red")]


def test_the_room_on_screen_notifies_while_the_window_is_inactive(
    qtbot: QtBot, desktop: NotificationDesktop, window: MainWindow, alice: Account, bob: Account
) -> None:
    """Alice left #general on screen and switched to another window; coming back reads it."""
    signed_in(qtbot, window, alice)
    followed(qtbot, window, "general")
    controller = window.controller
    assert controller is not None
    elsewhere = QWidget()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(lambda: not controller.window_active, timeout=WAIT_MS)

    bob.client.send("general", "are you there?", uuid.uuid4().hex)

    desktop.wait_displayed(1, qtbot)
    window.activateWindow()  # Alice comes back: #general is read, the notification goes
    qtbot.waitUntil(lambda: controller.window_active, timeout=WAIT_MS)
    desktop.wait_displayed(0, qtbot)
    assert controller.rooms.total_unread() == 0


def test_closing_without_a_tray_really_closes(qtbot: QtBot, window: MainWindow) -> None:
    """Offscreen there is no tray to hide in: closing ends the window and its D-Bus thread."""
    backend = window.notifications.backend
    assert isinstance(backend, FreedesktopBackend)
    assert not window.tray.available
    window.close()
    assert not window.isVisible()
    assert not backend._thread.is_alive()


def test_send_test_notification_reaches_the_server(
    qtbot: QtBot, desktop: NotificationDesktop, window: MainWindow
) -> None:
    assert window.send_test_notification() == "Delivered by freedesktop notifications."
    desktop.wait_displayed(1, qtbot)
    desktop.close_all()
    assert notifications_of(desktop, "desktopchat test")


def test_the_servers_do_not_disturb_reaches_the_center(
    qtbot: QtBot, standin: StandInServer
) -> None:
    """A spec-1.3 server's do-not-disturb (``Inhibited``; dunst 1.9 has none), from the
    stand-in server: on at start, then followed."""
    standin.set_inhibited(True)
    with open_window(qtbot) as window:
        center = window.notifications
        assert center.system_do_not_disturb is True
        standin.set_inhibited(False)
        qtbot.waitUntil(lambda: center.system_do_not_disturb is False, timeout=WAIT_MS)
        standin.set_inhibited(True)
        qtbot.waitUntil(lambda: center.system_do_not_disturb is True, timeout=WAIT_MS)
