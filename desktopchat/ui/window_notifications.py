"""The window's notification wiring: the service, the tray, the in-app toast, preferences.

One home for everything between "a message arrived" and "the user clicked a
notification": the :class:`NotificationCenter` (policy and coalescing, in the client
core) over the desktop's service, with the tray balloon and a toast as fallbacks; the
do-not-disturb switch (ours and the system's); saving the user's choices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QWidget

from desktopchat.client.notify.center import Backend, NotificationCenter, Preferences
from desktopchat.client.notify.policy import Content, Situation
from desktopchat.client.settings import Settings
from desktopchat.ui import notifications
from desktopchat.ui.toast import Toast
from desktopchat.ui.tray import Tray

log = logging.getLogger(__name__)


class WindowNotifications(QObject):
    """Notifications for one main window.

    Signals:
        open_room(str): a notification or the toast was clicked ("" = just the window).
        mark_read(str): "Mark as read" on a room's notification.
        reply(str, str): room, text typed into a notification's inline reply.
        toggle_window(): the tray icon was clicked.
        quit_requested(): the tray's Quit.
        do_not_disturb_changed(bool): the user switched do-not-disturb (save and show it).
    """

    open_room = Signal(str)
    mark_read = Signal(str)
    reply = Signal(str, str)
    toggle_window = Signal()
    quit_requested = Signal()
    do_not_disturb_changed = Signal(bool)

    def __init__(
        self,
        window: QWidget,
        icon: QIcon,
        settings: Settings,
        situation: Callable[[], Situation],
        save: Callable[[dict[str, Any]], None],
        *,
        start_service: bool = True,
    ) -> None:
        super().__init__(window)
        self._save = save
        self.tray = Tray(icon, window)
        self.toast = Toast(window)
        self.backend: Backend | None = None
        #: Which service delivers notifications (or why none does), for the Settings dialog.
        self.service = "not started yet"
        self._started = False
        self.center = NotificationCenter(
            None,
            [
                ("the tray's message bubble", self.tray.balloon),
                ("an in-app toast", self.toast.show_content),
            ],
            situation,
            notifications.load_preferences(settings),
            self,
        )
        self.center.open_room.connect(self.open_room)
        self.center.mark_read.connect(self.mark_read)
        self.center.reply.connect(self.reply)
        self.toast.clicked.connect(self.open_room)
        self.tray.toggle_window.connect(self.toggle_window)
        self.tray.quit_requested.connect(self.quit_requested)
        self.tray.do_not_disturb.connect(self.set_do_not_disturb)
        self.tray.set_do_not_disturb(self.center.preferences.do_not_disturb)
        if start_service:
            self.start_service()

    def start_service(self) -> None:
        """Connect to the desktop's notification service (once; the tray and toast meanwhile).

        Connecting (D-Bus, or desktop-notifier's loop) takes 0.05 to 0.2 s, so the window
        does it after its first paint rather than in its constructor.
        """
        if self._started:
            return
        self._started = True
        self.backend, self.service = notifications.start_backend()
        backend: Any = self.backend
        if backend is None:
            return
        self.center.use_backend(backend)
        if hasattr(backend, "inhibited_changed"):
            self.center.system_do_not_disturb = bool(getattr(backend, "inhibited", False))
            backend.inhibited_changed.connect(self._system_do_not_disturb)

    @property
    def preferences(self) -> Preferences:
        """The user's notification settings."""
        return self.center.preferences

    def set_preferences(self, preferences: Preferences) -> None:
        """New settings from the Settings dialog: use and save them."""
        self.center.preferences = preferences
        self.tray.set_do_not_disturb(preferences.do_not_disturb)
        self.do_not_disturb_changed.emit(preferences.do_not_disturb)
        self._save(notifications.preferences_table(preferences))

    def set_do_not_disturb(self, on: bool) -> None:
        """Silence (or allow) notifications, mentions included."""
        self.center.preferences.do_not_disturb = on
        self.tray.set_do_not_disturb(on)
        self.do_not_disturb_changed.emit(on)
        self._save(notifications.preferences_table(self.center.preferences))

    def _system_do_not_disturb(self, on: bool) -> None:
        self.center.system_do_not_disturb = on

    def room_read(self, room: str) -> None:
        """A room was looked at: its notification and toast go."""
        self.center.read(room)
        self.toast.withdraw(room)

    def send_test(self) -> str:
        """Show a test notification; say which channel delivered it."""
        content = Content(None, "desktopchat test", "If you can read this, notifications work.", 1)
        delivered = self.center.show(content)
        if delivered is None:
            return "Nothing could show it: no notification service, no tray, window hidden."
        return f"Delivered by {delivered}."

    def stop(self) -> None:
        """Quitting: let go of the service."""
        backend: Any = self.backend
        if backend is not None and hasattr(backend, "stop"):
            backend.stop()
