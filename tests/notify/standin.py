"""A stand-in notification server, for what dunst 1.9 cannot do: KDE's inline reply and the
spec-1.3 ``Inhibited`` property (the do-not-disturb of GNOME and KDE).

Everything dunst does support is tested against dunst itself (:mod:`tests.notify.desktop`).
The backend believes only signals from the unique bus name that owns
``org.freedesktop.Notifications``, so a test cannot play the server by sending its signals
from a connection of its own: they have to come from the owner. Hence this real, small
server: a dbus-fast :class:`~dbus_fast.service.ServiceInterface` exported at
``/org/freedesktop/Notifications`` on a private bus (normally the ``empty_bus`` fixture's),
owning the name, answering ``GetServerInformation``, ``GetCapabilities`` (``actions``,
``body``, ``body-markup``, ``inline-reply``), ``Notify`` (increasing ids; ``replaces_id``
replaces in place) and ``CloseNotification`` (which announces ``NotificationClosed``), with a
read-only ``Inhibited`` property (``org.freedesktop.DBus.Properties.Get`` and
``PropertiesChanged``, both provided by dbus-fast for the exported interface).

What a person would do on a desktop that has these features is done by the test through
:meth:`StandInServer.invoke_action`, :meth:`StandInServer.reply` and
:meth:`StandInServer.set_inhibited`: each sends the signal from the server's own connection.

The server runs on an asyncio loop in a thread of its own; every method of
:class:`StandInServer` may be called from the test's (Qt) thread and returns once the
server's bus has routed what it sent (a reply to a later call on the same connection comes
after it), so a following action of the test cannot overtake it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from dbus_fast import Message, MessageType, NameFlag, RequestNameReply, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusDict, DBusInt32, DBusSignature, DBusStr, DBusUInt32
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from tests.inbox import WAIT

T = TypeVar("T")

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"

#: What this server says it is (``GetServerInformation``).
NAME, VENDOR, VERSION, SPEC_VERSION = "standin", "desktopchat tests", "1.0", "1.3"
#: What it can do (``GetCapabilities``): dunst's, plus KDE's ``inline-reply``.
CAPABILITIES = ("actions", "body", "body-markup", "inline-reply")
#: ``NotificationClosed`` reasons (spec): 2 dismissed by the user, 3 by CloseNotification.
CLOSED_BY_CALL = 3

DBusStrList = Annotated[list[str], DBusSignature("as")]
ServerInformation = Annotated[tuple[str, str, str, str], DBusSignature("ssss")]
IdAndString = Annotated[tuple[int, str], DBusSignature("us")]
IdAndReason = Annotated[tuple[int, int], DBusSignature("uu")]


@dataclass(frozen=True)
class Shown:
    """A notification on the stand-in's "screen", as the client sent it."""

    app_name: str
    summary: str
    body: str
    actions: list[str]
    hints: dict[str, Any]  # the variants' values


class _Notifications(ServiceInterface):
    """``org.freedesktop.Notifications``; touched on the server's loop thread only."""

    def __init__(self) -> None:
        super().__init__(INTERFACE)
        self.shown: dict[int, Shown] = {}
        self.inhibited = False
        self._next_id = itertools.count(1)

    @dbus_method(name="GetServerInformation")
    def get_server_information(self) -> ServerInformation:
        return NAME, VENDOR, VERSION, SPEC_VERSION

    @dbus_method(name="GetCapabilities")
    def get_capabilities(self) -> DBusStrList:
        return list(CAPABILITIES)

    @dbus_method(name="Notify")
    def notify(  # noqa: PLR0917 - the eight arguments of the spec's Notify
        self,
        app_name: DBusStr,
        replaces_id: DBusUInt32,
        app_icon: DBusStr,
        summary: DBusStr,
        body: DBusStr,
        actions: DBusStrList,
        hints: DBusDict,
        expire_timeout: DBusInt32,
    ) -> DBusUInt32:
        notification_id = replaces_id if replaces_id in self.shown else next(self._next_id)
        values = {key: variant.value for key, variant in hints.items()}
        self.shown[notification_id] = Shown(app_name, summary, body, list(actions), values)
        return notification_id

    @dbus_method(name="CloseNotification")
    def close_notification(self, notification_id: DBusUInt32):  # type: ignore[no-untyped-def]
        # (no "-> None": under postponed annotations dbus-fast reads it as a signature of None)
        if self.shown.pop(notification_id, None) is not None:
            self.notification_closed(notification_id, CLOSED_BY_CALL)

    @dbus_property(access=PropertyAccess.READ, name="Inhibited")
    def inhibited_property(self) -> DBusBool:
        return self.inhibited

    @dbus_signal(name="ActionInvoked")
    def action_invoked(self, notification_id: int, action_key: str) -> IdAndString:
        return notification_id, action_key

    @dbus_signal(name="NotificationReplied")
    def notification_replied(self, notification_id: int, text: str) -> IdAndString:
        return notification_id, text

    @dbus_signal(name="NotificationClosed")
    def notification_closed(self, notification_id: int, reason: int) -> IdAndReason:
        return notification_id, reason


