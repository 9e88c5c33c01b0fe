"""The realtime bridge: one pysher connection, owned by a QObject on the GUI thread.

pysher's callbacks run on its ``PysherEventLoop`` thread; here they only parse and ``emit``
(queued signals deliver on the GUI thread). The pitfalls mapped in
``docs/pusher-notes.md`` are handled like this:

* **A fresh pysher object per connection.** pysher objects are single-use, its own
  reconnect re-sends stale signatures, and its fixed interval has no back-off (42xx even
  makes it zero). So when a socket closes, its loop is told to stop and this bridge
  schedules a new object with exponential back-off and jitter, capped near 30 s.
* **Subscribe on every ``connection_established``**, authorizing each private or presence
  channel through the relay (never holding a remote deployment's secret) and sending
  ``pusher:subscribe`` ourselves, so presence ``channel_data`` is the relay's, byte for byte.
* **TLS** through ``socket_kwargs["sslopt"]`` (pysher has no option for it): the system's
  CAs, or a context accepting only the pinned certificate; a changed one fails for good.
* **Dropping a connection blocks nothing and leaves no thread behind:** its own thread
  closes the socket (see :func:`_stop_in_its_thread`), also when the drop lands during the
  handshake.
* ``ping_timeout`` of 1 s so a disconnect never hangs; pysher's logger at WARNING (it logs
  message bodies and signatures at INFO); its ping interval follows the server's
  ``activity_timeout``.
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktopchat.client.backoff import Backoff
from desktopchat.client.domain import ServerInfo
from desktopchat.client.tasks import TaskRunner
from desktopchat.client.trust import PinMismatchError, websocket_sslopt

if TYPE_CHECKING:
    import pysher

log = logging.getLogger(__name__)

#: Seconds :meth:`RealtimeBridge.stop` waits for pysher's thread to end.
STOP_WAIT = 1.0
#: pysher's own ping interval is 120 s; never more than the server asks for.
MAX_PING_INTERVAL = 120


class ConnectionState(enum.Enum):
    """What the connection banner shows."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    OFFLINE = "offline"  # retrying after a delay
    FAILED = "failed"  # refused for good (bad key, terminated); only "retry now" helps
    STOPPED = "stopped"


Authorizer = Callable[[str, str], dict[str, str]]
"""``(socket_id, channel) -> {"auth": ..., "channel_data"?: ...}``; blocking (HTTP)."""


