"""A running chat session: the services the window and ``tail`` share, wired together.

One object per logged-in profile: the task runner, the realtime bridge (authorizing
channels through the relay), the sync engine, the outbox and the local database.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Slot

from desktopchat.client.cache import LocalDatabase, database_path
from desktopchat.client.domain import ChangePage, HistoryPage, Message
from desktopchat.client.login import Login
from desktopchat.client.outbox import Outbox
from desktopchat.client.realtime import ConnectionState, RealtimeBridge
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.sync import SyncEngine
from desktopchat.client.tasks import TaskRunner
from desktopchat.client.trust import server_address
from desktopchat.client.wakeups import Wakeups

log = logging.getLogger(__name__)


def websocket_pin(login: Login) -> str | None:
    """The relay's pin, for a WebSocket on the relay's own host and port (the hub's).

    A standalone relay points clients at another server (Pusher, soketi): that one's
    certificate is the CAs' business, not the relay's pin.
    """
    info = login.server
    relay = server_address(login.server_url)
    if login.pin is None or relay is None or not info.tls or not info.host:
        return None
    return login.pin if (info.host.lower(), info.port or 443) == relay else None


class ChatSession(QObject):
    """Everything one logged-in client runs. Create on the GUI thread; :meth:`close` at exit."""

    def __init__(self, login: Login, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.login = login
        self._local = threading.local()
        self._clients: list[RelayClient] = []
        self._clients_lock = threading.Lock()
        self.tasks = TaskRunner(parent=self)
        self.database = LocalDatabase(
            database_path(data_dir, login.server_url, login.user.username)
        )
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
        self.outbox = Outbox(self.database, self.tasks, self._send, parent=self)
        self.bridge.state_changed.connect(self._on_state)
        self.wakeups = Wakeups(self)
        self.wakeups.reconnect_now.connect(self._reconnect_now)

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
        self.bridge.start()
        self.outbox.resume()

    def close(self) -> None:
        """Disconnect and release everything (threads, sockets, the database)."""
        self.wakeups.stop()
        self.bridge.stop()
        self.outbox.stop()
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

    def _send(self, room: str, text: str, client_id: str) -> Message:
        return self.relay().send(room, text, client_id)

    @Slot(str)
    def _reconnect_now(self, why: str) -> None:
        """Skip the back-off: a retry now has a real chance (and the outbox too)."""
        log.info("reconnecting now: %s", why)
        self.bridge.retry_now()
        self.outbox.resume()

    @Slot(object, str, float)
    def _on_state(self, state: ConnectionState, reason: str, retry_in: float) -> None:
        if state is ConnectionState.CONNECTED:
            self.outbox.resume()
