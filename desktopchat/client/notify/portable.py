"""macOS and Windows notifications through desktop-notifier.

desktop-notifier is asyncio-based; like the Linux backend it runs on its own loop thread
and reports clicks and button presses back as queued Qt signals. Windows needs the
process's AppUserModelID set at start-up (see :func:`set_windows_app_id`) matching the
Start-menu shortcut, and macOS a signed app bundle, or the OS shows nothing.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktopchat.client.notify.policy import Content

log = logging.getLogger(__name__)

APP_USER_MODEL_ID = "org.desktopchat.DesktopChat"


def set_windows_app_id() -> None:
    """Give the process the AppUserModelID its Start-menu shortcut carries (Windows only)."""
    if sys.platform == "win32":
        import ctypes  # noqa: PLC0415 - Windows only

        ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(APP_USER_MODEL_ID)


class PortableBackend(QObject):
    """Notifications through desktop-notifier (one per room, replaced by clearing first).

    Signals:
        activated(str): a room's notification was clicked.
        action(str, str): room, action key (``mark-read``).
        replied(str, str): room, reply text.
    """

    activated = Signal(str)
    action = Signal(str, str)
    replied = Signal(str, str)

    name = "desktop-notifier"

    def __init__(self, app_name: str, icon: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from desktop_notifier import DesktopNotifier, Icon  # noqa: PLC0415 - optional import

        self._notifier = DesktopNotifier(
            app_name=app_name, app_icon=Icon(path=icon) if icon else None
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="notify", daemon=True)
        self._shown: dict[str, Any] = {}

    def start(self) -> str | None:
        """None when usable, else why not."""
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(
                self._notifier.request_authorisation(), self._loop
            ).result(5)
        except Exception as exc:
            return f"desktop-notifier unavailable ({type(exc).__name__}: {exc})"
        return None

    def stop(self) -> None:
        """End the loop thread."""
        self._loop.call_soon_threadsafe(self._loop.stop)

    def show(self, content: Content, *, sound: bool) -> None:
        """Replace the room's notification with ``content``."""
        asyncio.run_coroutine_threadsafe(self._send(content, sound), self._loop)

    async def _send(self, content: Content, sound: bool) -> None:
        from desktop_notifier import DEFAULT_SOUND, Button, ReplyField  # noqa: PLC0415

        key = content.room or ""
        previous = self._shown.pop(key, None)
        if previous is not None:
            await self._notifier.clear(previous)
        buttons = []
        reply = None
        if content.room is not None:
            buttons = [
                Button(title="Mark as read", on_pressed=lambda: self.action.emit(key, "mark-read"))
            ]
            reply = ReplyField(on_replied=lambda text: self.replied.emit(key, text))
        self._shown[key] = await self._notifier.send(
            title=content.title,
            message=content.body,
            buttons=buttons,
            reply_field=reply,
            on_clicked=lambda: self.activated.emit(key),
            sound=DEFAULT_SOUND if sound else None,
        )

    def withdraw(self, room: str | None) -> None:
        """Remove the room's notification."""
        notification = self._shown.pop(room or "", None)
        if notification is not None:
            asyncio.run_coroutine_threadsafe(self._notifier.clear(notification), self._loop)
