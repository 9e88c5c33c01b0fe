"""Two devices of one user: a mention notifies on both, reading it on one clears the other.

Alice's "desktop" and "laptop" are two windows with their own data dirs (two profiles of
one account, as on two machines), against one real hub; the desktop's notifications go to
dunst on a private D-Bus, the laptop's are off (dunst is one screen). Bob writes through
the relay's HTTP API, mentioning Alice by id.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktopchat.client.credentials import MemoryTokenStore
from desktopchat.client.settings import default_settings
from desktopchat.paths import AppDirs
from desktopchat.ui.main_window import MainWindow
from tests.integration.client.helpers import Account
from tests.notify.desktop import NotificationDesktop
from tests.notify.helpers import close_leaked_socket
from tests.notify.test_window_notifications import WAIT_MS, followed, open_window, signed_in


def room_row(window: MainWindow, room: str) -> tuple[int, int, str]:
    """``(unread, mentions, pill label)`` of ``room``'s row in the sidebar, as shown."""
    controller = window.controller
    assert controller is not None
    row = controller.rooms.row_of(room)
    assert row is not None
    pill = window.room_list.shown_pill(row)
    return controller.rooms.unread(room), controller.rooms.mentions(room), pill


@contextlib.contextmanager
def second_device(qtbot: QtBot, root: Path) -> Iterator[MainWindow]:
    """Alice's other device: a window on its own data dir, notifications off."""
    dirs = AppDirs(root / "config", root / "data", root / "cache", root / "logs")
    window = MainWindow(dirs, default_settings(), MemoryTokenStore(), [])
    window.notifications.preferences.enabled = False
    backend = window.notifications.backend
    try:
        window.show()
        qtbot.waitExposed(window)
        yield window
    finally:
        window.quit()
        if backend is not None:
            close_leaked_socket(backend)
        window.deleteLater()


def test_a_mention_read_on_the_laptop_clears_the_desktops_pill_and_notification(
    qtbot: QtBot, desktop: NotificationDesktop, tmp_path: Path, alice: Account, bob: Account
) -> None:
    bob.client.create_room("random", "off topic")
    desktop.close_all()
    with open_window(qtbot) as desk, second_device(qtbot, tmp_path / "laptop") as laptop:
        for window in (desk, laptop):
            signed_in(qtbot, window, alice)  # both look at #general
            followed(qtbot, window, "random")

        alice_id = alice.login.user.id
        bob.client.send("random", "@alice lunch?", uuid.uuid4().hex, mentions=(alice_id,))

        desktop.wait_displayed(1, qtbot)  # a mention: it notifies
        for window in (desk, laptop):
            qtbot.waitUntil(lambda w=window: room_row(w, "random") == (1, 1, "1"), timeout=WAIT_MS)

        laptop.activateWindow()  # Alice turns to the laptop and reads #random there
        qtbot.waitUntil(laptop.isActiveWindow, timeout=WAIT_MS)
        laptop.select_room("random")

        qtbot.waitUntil(lambda: room_row(desk, "random") == (0, 0, ""), timeout=WAIT_MS)
        desktop.wait_displayed(0, qtbot)  # withdrawn on the desktop (CloseNotification)
        assert room_row(laptop, "random") == (0, 0, "")
        assert [(m.room, m.message_id) for m in alice.client.read_state()] == [("random", 1)]
