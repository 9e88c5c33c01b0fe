"""The Pusher Channels protocol with no I/O: connections, subscriptions, presence, client events.

:class:`ChannelsCore` takes what happened (a socket opened, a text frame arrived, time passed,
an HTTP trigger came in) and returns :mod:`~desktopchat.server.actions` for the I/O layer to
carry out. Time is passed in as ``now`` so idle handling is testable without waiting.

The rules follow Pusher's protocol (v5-v7) and the behaviour the official clients rely on;
the client-specific pitfalls are in ``docs/pusher-notes.md``:

* ``pusher:error`` always precedes a close, because pysher ignores close codes.
* Shutdown uses 4100 (reconnect after back-off), never 42xx, which sends pysher into a busy
  reconnect loop.
"""

from __future__ import annotations

import json
import secrets
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from desktopchat.server import frames, limits, signing
from desktopchat.server.actions import Action, Close, Deliver, Webhook
from desktopchat.server.credentials import AppCredentials
from desktopchat.server.frames import ClientFrame, FrameError
from desktopchat.server.presence import PresenceRoster

#: Close codes used by the hub (Pusher's ranges: 40xx fatal, 41xx back off, 42xx retry now).
CLOSE_APP_NOT_FOUND = 4001
CLOSE_INVALID_VERSION = 4006
CLOSE_UNSUPPORTED_PROTOCOL = 4007
CLOSE_NO_PROTOCOL = 4008
CLOSE_UNAUTHORIZED = 4009
CLOSE_GOING_AWAY = 4100
CLOSE_PONG_TIMEOUT = 4201
ERROR_CLIENT_EVENT_RATE = 4301


@dataclass(slots=True)
class _Connection:
    """What the core knows of one open socket."""

    socket_id: str
    last_activity: float
    channels: set[str] = field(default_factory=set)
    #: presence channel -> the user id this socket joined it as
    presence_user: dict[str, str] = field(default_factory=dict)
    #: the user this socket signed in as (``pusher:signin``), if any
    user_id: str | None = None
    ping_sent_at: float | None = None
    #: set once the hub asked for this socket to be closed; it gets no more pings
    closing: bool = False
    client_event_times: deque[float] = field(
        default_factory=lambda: deque(maxlen=limits.CLIENT_EVENTS_PER_SECOND)
    )