class RealtimeBridge(QObject):
    """Keeps one live Pusher connection and the wanted subscriptions on it.

    Signals:
        state_changed(object, str, float): ConnectionState, reason, seconds to next retry.
        subscribed(str): a channel's subscription succeeded (again, after a reconnect).
        subscription_failed(str, str): channel, reason.
        channel_event(str, str, object): channel, event name, parsed data.
        members(str, dict): presence channel, ``{user_id: user_info}`` on subscription.
        member_added(str, str, object): presence channel, user id, user info.
        member_removed(str, str): presence channel, user id.
    """

    state_changed = Signal(object, str, float)
    subscribed = Signal(str)
    subscription_failed = Signal(str, str)
    channel_event = Signal(str, str, object)
    members = Signal(str, dict)
    member_added = Signal(str, str, object)
    member_removed = Signal(str, str)

    # Internal, emitted on pysher's thread and delivered on ours. The public signals above
    # are emitted only on the GUI thread, from these: a receiver then never gets a queued
    # call from pysher's thread that can outlive it (a pytest-qt waitSignal that had
    # finished, a window's object deleted meanwhile), which crashed PySide with SIGSEGV.
    _established = Signal(int, str, int)
    _lost = Signal(int, str)
    _error = Signal(int, int, str)
    _refused = Signal(int, str)
    _got_subscribed = Signal(str)
    _got_subscription_failed = Signal(str, str)
    _got_event = Signal(str, str, object)
    _got_members = Signal(str, dict)
    _got_member_added = Signal(str, str, object)
    _got_member_removed = Signal(str, str)

    def __init__(
        self,
        server: ServerInfo,
        authorize: Authorizer,
        tasks: TaskRunner,
        parent: QObject | None = None,
        pin: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._server = server
        self._pin = pin
        self._authorize = authorize
        self._tasks = tasks
        self._channels: dict[str, None] = {}
        self._pusher: pysher.Pusher | None = None
        self._generation = 0
        self._socket_id = ""
        self._fatal: str | None = None
        self.state = ConnectionState.STOPPED
        self.backoff = Backoff()
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._connect)
        self._established.connect(self._on_established)
        self._lost.connect(self._on_lost)
        self._error.connect(self._on_error)
        self._refused.connect(self._on_refused)
        self._got_subscribed.connect(self._relay_subscribed)
        self._got_subscription_failed.connect(self._relay_subscription_failed)
        self._got_event.connect(self._relay_event)
        self._got_members.connect(self._relay_members)
        self._got_member_added.connect(self._relay_member_added)
        self._got_member_removed.connect(self._relay_member_removed)

    # ------------------------------------------------------------------------ public

    def start(self) -> None:
        """Connect (now), and keep reconnecting until :meth:`stop`."""
        self._connect()

    def stop(self) -> None:
        """Disconnect for good, and let pysher's thread end (at most :data:`STOP_WAIT` s).

        Unlike a drop before a reconnect, this is the end of the session (quitting, signing
        out): a pysher thread still tearing down when the process exits, or when this
        object is deleted, could call into freed Qt objects (the CLI's ``tail`` crashed so,
        now and then, on Ctrl-C). The thread ends within milliseconds of the drop.
        """
        self._retry.stop()
        self._generation += 1
        client = self._pusher
        self._drop_pusher()
        if client is not None and client.connection.is_alive():
            client.connection.join(STOP_WAIT)
        self._set_state(ConnectionState.STOPPED, "stopped", 0.0)

    def retry_now(self) -> None:
        """Skip the back-off wait ("retry now", the network came back, the machine woke)."""
        if self.state in (ConnectionState.OFFLINE, ConnectionState.FAILED):
            self._retry.stop()
            self._connect()

    def subscribe(self, channel: str) -> None:
        """Keep ``channel`` subscribed, on this connection and every later one."""
        if channel in self._channels:
            return
        self._channels[channel] = None
        if self.state is ConnectionState.CONNECTED:
            self._subscribe(self._generation, self._socket_id, channel)

    def unsubscribe(self, channel: str) -> None:
        """Stop receiving ``channel``."""
        if self._channels.pop(channel, 1) is None and self._pusher is not None:
            self._pusher.channels.pop(channel, None)
            self._pusher.connection.send_event("pusher:unsubscribe", {"channel": channel})

    def trigger(self, channel: str, event: str, data: dict[str, Any]) -> bool:
        """Send a client event (typing...); False when not connected (it is not queued)."""
        if self.state is not ConnectionState.CONNECTED or self._pusher is None:
            return False
        self._pusher.connection.send_event(event, data, channel_name=channel)
        return True

    @property
    def socket_id(self) -> str:
        """The current connection's socket id ("" when not connected)."""
        return self._socket_id if self.state is ConnectionState.CONNECTED else ""

    # -------------------------------------------------------------------- connection

    def _connect(self) -> None:
        self._drop_pusher()
        self._generation += 1
        self._fatal = None
        generation = self._generation
        server = self._server
        secure = server.tls
        port = server.port or (443 if secure else 80)
        # Here, not at import: pysher pulls in requests and websocket-client, which the
        # window's first paint (history from the local database) does not need.
        import pysher  # noqa: PLC0415

        client = pysher.Pusher(
            server.key,
            cluster=server.cluster or "",
            secure=secure,
            custom_host=server.host or "",
            port=port,
            log_level=logging.WARNING,
            reconnect_interval=3600,  # never used: the loop is stopped when a socket closes
        )
        connection = client.connection
        connection.socket_kwargs["ping_timeout"] = 1
        if secure:
            connection.socket_kwargs["sslopt"] = websocket_sslopt(self._pin)
        connection.bind("pusher:connection_established", self._established_callback(generation))
        connection.bind("pusher:error", self._error_callback(generation))
        self._wrap_close(connection, generation)
        self._pusher = client
        self._set_state(ConnectionState.CONNECTING, "connecting", 0.0)
        client.connect()

    def _established_callback(self, generation: int) -> Callable[[Any], None]:
        def on_established(data: Any) -> None:
            try:
                parsed = json.loads(data) if isinstance(data, str) else data
                socket_id = str(parsed["socket_id"])
                timeout = int(parsed.get("activity_timeout", MAX_PING_INTERVAL))
            except (ValueError, KeyError, TypeError):
                self._lost.emit(generation, "malformed connection_established")
                return
            self._established.emit(generation, socket_id, timeout)

        return on_established

    def _error_callback(self, generation: int) -> Callable[[Any], None]:
        def on_error(data: Any) -> None:
            code = data.get("code") if isinstance(data, dict) else None
            message = data.get("message") if isinstance(data, dict) else None
            self._error.emit(generation, code if isinstance(code, int) else 0, str(message or ""))

        return on_error

    def _wrap_close(self, connection: Any, generation: int) -> None:
        """Report the socket's end and stop pysher's own reconnect loop for it; close a
        socket that opens after it was dropped, and ping no dropped connection."""
        original_open, original_ping = connection._on_open, connection.send_ping

        def on_open(*args: Any) -> None:
            if connection.disconnect_called:  # dropped during its handshake
                _stop_in_its_thread(connection)
                return
            original_open(*args)

        def send_ping() -> None:
            if not connection.disconnect_called:
                original_ping()

        connection._on_open, connection.send_ping = on_open, send_ping
        for name in ("_on_close", "_on_error"):
            original = getattr(connection, name)

            def wrapped(*args: Any, _original: Any = original, _name: str = name) -> None:
                _original(*args)
                connection.needs_reconnect = False
                connection.disconnect_called = True
                reason = str(args[-1]) if _name == "_on_error" and args else "connection closed"
                if args and isinstance(args[-1], PinMismatchError):
                    self._refused.emit(generation, reason)  # retrying cannot help
                self._lost.emit(generation, reason)

            setattr(connection, name, wrapped)

    def _drop_pusher(self) -> None:
        client, self._pusher = self._pusher, None
        self._socket_id = ""
        if client is not None:
            _stop_in_its_thread(client.connection)

    @Slot(int, str, int)
    def _on_established(self, generation: int, socket_id: str, activity_timeout: int) -> None:
        if generation != self._generation or self._pusher is None:
            return
        self._pusher.connection.ping_interval = max(5, min(MAX_PING_INTERVAL, activity_timeout))
        self._socket_id = socket_id
        self.backoff.reset()
        self._set_state(ConnectionState.CONNECTED, "connected", 0.0)
        for channel in list(self._channels):
            self._subscribe(generation, socket_id, channel)

    @Slot(int, int, str)
    def _on_error(self, generation: int, code: int, message: str) -> None:
        if generation == self._generation and 4000 <= code < 4100:
            self._fatal = f"{message or 'refused by the server'} ({code})"

    @Slot(int, str)
    def _on_refused(self, generation: int, reason: str) -> None:
        if generation == self._generation:
            self._fatal = reason

    @Slot(int, str)
    def _on_lost(self, generation: int, reason: str) -> None:
        if generation != self._generation or self.state is ConnectionState.STOPPED:
            return
        self._generation += 1  # later callbacks of this connection are stale
        self._pusher = None
        self._socket_id = ""
        if self._fatal is not None:
            self._set_state(ConnectionState.FAILED, self._fatal, 0.0)
            return
        delay = self.backoff.next_delay()
        self._set_state(ConnectionState.OFFLINE, reason, delay)
        self._retry.start(int(delay * 1000))

    def _set_state(self, state: ConnectionState, reason: str, retry_in: float) -> None:
        self.state = state
        log.info("connection %s: %s", state.value, reason)
        self.state_changed.emit(state, reason, retry_in)

    # ------------------------------------------------------------------ subscriptions

    def _subscribe(self, generation: int, socket_id: str, channel: str) -> None:
        if not channel.startswith(("private-", "presence-")):
            self._send_subscribe(generation, channel, {"channel": channel})
            return

        def authorized(auth: dict[str, str]) -> None:
            data = {"channel": channel, "auth": auth["auth"]}
            if "channel_data" in auth:
                data["channel_data"] = auth["channel_data"]
            self._send_subscribe(generation, channel, data)

        def refused(exc: BaseException) -> None:
            if generation == self._generation:
                self.subscription_failed.emit(channel, str(exc))

        self._tasks.run(lambda: self._authorize(socket_id, channel), authorized, refused)

    def _send_subscribe(self, generation: int, channel: str, data: dict[str, str]) -> None:
        client = self._pusher
        if generation != self._generation or client is None or channel not in self._channels:
            return
        from desktopchat.client.bridge_channel import BridgeChannel  # noqa: PLC0415 - as pysher

        client.channels[channel] = BridgeChannel(
            channel, client.connection, self._handlers(channel)
        )
        client.connection.send_event("pusher:subscribe", data)

    # ------------------------------------------------- pysher's news, on the GUI thread

    @Slot(str)
    def _relay_subscribed(self, channel: str) -> None:
        self.subscribed.emit(channel)

    @Slot(str, str)
    def _relay_subscription_failed(self, channel: str, reason: str) -> None:
        self.subscription_failed.emit(channel, reason)

    @Slot(str, str, object)
    def _relay_event(self, channel: str, event: str, data: object) -> None:
        self.channel_event.emit(channel, event, data)

    @Slot(str, dict)
    def _relay_members(self, channel: str, members: dict[str, Any]) -> None:
        self.members.emit(channel, members)

    @Slot(str, str, object)
    def _relay_member_added(self, channel: str, user_id: str, info: object) -> None:
        self.member_added.emit(channel, user_id, info)

    @Slot(str, str)
    def _relay_member_removed(self, channel: str, user_id: str) -> None:
        self.member_removed.emit(channel, user_id)

    def _handlers(self, channel: str) -> _Handlers:
        """Callbacks for pysher's thread: parse, then emit. Nothing else."""

        def succeeded(data: Any) -> None:
            parsed = _parse(data)
            presence = parsed.get("presence") if isinstance(parsed, dict) else None
            if isinstance(presence, dict) and isinstance(presence.get("hash"), dict):
                self._got_members.emit(channel, presence["hash"])
            self._got_subscribed.emit(channel)

        def failed(data: Any) -> None:
            reason = data.get("error") if isinstance(data, dict) else None
            self._got_subscription_failed.emit(channel, str(reason or data))

        def added(data: Any) -> None:
            parsed = _parse(data)
            if isinstance(parsed, dict) and "user_id" in parsed:
                self._got_member_added.emit(
                    channel, str(parsed["user_id"]), parsed.get("user_info")
                )

        def removed(data: Any) -> None:
            parsed = _parse(data)
            if isinstance(parsed, dict) and "user_id" in parsed:
                self._got_member_removed.emit(channel, str(parsed["user_id"]))

        def other(event: str) -> Callable[[Any], None]:
            return lambda data: self._got_event.emit(channel, event, _parse(data))

        return _Handlers(
            {
                "pusher_internal:subscription_succeeded": succeeded,
                "pusher:subscription_error": failed,
                "pusher_internal:member_added": added,
                "pusher_internal:member_removed": removed,
            },
            other,
        )


