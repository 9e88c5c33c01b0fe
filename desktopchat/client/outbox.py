"""Durable sending: written messages, edits and deletes wait here until the relay has them.

Each one is persisted before the first attempt, so quitting or a crash loses nothing; a
message is retried with the same ``client_id`` (the relay turns repeats into the one
stored message) until the relay answers, and edits and deletes are idempotent by nature.
One operation per room is in flight at a time, so a room's messages are stored, edited
and deleted in the order they were written. One the relay refuses for good (room gone,
not yours) is marked failed and the next one goes on; a message over the size limit is
refused before it is queued (:class:`MessageTooLargeError`), since it could never land.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QTimer, Signal

from desktopchat.client.backoff import Backoff
from desktopchat.client.cache import DELETE, EDIT, SEND, LocalDatabase, OutboxRow
from desktopchat.client.domain import Message
from desktopchat.client.errors import MessageTooLargeError, RelayError
from desktopchat.client.tasks import TaskRunner
from desktopchat.text_size import text_bytes

log = logging.getLogger(__name__)

Sender = Callable[..., Message]
"""``(room, text, client_id[, mentions]) -> stored message``; blocking (HTTP). ``mentions``
(user ids) is passed only when there are some, so a plain sender takes three arguments."""
Editor = Callable[[str, int, str], Message]
"""``(room, message_id, text) -> the edited message``; blocking (HTTP)."""
Deleter = Callable[[str, int], Message]
"""``(room, message_id) -> the deleted message (a placeholder)``; blocking (HTTP)."""


class OutboxState(enum.Enum):
    """Where a written message stands."""

    PENDING = "pending"  # waiting for its turn or for the relay to come back
    SENDING = "sending"
    FAILED = "failed"  # refused for good; retry, edit or discard is the user's call
    SENT = "sent"  # stored by the relay; gone from the outbox
    DISCARDED = "discarded"  # the user gave up on it; gone from the outbox


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A message in the outbox, as the UI shows it."""

    client_id: str
    room: str
    text: str
    created_at: float
    state: OutboxState
    error: str | None = None
    #: ``send`` (a new message), ``edit`` or ``delete`` (of stored message ``message_id``).
    kind: str = SEND
    message_id: int | None = None
    #: Ids of the users a new message mentions.
    mentions: tuple[int, ...] = ()

    @property
    def is_message(self) -> bool:
        """A new message (shown as its own row until stored), not an edit or delete."""
        return self.kind == SEND


class Outbox(QObject):
    """Sends written messages, edits and deletes through the relay, in order per room.

    Signals:
        changed(object): an :class:`OutboxItem` changed state (SENT once stored,
            DISCARDED when the user gave up on it).
        sent(str, object): client_id, and the stored :class:`Message` (as sent, edited
            or deleted): the room's timeline takes it at once, without waiting for the
            Pusher echo (which may never come after a reconnect).
    """

    changed = Signal(object)
    sent = Signal(str, object)

    def __init__(
        self,
        database: LocalDatabase,
        tasks: TaskRunner,
        send: Sender,
        parent: QObject | None = None,
        *,
        edit: Editor | None = None,
        delete: Deleter | None = None,
        max_bytes: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = database
        self._tasks = tasks
        self._send = send
        self._edit = edit
        self._delete = delete
        #: The relay's limit on message text (``/api/config``); None: unknown, not checked.
        self.max_bytes = max_bytes
        self._items: dict[str, OutboxItem] = {}
        self._in_flight: set[str] = set()
        self._backoff: dict[str, Backoff] = {}
        self._timers: dict[str, QTimer] = {}
        mentioned = database.outbox_mentions()
        for row in database.outbox():
            item = _item(row)
            self._items[row.client_id] = replace(item, mentions=mentioned.get(row.client_id, ()))

    def items(self, room: str | None = None) -> list[OutboxItem]:
        """Everything not yet stored, oldest first (optionally of one room)."""
        return [i for i in self._items.values() if room is None or i.room == room]

    def enqueue(self, room: str, text: str, mentions: tuple[int, ...] = ()) -> OutboxItem:
        """Persist ``text`` for ``room`` (mentioning ``mentions``, by user id), then send it
        as soon as its turn comes.

        Raises :class:`MessageTooLargeError` (and keeps nothing) when the relay would
        refuse it for its size.
        """
        self._check_size(text)
        return self._add(room, text, SEND, None, mentions)

    def enqueue_edit(self, room: str, message_id: int, text: str) -> OutboxItem:
        """Persist an edit of stored message ``message_id``; it goes in its room's turn."""
        self._check_size(text)
        return self._add(room, text, EDIT, message_id)

    def enqueue_delete(self, room: str, message_id: int) -> OutboxItem:
        """Persist the deletion of stored message ``message_id``."""
        return self._add(room, "", DELETE, message_id)

    def revise(self, client_id: str, text: str) -> None:
        """The author edited a failed message: new text, and it is sent again."""
        item = self._items.get(client_id)
        if item is None or item.state is not OutboxState.FAILED or not item.is_message:
            return
        self._check_size(text)
        self._db.outbox_revise(client_id, text)
        self._update(replace(item, text=text, state=OutboxState.PENDING, error=None))
        self._kick(item.room)

    def _check_size(self, text: str) -> None:
        if self.max_bytes is not None and (size := text_bytes(text)) > self.max_bytes:
            raise MessageTooLargeError(size, self.max_bytes)

    def _add(
        self,
        room: str,
        text: str,
        kind: str,
        message_id: int | None,
        mentions: tuple[int, ...] = (),
    ) -> OutboxItem:
        row = self._db.outbox_add(
            f"dc-{uuid.uuid4().hex}", room, text, kind=kind, message_id=message_id
        )
        if mentions:
            self._db.outbox_set_mentions(row.client_id, mentions)
        item = replace(_item(row), mentions=mentions)
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
        """Give up on a failed message (its row leaves the screen too)."""
        item = self._items.get(client_id)
        if item is not None and item.state is OutboxState.FAILED:
            self._db.outbox_remove(client_id)
            del self._items[client_id]
            self.changed.emit(replace(item, state=OutboxState.DISCARDED))

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
            lambda: self._perform(item),
            lambda message: self._stored(item, message),
            lambda exc: self._refused(item, exc),
        )

    def _perform(self, item: OutboxItem) -> Message:
        """On a worker: the one relay call ``item`` stands for."""
        if item.kind == EDIT and self._edit is not None and item.message_id is not None:
            return self._edit(item.room, item.message_id, item.text)
        if item.kind == DELETE and self._delete is not None and item.message_id is not None:
            return self._delete(item.room, item.message_id)
        if item.kind != SEND:
            raise RelayError(f"this client cannot {item.kind} messages", status=400)
        if item.mentions:
            return self._send(item.room, item.text, item.client_id, item.mentions)
        return self._send(item.room, item.text, item.client_id)

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
            if item.is_message:  # kept, shown as failed: retry, edit or discard
                self._db.outbox_failed(item.client_id, str(exc))
                self._update(replace(item, state=OutboxState.FAILED, error=str(exc)))
            else:  # an edit or delete refused for good (not yours, gone): nothing to retry
                self._db.outbox_remove(item.client_id)
                self._items.pop(item.client_id, None)
                self.changed.emit(replace(item, state=OutboxState.FAILED, error=str(exc)))
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
    return OutboxItem(
        row.client_id,
        row.room,
        row.text,
        row.created_at,
        state,
        row.failed,
        row.kind,
        row.message_id,
    )