class SubscriptionError(Exception):
    """A subscription is refused; carries the HTTP-like status for ``subscription_error``."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class ChannelsCore:
    """One Pusher app's channels, connections and members, with no I/O.

    Args:
        credentials: the app whose key and secret sign subscriptions.
        activity_timeout: seconds of client silence before the hub pings it (advertised to
            clients in ``connection_established``).
        pong_timeout: seconds the client then has to answer before it is dropped with 4201.
        webhooks: whether to produce :class:`Webhook` actions at all.
    """

    def __init__(
        self,
        credentials: AppCredentials,
        *,
        activity_timeout: int = 120,
        pong_timeout: float = 30.0,
        webhooks: bool = False,
    ) -> None:
        self.credentials = credentials
        self.activity_timeout = activity_timeout
        self.pong_timeout = pong_timeout
        self._webhooks = webhooks
        self._connections: dict[str, _Connection] = {}
        # Insertion-ordered dicts used as sets: fan-out order is stable and tuple() is cheap.
        self._channels: dict[str, dict[str, None]] = {}
        self._rosters: dict[str, PresenceRoster] = {}
        self._users: dict[str, set[str]] = {}
        self._handlers: dict[str, Callable[[_Connection, Any], list[Action]]] = {
            "pusher:ping": self._ping,
            "pusher:pong": lambda conn, data: [],
            "pusher:subscribe": self._subscribe,
            "pusher:unsubscribe": self._unsubscribe,
            "pusher:signin": self._signin,
        }

    # ----------------------------------------------------------------- connection lifecycle

    def open(self, now: float) -> tuple[str, list[Action]]:
        """A client connected: allocate its socket id and greet it."""
        socket_id = self._new_socket_id()
        self._connections[socket_id] = _Connection(socket_id, last_activity=now)
        frame = frames.connection_established(socket_id, self.activity_timeout)
        return socket_id, [Deliver(frame, (socket_id,))]

    def closed(self, socket_id: str) -> list[Action]:
        """The socket is gone (either side closed it): leave every channel it was on."""
        conn = self._connections.pop(socket_id, None)
        if conn is None:
            return []
        actions: list[Action] = []
        for channel in list(conn.channels):
            actions.extend(self._leave(conn, channel))
        if conn.user_id is not None:
            self._forget_user_socket(conn.user_id, socket_id)
        return actions

    def _forget_user_socket(self, user_id: str, socket_id: str) -> None:
        sockets = self._users.get(user_id)
        if sockets is not None:
            sockets.discard(socket_id)
            if not sockets:
                del self._users[user_id]

    def receive(self, socket_id: str, text: str, now: float) -> list[Action]:
        """Handle one text frame from ``socket_id``."""
        conn = self._connections.get(socket_id)
        if conn is None:
            return []
        conn.last_activity = now
        conn.ping_sent_at = None
        if limits.frame_too_large(text):
            return [self._error(socket_id, "Frame too large", None)]
        try:
            frame = frames.parse_client_frame(text)
        except FrameError as exc:
            return [self._error(socket_id, str(exc), None)]
        if frame.event.startswith(limits.CLIENT_EVENT_PREFIX):
            return self._client_event(conn, frame, now)
        handler = self._handlers.get(frame.event)
        if handler is None:
            return [self._error(socket_id, f"Unsupported event: {frame.event[:64]}", None)]
        return handler(conn, frame.data)

    def activity(self, socket_id: str, now: float) -> None:
        """A frame that carries no message (a WebSocket ping or pong) still proves liveness."""
        conn = self._connections.get(socket_id)
        if conn is not None:
            conn.last_activity = now
            conn.ping_sent_at = None

    def tick(self, now: float) -> list[Action]:
        """Ping clients silent for ``activity_timeout``; drop those that did not answer (4201)."""
        actions: list[Action] = []
        for conn in self._connections.values():
            if conn.closing:
                continue
            if conn.ping_sent_at is not None:
                if now - conn.ping_sent_at >= self.pong_timeout:
                    actions.extend(
                        self._disconnect(
                            conn.socket_id, CLOSE_PONG_TIMEOUT, "Pong reply not received"
                        )
                    )
            elif now - conn.last_activity >= self.activity_timeout:
                conn.ping_sent_at = now
                actions.append(Deliver(frames.PING, (conn.socket_id,)))
        return actions

    def shutdown(self) -> list[Action]:
        """The hub is stopping: tell every client to come back after a back-off (4100)."""
        actions: list[Action] = []
        for socket_id in list(self._connections):
            actions.extend(self._disconnect(socket_id, CLOSE_GOING_AWAY, "Server shutting down"))
        return actions

    def terminate_user(self, user_id: str) -> list[Action]:
        """Close every connection signed in as ``user_id`` (HTTP ``terminate_connections``)."""
        actions: list[Action] = []
        for socket_id in sorted(self._users.get(user_id, ())):
            actions.extend(self._disconnect(socket_id, CLOSE_UNAUTHORIZED, "Connection terminated"))
        return actions

    # ----------------------------------------------------------------------------- triggers

    def trigger(
        self,
        channels: Iterable[str],
        event: str,
        data: str,
        *,
        exclude_socket_id: str | None = None,
    ) -> list[Action]:
        """Deliver a server event (from the HTTP API) to every subscriber of ``channels``.

        Arguments are assumed validated by the HTTP layer; ``data`` is passed through as is
        (encrypted channels' ciphertext included).
        """
        actions: list[Action] = []
        for channel in channels:
            subscribers = self._channels.get(channel)
            if not subscribers:
                continue
            targets = tuple(subscribers)
            if exclude_socket_id is not None and exclude_socket_id in subscribers:
                targets = tuple(s for s in targets if s != exclude_socket_id)
            if targets:
                actions.append(Deliver(frames.channel_event(channel, event, data), targets))
        return actions

    # ------------------------------------------------------------------------------ queries

    @property
    def connection_count(self) -> int:
        """Open sockets."""
        return len(self._connections)

    def is_connected(self, socket_id: str) -> bool:
        """Whether ``socket_id`` is an open socket of this hub."""
        return socket_id in self._connections

    def subscription_count(self, channel: str) -> int:
        """Sockets subscribed to ``channel``."""
        return len(self._channels.get(channel, ()))

    def user_count(self, channel: str) -> int:
        """Distinct members of a presence channel."""
        roster = self._rosters.get(channel)
        return len(roster) if roster is not None else 0

    def user_ids(self, channel: str) -> list[str]:
        """Members of a presence channel, in join order."""
        roster = self._rosters.get(channel)
        return roster.user_ids() if roster is not None else []

    def occupied_channels(self, prefix: str = "") -> Iterator[str]:
        """Channels with at least one subscriber, optionally filtered by name prefix."""
        return (
            name
            for name in self._channels
            if name.startswith(prefix) and not limits.is_server_to_user(name)
        )

    # ---------------------------------------------------------------------------- internals

    def _new_socket_id(self) -> str:
        while True:
            socket_id = f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**10)}"
            if socket_id not in self._connections:
                return socket_id

    @staticmethod
    def _error(socket_id: str, message: str, code: int | None) -> Deliver:
        return Deliver(frames.error(message, code), (socket_id,))

    def _disconnect(self, socket_id: str, code: int, message: str) -> list[Action]:
        """``pusher:error`` then close: pysher reads only the former, pusher-js the latter."""
        conn = self._connections.get(socket_id)
        if conn is not None:
            conn.closing = True
        return [self._error(socket_id, message, code), Close(socket_id, code, message)]

    def _webhook(self, name: str, channel: str, **extra: Any) -> list[Action]:
        if not self._webhooks:
            return []
        return [Webhook({"name": name, "channel": channel, **extra})]

    @staticmethod
    def _ping(conn: _Connection, data: Any) -> list[Action]:
        return [Deliver(frames.PONG, (conn.socket_id,))]

    def _unsubscribe(self, conn: _Connection, data: Any) -> list[Action]:
        channel = data.get("channel") if isinstance(data, dict) else None
        if isinstance(channel, str) and channel in conn.channels:
            return self._leave(conn, channel)
        return []

    def _subscribe(self, conn: _Connection, data: Any) -> list[Action]:
        channel = data.get("channel") if isinstance(data, dict) else None
        if not isinstance(channel, str):
            return [self._error(conn.socket_id, "Subscribe: missing 'channel'", None)]
        try:
            member = self._authorize(conn, channel, data)
        except SubscriptionError as exc:
            error = frames.subscription_error(channel, str(exc), exc.status)
            return [Deliver(error, (conn.socket_id,))]
        actions: list[Action] = []
        if channel not in conn.channels:
            actions.extend(self._join(conn, channel, member))
        if member is None:
            succeeded = frames.internal("pusher_internal:subscription_succeeded", channel, {})
        else:
            snapshot = self._rosters[channel].snapshot()
            succeeded = frames.internal("pusher_internal:subscription_succeeded", channel, snapshot)
        actions.append(Deliver(succeeded, (conn.socket_id,)))
        return actions

    def _authorize(
        self, conn: _Connection, channel: str, data: dict[str, Any]
    ) -> tuple[str, Any] | None:
        """Check name and signature; for presence return ``(user_id, user_info)``."""
        if limits.is_server_to_user(channel):
            # No signature: the socket's signin already proved who it is.
            if conn.user_id is None or channel != limits.server_to_user_channel(conn.user_id):
                raise SubscriptionError("Sign in as this user to subscribe", status=403)
            return None
        if not limits.is_valid_channel_name(channel):
            raise SubscriptionError("Invalid channel name", status=400)
        if not limits.needs_auth(channel):
            return None
        channel_data = data.get("channel_data", "") if limits.is_presence(channel) else ""
        if not isinstance(channel_data, str):
            raise SubscriptionError("channel_data must be a JSON string", status=400)
        creds = self.credentials
        expected = signing.channel_auth(
            creds.key, creds.secret, conn.socket_id, channel, channel_data
        )
        if not signing.auth_matches(expected, data.get("auth")):
            raise SubscriptionError(
                f"Invalid signature: expected HMAC SHA256 hex digest of "
                f"{conn.socket_id}:{channel}{':<channel_data>' if channel_data else ''}"
            )
        if not limits.is_presence(channel):
            return None
        return self._presence_member(channel, channel_data)

    def _presence_member(self, channel: str, channel_data: str) -> tuple[str, Any]:
        if len(channel_data.encode()) > limits.MAX_PRESENCE_MEMBER_BYTES:
            raise SubscriptionError("Presence channel_data is too large", status=413)
        try:
            parsed = json.loads(channel_data)
        except ValueError:
            raise SubscriptionError("Presence channel_data is not JSON", status=400) from None
        user_id = parsed.get("user_id") if isinstance(parsed, dict) else None
        if isinstance(user_id, int) and not isinstance(user_id, bool):
            user_id = str(user_id)
        if not isinstance(user_id, str) or not user_id:
            raise SubscriptionError("Presence channel_data needs a user_id", status=400)
        roster = self._rosters.get(channel)
        if (
            roster is not None
            and user_id not in roster
            and len(roster) >= limits.MAX_PRESENCE_MEMBERS
        ):
            raise SubscriptionError("Presence channel is full", status=403)
        return user_id, parsed.get("user_info")

    def _join(
        self, conn: _Connection, channel: str, member: tuple[str, Any] | None
    ) -> list[Action]:
        actions: list[Action] = []
        subscribers = self._channels.get(channel)
        if subscribers is None:
            subscribers = self._channels[channel] = {}
            actions.extend(self._webhook("channel_occupied", channel))
        if member is not None:
            user_id, user_info = member
            roster = self._rosters.setdefault(channel, PresenceRoster())
            if roster.add(user_id, user_info, conn.socket_id):
                if subscribers:
                    payload = {"user_id": user_id, "user_info": user_info}
                    added = frames.internal("pusher_internal:member_added", channel, payload)
                    actions.append(Deliver(added, tuple(subscribers)))
                actions.extend(self._webhook("member_added", channel, user_id=user_id))
            conn.presence_user[channel] = user_id
        subscribers[conn.socket_id] = None
        conn.channels.add(channel)
        return actions

    def _leave(self, conn: _Connection, channel: str) -> list[Action]:
        actions: list[Action] = []
        conn.channels.discard(channel)
        subscribers = self._channels.get(channel)
        if subscribers is not None:
            subscribers.pop(conn.socket_id, None)
        user_id = conn.presence_user.pop(channel, None)
        roster = self._rosters.get(channel)
        if user_id is not None and roster is not None and roster.remove(user_id, conn.socket_id):
            if subscribers:
                removed = frames.internal(
                    "pusher_internal:member_removed", channel, {"user_id": user_id}
                )
                actions.append(Deliver(removed, tuple(subscribers)))
            actions.extend(self._webhook("member_removed", channel, user_id=user_id))
            if not roster:
                del self._rosters[channel]
        if subscribers is not None and not subscribers:
            del self._channels[channel]
            actions.extend(self._webhook("channel_vacated", channel))
        return actions

    def _signin(self, conn: _Connection, data: Any) -> list[Action]:
        """User authentication: a verified ``user_data`` with an ``id`` binds the socket to it."""
        user_data = data.get("user_data") if isinstance(data, dict) else None
        auth = data.get("auth") if isinstance(data, dict) else None
        creds = self.credentials
        user_id: object = None
        if isinstance(user_data, str):
            expected = signing.user_auth(creds.key, creds.secret, conn.socket_id, user_data)
            if signing.auth_matches(expected, auth):
                try:
                    user_id = json.loads(user_data).get("id")
                except (ValueError, AttributeError):
                    user_id = None
        if not isinstance(user_id, str) or not user_id:
            return self._disconnect(conn.socket_id, CLOSE_UNAUTHORIZED, "Invalid signin")
        if conn.user_id is not None and conn.user_id != user_id:
            self._forget_user_socket(conn.user_id, conn.socket_id)
        conn.user_id = user_id
        self._users.setdefault(user_id, set()).add(conn.socket_id)
        success = frames.dumps(
            {"event": "pusher:signin_success", "data": frames.dumps({"user_data": user_data})}
        )
        return [Deliver(success, (conn.socket_id,))]

    def _client_event(self, conn: _Connection, frame: ClientFrame, now: float) -> list[Action]:
        socket_id = conn.socket_id
        channel = frame.channel
        if channel is None or channel not in conn.channels:
            return [
                self._error(socket_id, "Client event rejected: not subscribed to the channel", None)
            ]
        if limits.is_encrypted(channel) or not limits.needs_auth(channel):
            return [
                self._error(
                    socket_id,
                    "Client event rejected: only supported on private and presence channels",
                    None,
                )
            ]
        if not limits.is_valid_event_name(frame.event):
            return [self._error(socket_id, "Client event rejected: event name too long", None)]
        times = conn.client_event_times
        if len(times) == times.maxlen and now - times[0] < 1.0:
            return [
                self._error(
                    socket_id,
                    "Client event rejected: more than "
                    f"{limits.CLIENT_EVENTS_PER_SECOND} per second",
                    ERROR_CLIENT_EVENT_RATE,
                )
            ]
        times.append(now)
        data = frame.data if isinstance(frame.data, str) else frames.dumps(frame.data)
        if limits.data_too_large(data):
            return [self._error(socket_id, "Client event rejected: data over 10 KB", None)]
        user_id = conn.presence_user.get(channel)
        targets = tuple(s for s in self._channels[channel] if s != socket_id)
        actions: list[Action] = []
        if targets:
            actions.append(
                Deliver(frames.channel_event(channel, frame.event, data, user_id), targets)
            )
        extra: dict[str, Any] = {"event": frame.event, "data": data, "socket_id": socket_id}
        if user_id is not None:
            extra["user_id"] = user_id
        actions.extend(self._webhook("client_event", channel, **extra))
        return actions
