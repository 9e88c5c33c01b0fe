"""Linux notifications: ``org.freedesktop.Notifications`` over the session bus (dbus-fast).

Each room has one notification, replaced in place (``replaces_id``) by the next and closed
when the room is read. Hints: ``desktop-entry`` (so desktop settings list the app),
``category=im.received``, and a sound only when asked. The body is escaped when the
server renders markup. The server's ``Inhibited`` property (its do-not-disturb) is read
at start and followed through ``PropertiesChanged``.

dbus-fast is asyncio-based; it runs on its own event-loop thread and reports back through
queued Qt signals, so the GUI thread never waits on the bus.
"""

from __future__ import annotations

import asyncio
import html
import logging
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from PySide6.QtCore import QObject, Signal

from desktopchat.client.notify.policy import Content

log = logging.getLogger(__name__)
T = TypeVar("T")

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
#: Action keys; "default" is what a click on the notification body invokes.
DEFAULT_ACTION = "default"
MARK_READ_ACTION = "mark-read"
REPLY_ACTION = "inline-reply"
#: Seconds to wait for the bus at start-up and for each call.
CALL_TIMEOUT = 3.0


class FreedesktopBackend(QObject):
    """Notifications through the freedesktop notification server.

    Signals:
        activated(str): the notification of this room (key) was clicked.
        action(str, str): room key, action key (``mark-read``).
        replied(str, str): room key, text typed into an inline reply.
        inhibited_changed(bool): the server's do-not-disturb state.
        failed(str): a call to the server failed (it may have gone away).
    """

    activated = Signal(str)
    action = Signal(str, str)
    replied = Signal(str, str)
    inhibited_changed = Signal(bool)
    failed = Signal(str)

    name = "freedesktop notifications"

    def __init__(
        self, app_name: str, desktop_entry: str, icon: Path | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._app_name = app_name
        self._desktop_entry = desktop_entry
        self._icon = icon.as_uri() if icon is not None else ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="notify-dbus", daemon=True
        )
        self._bus: MessageBus | None = None
        self._ids: dict[str, int] = {}  # room key -> notification id (only touched on the loop)
        #: Notify and CloseNotification one at a time, in call order: a show or withdraw
        #: must see the id the previous show of the same room got.
        self._serial = asyncio.Lock()
        self.capabilities: frozenset[str] = frozenset()
        self.server: str = ""
        self.inhibited = False
        self._server_name = ""

    # -------------------------------------------------------------------- lifecycle

    def start(self) -> str | None:
        """Connect; None when ready, else the reason this backend is unavailable."""
        self._thread.start()
        try:
            self._run(self._connect(), CALL_TIMEOUT)
        except Exception as exc:
            self.stop()
            return f"no notification server on the session bus ({type(exc).__name__}: {exc})"
        return None

    def stop(self) -> None:
        """Disconnect and end the loop thread."""
        if self._loop.is_closed():
            return
        if self._bus is not None and self._thread.is_alive():
            try:
                self._run(self._disconnect(), CALL_TIMEOUT)
            except Exception:  # already gone; the loop must stop all the same
                log.debug("notification bus disconnect failed", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread.is_alive():
            self._thread.join(CALL_TIMEOUT)
        self._loop.close()

    async def _disconnect(self) -> None:
        """Close the connection and wait until the socket really is closed."""
        assert self._bus is not None  # noqa: S101 - checked by the caller
        self._bus.disconnect()
        await self._bus.wait_for_disconnect()  # type: ignore[no-untyped-call]

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def _submit(self, coroutine: Coroutine[Any, Any, Any], *, report: bool = True) -> None:
        """Fire and forget (logged on failure): the GUI thread never waits on the bus."""
        if self._loop.is_closed():
            coroutine.close()
            return
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        future.add_done_callback(self._report_failure if report else _log_quietly)

    def _report_failure(self, future: Any) -> None:
        exc = future.exception()
        if exc is not None:
            log.warning("notification call failed: %s", exc)
            self.failed.emit(f"{type(exc).__name__}: {exc}")

    # ---------------------------------------------------------------------- calls

    async def _call(
        self, member: str, signature: str = "", body: list[Any] | None = None, **target: str
    ) -> list[Any]:
        assert self._bus is not None  # noqa: S101 - connected in start()
        message = Message(
            destination=target.get("destination", SERVICE),
            path=target.get("path", PATH),
            interface=target.get("interface", INTERFACE),
            member=member,
            signature=signature,
            body=body or [],
        )
        reply = await asyncio.wait_for(self._bus.call(message), CALL_TIMEOUT)
        if reply is None or reply.message_type is MessageType.ERROR:
            error = reply.body[0] if reply is not None and reply.body else "no reply"
            raise RuntimeError(f"{member}: {reply.error_name if reply else ''} {error}")
        return list(reply.body)

    async def _connect(self) -> None:
        self._bus = await MessageBus(bus_type=BusType.SESSION).connect()
        name, vendor, version, _spec = await self._call("GetServerInformation")
        self.server = f"{name} {version} ({vendor})"
        self.capabilities = frozenset((await self._call("GetCapabilities"))[0])
        self._bus.add_message_handler(self._on_message)
        # Only the server's own signals: anyone on the bus could send ActionInvoked.
        (owner,) = await self._call(
            "GetNameOwner",
            "s",
            [SERVICE],
            destination="org.freedesktop.DBus",
            path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus",
        )
        self._server_name = str(owner)
        # The owner changes when the server restarts: follow it (and forget its old ids).
        for rule in (
            f"type='signal',interface='{INTERFACE}',path='{PATH}'",
            f"type='signal',interface='org.freedesktop.DBus.Properties',path='{PATH}'",
            "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
            f"member='NameOwnerChanged',arg0='{SERVICE}'",
        ):
            await self._call(
                "AddMatch",
                "s",
                [rule],
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
            )
        try:
            value = await self._call(
                "Get", "ss", [INTERFACE, "Inhibited"], interface="org.freedesktop.DBus.Properties"
            )
            self.inhibited = bool(value[0].value)
        except RuntimeError:
            self.inhibited = False  # servers before spec 1.3 have no do-not-disturb property
        log.info("notifications via %s; capabilities %s", self.server, sorted(self.capabilities))

    # ------------------------------------------------------------------ notifying

    @property
    def supports_actions(self) -> bool:
        """Whether buttons (and clicks) come back."""
        return "actions" in self.capabilities

    @property
    def supports_reply(self) -> bool:
        """Whether the server offers an inline reply field (KDE's extension)."""
        return "inline-reply" in self.capabilities

    def show(self, content: Content, *, sound: bool) -> None:
        """Show (or replace) the notification of ``content.room``."""
        key = content.room or ""
        body = (
            html.escape(content.body, quote=False)
            if "body-markup" in self.capabilities
            else content.body
        )
        actions: list[str] = []
        if self.supports_actions:
            actions += [DEFAULT_ACTION, "Open"]
            if content.room is not None:
                actions += [MARK_READ_ACTION, "Mark as read"]
                if self.supports_reply:
                    actions += [REPLY_ACTION, "Reply"]
        hints: dict[str, Variant] = {
            "desktop-entry": Variant("s", self._desktop_entry),
            "category": Variant("s", "im.received"),
            "urgency": Variant("y", 1),
        }
        if sound:
            hints["sound-name"] = Variant("s", "message-new-instant")
        else:
            hints["suppress-sound"] = Variant("b", True)
        self._submit(self._notify(key, content.title, body, actions, hints))

    async def _notify(
        self, key: str, title: str, body: str, actions: list[str], hints: dict[str, Variant]
    ) -> None:
        async with self._serial:
            replaces = self._ids.get(key, 0)
            (notification_id,) = await self._call(
                "Notify",
                "susssasa{sv}i",
                [self._app_name, replaces, self._icon, title, body, actions, hints, -1],
            )
            self._ids[key] = int(notification_id)

    def withdraw(self, room: str | None) -> None:
        """Close the notification of ``room`` (None: the cross-room summary)."""
        # Not reported as a failure: closing one the user already dismissed may error.
        self._submit(self._close(room or ""), report=False)

    async def _close(self, key: str) -> None:
        async with self._serial:
            notification_id = self._ids.pop(key, None)
            if notification_id is not None:
                await self._call("CloseNotification", "u", [notification_id])

    # ------------------------------------------------------------------- signals

    def _on_message(self, message: Message) -> bool:
        """Signals from the bus (on the loop thread): re-emitted as queued Qt signals."""
        if message.message_type is not MessageType.SIGNAL:
            return False
        if message.member == "NameOwnerChanged" and message.sender == "org.freedesktop.DBus":
            if message.body and message.body[0] == SERVICE:
                self._server_name = str(message.body[2])
                self._ids.clear()  # a new server knows none of the old notifications
        elif message.sender == self._server_name:
            if message.interface == "org.freedesktop.DBus.Properties":
                self._on_properties(message)
            elif message.interface == INTERFACE:
                self._on_notification_signal(message)
        return False  # never consume: other handlers may want it too

    def _on_properties(self, message: Message) -> None:
        if not message.body or message.body[0] != INTERFACE:
            return
        changed = (
            message.body[1]
            if message.member == "PropertiesChanged" and len(message.body) > 1
            else {}
        )
        if "Inhibited" in changed:
            self.inhibited = bool(changed["Inhibited"].value)
            self.inhibited_changed.emit(self.inhibited)

    def _on_notification_signal(self, message: Message) -> None:
        notification_id = int(message.body[0])
        room = next((k for k, v in self._ids.items() if v == notification_id), None)
        if room is None:
            return  # not ours (or already replaced)
        if message.member == "NotificationClosed":
            del self._ids[room]
        elif message.member == "ActionInvoked" and message.body[1] == DEFAULT_ACTION:
            self.activated.emit(room)
        elif message.member == "ActionInvoked":
            self.action.emit(room, str(message.body[1]))
        elif message.member == "NotificationReplied":
            self.replied.emit(room, str(message.body[1]))


def _log_quietly(future: Any) -> None:
    exc = future.exception()
    if exc is not None:
        log.debug("notification call failed (ignored): %s", exc)
