"""Durable sending: written messages wait here until the relay has stored them.

Each message is persisted before the first attempt, so quitting or a crash loses
nothing; it is retried with the same ``client_id`` (the relay turns repeats into the one
stored message) until the relay answers. One message per room is in flight at a time,
so a room's messages are stored in the order they were written. A message the relay
refuses for good (too large, room gone) is marked failed and the next one goes on.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QTimer, Signal

from desktopchat.client.backoff import Backoff
from desktopchat.client.cache import LocalDatabase, OutboxRow
from desktopchat.client.domain import Message
from desktopchat.client.errors import RelayError
from desktopchat.client.tasks import TaskRunner

log = logging.getLogger(__name__)

Sender = Callable[[str, str, str], Message]
"""``(room, text, client_id) -> stored message``; blocking (HTTP)."""


class OutboxState(enum.Enum):
    """Where a written message stands."""

    PENDING = "pending"  # waiting for its turn or for the relay to come back
    SENDING = "sending"
    FAILED = "failed"  # refused for good; retry or discard is the user's call
    SENT = "sent"  # stored by the relay; gone from the outbox


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A message in the outbox, as the UI shows it."""

    client_id: str
    room: str
    text: str
    created_at: float
    state: OutboxState
    error: str | None = None


class Outbox(QObject):
    """Sends written messages through the relay, in order per room, until they land.

    Signals:
        changed(object): an :class:`OutboxItem` changed state (SENT once stored).
        sent(str, object): client_id, and the stored :class:`Message`.
    """

    changed = Signal(object)
    sent = Signal(str, object)

    def __init__(
        self,
        database: LocalDatabase,
        tasks: TaskRunner,
        send: Sender,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = database
        self._tasks = tasks
        self._send = send
        self._items: dict[str, OutboxItem] = {}
        self._in_flight: set[str] = set()
        self._backoff: dict[str, Backoff] = {}
        self._timers: dict[str, QTimer] = {}
        for row in database.outbox():
            self._items[row.client_id] = _item(row)

    def items(self, room: str | None = None) -> list[OutboxItem]:
        """Everything not yet stored, oldest first (optionally of one room)."""
        return [i for i in self._items.values() if room is None or i.room == room]

    def enqueue(self, room: str, text: str) -> OutboxItem:
        """Persist ``text`` for ``room``, then send it as soon as its turn comes."""
        row = self._db.outbox_add(f"dc-{uuid.uuid4().hex}", room, text)
        item = _item(row)
        self._items[item.client_id] = item
        self.changed.emit(item)
        self._kick(room)
        return item

    def retry(self, client_id: str) -> None:
        """Try a failed message again (with the same client_id)."""
        item = self._items.get(client_id)
        if item is not None and item.state is OutboxState.FAILED:
            self._db.outbox_failed(client_id, None)
            self._update(replace(item, state=OutboxState.PENDING, error=None))
            self._kick(item.room)

    def discard(self, client_id: str) -> None:
        """Give up on a failed message."""
        item = self._items.get(client_id)
        if item is not None and item.state is OutboxState.FAILED:
            self._db.outbox_remove(client_id)
            del self._items[client_id]

    def resume(self) -> None:
        """Send whatever waits (at start-up, and when the connection comes back)."""
        for room in {i.room for i in self._items.values()}:
            timer = self._timers.get(room)
            if timer is not None:
                timer.stop()
            self._kick(room)

    def stop(self) -> None:
        """Stop retrying (the session is closing); what waits stays in the database."""
        for timer in self._timers.values():
            timer.stop()

    def _update(self, item: OutboxItem) -> None:
        self._items[item.client_id] = item
        self.changed.emit(item)

    def _kick(self, room: str) -> None:
        if room in self._in_flight:
            return
        item = next(
            (i for i in self._items.values() if i.room == room and i.state is OutboxState.PENDING),
            None,
        )
        if item is None:
            return
        self._in_flight.add(room)
        self._update(replace(item, state=OutboxState.SENDING))
        self._tasks.run(
            lambda: self._send(item.room, item.text, item.client_id),
            lambda message: self._stored(item, message),
            lambda exc: self._refused(item, exc),
        )

    def _stored(self, item: OutboxItem, message: Message) -> None:
        self._in_flight.discard(item.room)
        self._backoff.pop(item.room, None)
        self._db.outbox_remove(item.client_id)
        self._items.pop(item.client_id, None)
        self.changed.emit(replace(item, state=OutboxState.SENT))
        self.sent.emit(item.client_id, message)
        self._kick(item.room)

    def _refused(self, item: OutboxItem, exc: BaseException) -> None:
        self._in_flight.discard(item.room)
        if isinstance(exc, RelayError) and not exc.transient and exc.status != 401:
            self._db.outbox_failed(item.client_id, str(exc))
            self._update(replace(item, state=OutboxState.FAILED, error=str(exc)))
            self._kick(item.room)
            return
        # The relay is away (or the session needs renewing): wait, then try again, in order.
        self._update(replace(item, state=OutboxState.PENDING, error=str(exc)))
        delay = self._backoff.setdefault(item.room, Backoff()).next_delay()
        log.info("outbox: %s for %s; retrying in %.1f s", exc, item.room, delay)
        timer = self._timers.get(item.room)
        if timer is None:
            timer = self._timers[item.room] = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda room=item.room: self._kick(room))
        timer.start(int(delay * 1000))


def _item(row: OutboxRow) -> OutboxItem:
    state = OutboxState.FAILED if row.failed else OutboxState.PENDING
    return OutboxItem(row.client_id, row.room, row.text, row.created_at, state, row.failed)
