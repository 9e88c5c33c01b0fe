"""Choosing the notification service and keeping the user's notification settings."""

from __future__ import annotations

import logging
import sys
from typing import Any

from desktopchat.client.notify.center import Backend, Preferences
from desktopchat.client.notify.policy import RoomMode
from desktopchat.client.settings import Settings
from desktopchat.resources import APP_ICON_SVG, app_icon_png, resource
from desktopchat.xdg.entry import ENTRY_ID

log = logging.getLogger(__name__)

#: The ``desktop-entry`` hint: the ID of the entry ``desktopchat desktop-entry install``
#: (and the .deb) installs, so desktop settings list the app's notifications under it.
DESKTOP_ENTRY = ENTRY_ID


def start_backend() -> tuple[Backend | None, str]:
    """The platform's notification service, or None and the reason it is unavailable."""
    icon = app_icon_png(128) or resource(APP_ICON_SVG)
    backend: Any
    if sys.platform.startswith("linux"):
        from desktopchat.client.notify.freedesktop import FreedesktopBackend  # noqa: PLC0415

        backend = FreedesktopBackend("desktopchat", DESKTOP_ENTRY, icon)
    else:
        from desktopchat.client.notify.portable import PortableBackend  # noqa: PLC0415

        backend = PortableBackend("desktopchat", icon)
    reason: str | None = backend.start()
    if reason is not None:
        log.warning("notifications: %s; using the tray or in-app toasts instead", reason)
        return None, reason
    return backend, str(backend.name)


def load_preferences(settings: Settings) -> Preferences:
    """The ``[notifications]`` table of the settings (defaults: on, silent)."""
    table = (settings.extra or {}).get("notifications", {})
    if not isinstance(table, dict):
        return Preferences()
    modes: dict[str, RoomMode] = {}
    for room, mode in dict(table.get("rooms", {})).items():
        try:
            modes[str(room)] = RoomMode(mode)
        except ValueError:
            log.warning("ignoring unknown notification mode %r for #%s", mode, room)
    return Preferences(
        enabled=bool(table.get("enabled", True)),
        sound=bool(table.get("sound", False)),
        do_not_disturb=bool(table.get("do_not_disturb", False)),
        room_modes=modes,
    )


def preferences_table(preferences: Preferences) -> dict[str, Any]:
    """The ``[notifications]`` table for ``preferences``."""
    return {
        "enabled": preferences.enabled,
        "sound": preferences.sound,
        "do_not_disturb": preferences.do_not_disturb,
        "rooms": {room: mode.value for room, mode in preferences.room_modes.items()},
    }