class StandInServer:
    """The stand-in server on the bus at ``address``; see the module docstring."""

    def __init__(self, address: str) -> None:
        self.address = address
        #: The unique bus name of the server's connection (the name owner), once started.
        self.unique_name = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="standin-notifications", daemon=True
        )
        self._service = _Notifications()
        self._bus: MessageBus | None = None

    @classmethod
    @contextlib.contextmanager
    def running(cls, address: str) -> Iterator[StandInServer]:
        """Serve on ``address`` (owning the name before this yields); on exit, release the
        name, close the connection and end the loop thread."""
        server = cls(address)
        server._thread.start()
        try:
            server._run(server._connect())
            yield server
        finally:
            server._stop()

    # ----------------------------------------------------------- what a person does

    def invoke_action(self, notification_id: int, action_key: str) -> None:
        """``ActionInvoked``: a click (``default``) or a button of the notification."""
        self._emit(lambda: self._service.action_invoked(notification_id, action_key))

    def reply(self, notification_id: int, text: str) -> None:
        """``NotificationReplied``: ``text`` typed into the notification's reply field."""
        self._emit(lambda: self._service.notification_replied(notification_id, text))

    def set_inhibited(self, on: bool) -> None:
        """Turn do-not-disturb on or off: ``Inhibited`` changes, ``PropertiesChanged`` says so."""

        def change() -> None:
            assert self._service.inhibited != on, f"Inhibited is already {on}"
            self._service.inhibited = on
            self._service.emit_properties_changed({"Inhibited": on})

        self._emit(change)

    # --------------------------------------------------------------- what is seen

    def shown(self) -> dict[int, Shown]:
        """The notifications on screen, by id."""

        async def snapshot() -> dict[int, Shown]:
            return dict(self._service.shown)

        return self._run(snapshot())

    def inhibited(self) -> bool:
        """The ``Inhibited`` property, read over D-Bus as a client reads it."""

        async def get() -> bool:
            (value,) = await self._call(
                Message(
                    destination=self.unique_name,
                    path=PATH,
                    interface="org.freedesktop.DBus.Properties",
                    member="Get",
                    signature="ss",
                    body=[INTERFACE, "Inhibited"],
                )
            )
            assert isinstance(value, Variant)
            return bool(value.value)

        return self._run(get())

    # ----------------------------------------------------------------- machinery

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(WAIT)

    def _emit(self, send: Callable[[], object]) -> None:
        """Run ``send`` (which emits signals) on the loop; return once the bus routed them."""

        async def emit_and_wait() -> None:
            send()
            await self._call(
                Message(
                    destination="org.freedesktop.DBus",
                    path="/org/freedesktop/DBus",
                    interface="org.freedesktop.DBus",
                    member="GetId",
                )
            )

        self._run(emit_and_wait())

    async def _call(self, message: Message) -> list[Any]:
        assert self._bus is not None
        reply = await self._bus.call(message)
        assert reply is not None
        assert reply.message_type is MessageType.METHOD_RETURN, (reply.error_name, reply.body)
        return list(reply.body)

    async def _connect(self) -> None:
        self._bus = await MessageBus(bus_address=self.address).connect()
        self._bus.export(PATH, self._service)
        owned = await self._bus.request_name(SERVICE, NameFlag.DO_NOT_QUEUE)
        assert owned is RequestNameReply.PRIMARY_OWNER, f"{SERVICE} is taken: {owned}"
        self.unique_name = self._bus.unique_name

    async def _disconnect(self) -> None:
        assert self._bus is not None
        self._bus.disconnect()
        await self._bus.wait_for_disconnect()

    def _stop(self) -> None:
        try:
            if self._bus is not None:
                self._run(self._disconnect())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(WAIT)
            assert not self._thread.is_alive(), "the stand-in's loop thread did not end"
            self._loop.close()