def _stop_in_its_thread(connection: Any) -> None:
    """Make a pysher connection's thread close its socket and end, without waiting for it.

    Closing the ``WebSocketApp`` from here would wait (up to 3 s) on the GUI thread for the
    server's close frame, and race its own thread: websocket-client logs "'NoneType' object
    has no attribute 'sock'" and leaks the raw socket when a close lands mid-handshake. So
    the connection is told it is done, pysher's ping timers are cancelled (their scheduler
    thread would linger up to the 30 s pong timeout), and the socket's read side is shut:
    its thread wakes, sees ``keep_running`` is off, and tears the connection down itself.
    A socket still in its handshake is stopped the same way from ``_on_open``.
    """
    connection.disconnect_called = True
    connection.needs_reconnect = False
    connection._stop_timers()  # pysher offers no public way to cancel its timers
    app = connection.socket
    if app is None:
        return  # not even built yet: its on_open (see _wrap_close) stops it
    app.keep_running = False
    websocket = app.sock
    raw = getattr(websocket, "sock", None)
    if raw is None:
        return  # not connecting yet: its on_open (see _wrap_close) stops it
    # The plain socket's shutdown (an SSLSocket's own would drop its TLS state). Open: the
    # read side only, so its thread wakes and sends its close frame. Mid-handshake: both,
    # so the handshake fails at once instead of waiting on a server that may never answer.
    how = socket.SHUT_RD if getattr(websocket, "connected", False) else socket.SHUT_RDWR
    with contextlib.suppress(OSError):
        socket.socket.shutdown(raw, how)


def _parse(data: Any) -> Any:
    """Channel events' data is a JSON string (double-encoded); decode it once."""
    if isinstance(data, str):
        try:
            return json.loads(data)
        except ValueError:
            return data
    return data


class _Handlers(dict[str, Callable[[Any], None]]):
    """Handlers by event name; any other event gets ``fallback(event)``."""

    def __init__(
        self,
        handlers: dict[str, Callable[[Any], None]],
        fallback: Callable[[str], Callable[[Any], None]],
    ) -> None:
        super().__init__(handlers)
        self._fallback = fallback

    def __missing__(self, event: str) -> Callable[[Any], None]:
        return self._fallback(event)
