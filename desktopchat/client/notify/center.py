"""Turning arriving messages into few, useful notifications.

Messages that pass the policy are collected for a moment: a burst in one room becomes
one notification ("3 new messages in #general") that replaces that room's previous one,
and it keeps counting until the room is read (three messages a second apart say "3 new
messages", not just the last one);
a burst across rooms — typically the backlog after a reconnect — becomes one summary.
Reading a room withdraws its notification. Delivery goes to the first channel that
works: the desktop's notification service, else the tray balloon, else an in-app toast;
each fallback is logged with the reason, so nothing is silently dropped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

from desktopchat.client.domain import Message
from desktopchat.client.notify.policy import (
    Content,
    RoomMode,
    Situation,
    room_content,
    should_notify,
    summary_content,
)

log = logging.getLogger(__name__)

#: Milliseconds messages are collected before one notification goes out.
COALESCE_MS = 400
#: After the service fails, seconds of fallbacks before it is tried again.
BACKEND_REST_SECONDS = 60


class Backend(Protocol):
    """A notification service (freedesktop, or desktop-notifier on macOS and Windows)."""

    name: str
    activated: SignalInstance
    action: SignalInstance
    replied: SignalInstance

    def show(self, content: Content, *, sound: bool) -> None:
        """Show or replace the notification for ``content.room``."""

    def withdraw(self, room: str | None) -> None:
        """Close the notification for ``room`` (None: the summary)."""


Fallback = tuple[str, Callable[[Content], bool]]
"""A named way to show a notification when there is no service; returns False if it can't."""


@dataclass(slots=True)
class Preferences:
    """The user's notification settings."""

    enabled: bool = True
    sound: bool = False
    do_not_disturb: bool = False
    room_modes: dict[str, RoomMode] = field(default_factory=dict)


class NotificationCenter(QObject):
    """Policy, coalescing, replacement and withdrawal on top of a backend.

    Signals:
        open_room(str): the user clicked a room's notification (bring the window there).
        mark_read(str): the user chose "Mark as read".
        reply(str, str): room, text typed into an inline reply.
        delivered(str): which channel showed the last notification (for "send a test").
    """

    open_room = Signal(str)
    mark_read = Signal(str)
    reply = Signal(str, str)
    delivered = Signal(str)

    def __init__(
        self,
        backend: Backend | None,
        fallbacks: list[Fallback],
        situation: Callable[[], Situation],
        preferences: Preferences,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.fallbacks = fallbacks
        self.preferences = preferences
        self._situation = situation
        self.system_do_not_disturb = False
        self._resting_until = 0.0
        self._pending: dict[str, list[Message]] = {}
        #: What each room's notification has told of since the room was last read.
        self._unseen: dict[str, list[Message]] = {}
        self._shown: set[str | None] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self.flush)
        if backend is not None:
            self.use_backend(backend)

    def use_backend(self, backend: Backend) -> None:
        """Deliver through ``backend`` from now on (the window starts it after its first paint)."""
        self.backend = backend
        backend.activated.connect(self._activated)
        backend.action.connect(self._action)
        backend.replied.connect(self.reply)
        failed = getattr(backend, "failed", None)
        if failed is not None:
            failed.connect(self._backend_failed)

    def offer(self, room: str, messages: list[Message]) -> None:
        """New messages from others; those the policy lets through are notified shortly."""
        if not self.preferences.enabled:
            return
        situation = self._situation()
        situation = Situation(
            situation.own_user_id,
            situation.own_names,
            situation.window_active,
            situation.room_on_screen,
            do_not_disturb=self.preferences.do_not_disturb,
            system_do_not_disturb=self.system_do_not_disturb,
            room_modes=self.preferences.room_modes,
        )
        wanted = [m for m in messages if should_notify(m, situation)]
        if wanted:
            self._pending.setdefault(room, []).extend(wanted)
            if not self._timer.isActive():
                self._timer.start()

    def flush(self) -> None:
        """Show what was collected: one notification per room, or one summary."""
        self._timer.stop()
        pending, self._pending = self._pending, {}
        if not pending:
            return
        for room, messages in pending.items():
            self._unseen.setdefault(room, []).extend(messages)
        if len(pending) == 1:
            room = next(iter(pending))
            self.show(room_content(room, self._unseen[room]))
        else:
            self.show(summary_content({room: self._unseen[room] for room in pending}))

    def show(self, content: Content) -> str | None:
        """Deliver ``content`` through the first channel that works; return its name."""
        if self.backend is not None and time.monotonic() >= self._resting_until:
            try:
                self.backend.show(content, sound=self.preferences.sound)
            except Exception:  # a broken service must not take the app down
                log.exception("notification service failed; trying the fallbacks")
            else:
                self._shown.add(content.room)
                self.delivered.emit(self.backend.name)
                return self.backend.name
        for name, fallback in self.fallbacks:
            if fallback(content):
                log.info("notified through %s (no notification service)", name)
                self.delivered.emit(name)
                return name
        log.warning("no way to show a notification: %s", content.title)
        return None

    def _backend_failed(self, reason: str) -> None:
        """The service failed: use the fallbacks for a while, then try it again."""
        if self.backend is not None:
            log.warning(
                "%s failed (%s); notifying through the fallbacks for %d s",
                self.backend.name,
                reason,
                BACKEND_REST_SECONDS,
            )
            self._resting_until = time.monotonic() + BACKEND_REST_SECONDS

    def read(self, room: str) -> None:
        """The user looked at ``room``: withdraw its notification (and a stale summary)."""
        self._pending.pop(room, None)
        self._unseen.pop(room, None)
        for key in (room, None):
            if key in self._shown and self.backend is not None:
                self.backend.withdraw(key)
                self._shown.discard(key)

    def _activated(self, room: str) -> None:
        self.open_room.emit(room)  # "" for the summary: just bring the window up

    def _action(self, room: str, action: str) -> None:
        if action == "mark-read" and room:
            self.mark_read.emit(room)
            self.read(room)
