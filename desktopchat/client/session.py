"""A running chat session: the services the window and ``tail`` share, wired together.

One object per logged-in profile: the task runner, the realtime bridge (authorizing
channels through the relay), the sync engine, the outbox and the local database.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktopchat.client.cache import LocalDatabase, database_path
from desktopchat.client.direct_messages import DirectMessages
from desktopchat.client.domain import AroundPage, ChangePage, HistoryPage, Message, User
from desktopchat.client.errors import AuthenticationError
from desktopchat.client.login import Login
from desktopchat.client.outbox import Outbox, OutboxItem, OutboxState
from desktopchat.client.read_state import ReadState
from desktopchat.client.realtime import ConnectionState, RealtimeBridge
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.staging import Staging
from desktopchat.client.sync import SyncEngine
from desktopchat.client.tasks import TaskRunner
from desktopchat.client.transfers import Cancel, Progress
from desktopchat.client.trust import server_address
from desktopchat.client.wakeups import Wakeups

log = logging.getLogger(__name__)


def websocket_pin(login: Login) -> str | None:
    """The relay's pin, for a WebSocket on the relay's own port: the hub's.

    The hub names the host the client asked for, or, when that is a name it does not know
    as its own, the address the connection reached (an IP). Either way it is the same
    server, so the pin applies. A standalone relay points clients at another server
    (Pusher, soketi), whose certificate is the CAs' business; should such a server share
    the relay's port and be given by address, the pin is applied and refuses it (it fails
    closed, never open).
    """
    info = login.server
    relay = server_address(login.server_url)
    if login.pin is None or relay is None or not info.tls or not info.host:
        return None
    host, port = info.host.lower().strip("[]"), info.port or 443
    if port != relay[1]:
        return None
    return login.pin if host == relay[0] or _is_address(host) else None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class ChatSession(QObject):
    """Everything one logged-in client runs. Create on the GUI thread; :meth:`close` at exit.

    Signals:
        session_refused(str): the relay no longer accepts the token (checked once the
            connection is up after an offline start): the user must sign in again.
    """

    session_refused = Signal(str)

    def __init__(self, login: Login, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.login = login
        self._verified = not login.offline
        self._local = threading.local()
        self._clients: list[RelayClient] = []
        self._clients_lock = threading.Lock()
        self.tasks = TaskRunner(parent=self)
        path = database_path(data_dir, login.server_url, login.user.username)
        self.database = LocalDatabase(path)
        self.bridge = RealtimeBridge(
            login.server, self._authorize, self.tasks, parent=self, pin=websocket_pin(login)
        )
        self.sync = SyncEngine(
            self.bridge,
            self.tasks,
            self._history,
            self.database,
            parent=self,
            fetch_changes=self._changes,
        )
        self.outbox = Outbox(
            self.database,
            self.tasks,
            self._send,
            parent=self,
            edit=self._edit,
            delete=self._delete,
            reply=self._reply,
            react=self._react,
            max_bytes=login.server.max_message_bytes,
            upload=self._upload,
            send_files=self._send_files,
            max_file_bytes=login.server.max_file_bytes,
        )
        self.read_state = ReadState(
            self.bridge, self.tasks, self.relay, self.database, user_id=login.user.id, parent=self
        )
        # What the relay answered goes straight into the room (the echo may never come).
        self.outbox.sent.connect(lambda _client_id, message: self.sync.apply_stored(message))
        self.outbox.reacted.connect(self.sync.apply_changed)
        #: Pasted images, kept under the data directory until their message is gone (one
        #: directory per database: a sweep keeps what this outbox still needs).
        self.staging = Staging(data_dir / "staging" / path.stem)
        self.staging.sweep(f for item in self.outbox.items() for f in item.files)
        self.outbox.changed.connect(self._release_staged)
        if not login.offline:
            self.database.save_login(login.user, login.server)
        #: The user's DMs (their messages are rooms' and go through sync and the outbox).
        self.direct = DirectMessages(
            login.user.id,
            bridge=self.bridge,
            tasks=self.tasks,
            relay=self.relay,
            database=self.database,
            parent=self,
        )
        self.bridge.state_changed.connect(self._on_state)
        self.wakeups = Wakeups(self)
        self.wakeups.reconnect_now.connect(self._reconnect_now)

    @Slot(object)
    def _release_staged(self, item: OutboxItem) -> None:
        """A message stored or given up on no longer needs the files staged for it."""
        if item.files and item.state in (OutboxState.SENT, OutboxState.DISCARDED):
            self.staging.release(item.files)

    def relay(self) -> RelayClient:
        """This thread's relay client (requests sessions are not shared across threads)."""
        client: RelayClient | None = getattr(self._local, "client", None)
        if client is None:
            client = self.login.relay_client()
            self._local.client = client
            with self._clients_lock:
                self._clients.append(client)
        return client

    def start(self) -> None:
        """Connect, and send whatever the outbox kept from last time."""
        self.wakeups.start()
        self.read_state.start()
        self.bridge.start()
        self.outbox.resume()

    def close(self) -> None:
        """Disconnect and release everything (threads, sockets, the database)."""
        self.wakeups.stop()
        self.bridge.stop()
        self.sync.stop()
        self.outbox.stop()
        self.read_state.stop()
        self.tasks.shutdown(wait=True)
        with self._clients_lock:
            for client in self._clients:
                client.close()
        self.database.close()

    def _authorize(self, socket_id: str, channel: str) -> dict[str, str]:
        return self.relay().pusher_auth(socket_id, channel)

    def _history(self, room: str, after: int | None, limit: int) -> HistoryPage:
        return self.relay().history(room, after=after, limit=limit)

    def _changes(self, room: str, since: int | None) -> ChangePage:
        return self.relay().changes(room, since)

    def _send(
        self, room: str, text: str, client_id: str, mentions: tuple[int, ...] = ()
    ) -> Message:
        return self.relay().send(room, text, client_id, mentions=mentions)

    def _upload(self, room: str, path: Path, progress: Progress, cancel: Cancel) -> str:
        return self.relay().upload(room, path, progress=progress, cancel=cancel).id

    def _send_files(  # noqa: PLR0917 - the outbox's FileSender calls it positionally
        self,
        room: str,
        text: str,
        client_id: str,
        ids: Sequence[str],
        mentions: tuple[int, ...],
        reply_to: int | None,
    ) -> Message:
        relay = self.relay()
        return relay.send(
            room, text, client_id, attachments=ids, mentions=mentions, reply_to=reply_to
        )

    def _edit(
        self, room: str, message_id: int, text: str, mentions: tuple[int, ...] | None = None
    ) -> Message:
        return self.relay().edit(room, message_id, text, mentions)

    def _delete(self, room: str, message_id: int) -> Message:
        return self.relay().delete(room, message_id)

    def _reply(
        self, room: str, text: str, client_id: str, reply_to: int, mentions: tuple[int, ...]
    ) -> Message:
        return self.relay().send(room, text, client_id, reply_to=reply_to, mentions=mentions)

    def _react(self, room: str, message_id: int, emoji: str, on: bool) -> Message:
        return self.relay().react(room, message_id, emoji, on=on)

    def around(self, room: str, message_id: int) -> AroundPage:
        """Message ``message_id`` and its neighbours (blocking: run it on a worker)."""
        return self.relay().around(room, message_id)

    @Slot(str)
    def _reconnect_now(self, why: str) -> None:
        """Skip the back-off: a retry now has a real chance (and the outbox too)."""
        log.info("reconnecting now: %s", why)
        self.bridge.retry_now()
        self.outbox.resume()

    @Slot(object, str, float)
    def _on_state(self, state: ConnectionState, reason: str, retry_in: float) -> None:
        if state is ConnectionState.CONNECTED:
            if not self._verified:
                self._verify()
            self.outbox.resume()

    def _verify(self) -> None:
        """After an offline start: does the relay still take our token? (Once.)"""
        self._verified = True

        def accepted(user: User) -> None:
            self.database.save_login(user, self.login.server)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AuthenticationError):
                self.session_refused.emit(str(exc))
            else:
                self._verified = False  # try again on the next connection
                log.info("could not check the session yet: %s", exc)

        relay = self.relay
        self.tasks.run(lambda: relay().me(), accepted, failed)
