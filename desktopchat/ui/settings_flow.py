"""Settings and profiles from the window: the Settings dialog, the Profiles menu, the theme.

One home for what the user changes about the app rather than the chat: servers (profiles),
the display name, the theme (applied at once), notification preferences, and the desktop
(start at login, the applications-menu entry). The window asks
for the dialog or the menu; this wires them to :class:`LiveSettings` and tells the window,
through signals, what it must act on (open another profile, sign in).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QWidget

from desktopchat.client.live_settings import LiveSettings
from desktopchat.client.session import ChatSession
from desktopchat.client.settings import Profile
from desktopchat.ui import theme
from desktopchat.ui.window_notifications import WindowNotifications

if TYPE_CHECKING:  # the dialogs module loads when a dialog opens, not before the paint
    from desktopchat.ui.dialogs import SettingsDialog


class SettingsFlow(QObject):
    """Settings dialog and Profiles menu for one main window.

    Signals:
        profile_chosen(object): the user picked a :class:`Profile` to open.
        sign_in_requested(): "Sign in to another server…".
        status(str): what to tell the user on the notice line.
    """

    profile_chosen = Signal(object)
    sign_in_requested = Signal()
    status = Signal(str)

    def __init__(self, live: LiveSettings, notifier: WindowNotifications, window: QWidget) -> None:
        super().__init__(window)
        self._live = live
        self._notifier = notifier
        self._window = window

    def fill_profiles_menu(self, menu: QMenu) -> None:
        """One checkable entry per profile, the current one checked."""
        menu.clear()
        settings = self._live.current
        for profile in settings.profiles.values():
            label = f"{profile.name} ({'this computer' if profile.embedded else profile.server})"
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(profile.name == settings.current)
            action.triggered.connect(lambda _=False, p=profile: self.switch_profile(p))

    def switch_profile(self, profile: Profile) -> None:
        """Make ``profile`` current; the window opens it."""
        self._live.use_profile(profile)
        self.profile_chosen.emit(profile)

    def show_settings(
        self, session: ChatSession | None, display_name: str, rooms: list[str]
    ) -> SettingsDialog:
        """Servers, account, appearance and notifications."""
        from desktopchat.ui.desktop_page import DesktopPage  # noqa: PLC0415 - ditto
        from desktopchat.ui.dialogs import SettingsDialog  # noqa: PLC0415 - not before paint

        settings = self._live.current
        dialog = SettingsDialog(
            list(settings.profiles.values()),
            settings.current,
            display_name,
            str(self._live.section("ui").get("theme", "system")),
            self._window,
        )
        dialog.theme_changed.connect(self.set_theme)
        dialog.display_name_changed.connect(lambda name: self._set_display_name(session, name))
        dialog.profile_removed.connect(self._remove_profile)
        dialog.sign_in_requested.connect(self.sign_in_requested)
        page = dialog.add_notifications_page(self._notifier.preferences, rooms)
        page.changed.connect(self._notifier.set_preferences)
        page.test_requested.connect(lambda: page.show_result(self._notifier.send_test()))
        dialog.tabs.addTab(DesktopPage(dialog), "Desktop")
        dialog.open()
        return dialog

    def set_theme(self, name: str) -> None:
        """Use theme ``name`` now, and from now on."""
        theme.apply(name)
        self._live.update_section("ui", theme=name)

    def _set_display_name(self, session: ChatSession | None, name: str) -> None:
        if session is None or not name:
            return
        relay = session.relay
        done: Callable[[object], None] = lambda user: self.status.emit(  # noqa: E731
            f"Your name is now {getattr(user, 'display_name', name)}"
        )
        session.tasks.run(
            lambda: relay().set_display_name(name),
            done,
            lambda exc: self.status.emit(f"Could not change the name: {exc}"),
        )

    def _remove_profile(self, name: str) -> None:
        if not self._live.remove_profile(name):
            self.status.emit("The current profile cannot be removed")
