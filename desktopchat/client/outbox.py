"""Durable sending: messages, replies, edits, deletes and reactions wait here for the relay.

Each one is persisted before the first attempt, so quitting or a crash loses nothing; a
message is retried with the same ``client_id`` (the relay turns repeats into the one
stored message) until the relay answers, and edits and deletes are idempotent by nature.
One operation per room is in flight at a time, so a room's messages are stored, edited
and deleted in the order they were written. One the relay refuses for good (room gone,
not yours) is marked failed and the next one goes on; a message over the size limit is
refused before it is queued (:class:`MessageTooLargeError`), since it could never land.

A message with files keeps their local paths in the outbox; when its turn comes each file
is uploaded (streamed, with ``upload_progress``), then the message is sent carrying them.
An upload cut off (the relay restarting, the network gone) makes the whole item wait and
start again: every file is uploaded anew from its first byte (the relay keeps no partial
uploads, and stores identical bytes once). :meth:`Outbox.cancel` stops it for good.
"""

from __future__ import annotations

import enum
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from desktopchat.client.backoff import Backoff
from desktopchat.client.cache import (
    DELETE,
    EDIT,
    REACT,
    REPLY,
    SEND,
    UNREACT,
    LocalDatabase,
    OutboxRow,
)
from desktopchat.client.domain import Message
from desktopchat.client.errors import MessageTooLargeError, RelayError
from desktopchat.client.tasks import TaskRunner
from desktopchat.client.transfers import (
    Cancel,
    FileTooLargeError,
    Progress,
    TransferCancelledError,
)
from desktopchat.text_size import text_bytes

log = logging.getLogger(__name__)

Sender = Callable[..., Message]
"""``(room, text, client_id[, mentions]) -> stored message``; blocking (HTTP). ``mentions``
(user ids) is passed only when there are some, so a plain sender takes three arguments."""
Editor = Callable[[str, int, str, tuple[int, ...] | None], Message]
"""``(room, message_id, text, mentions) -> the edited message``; blocking (HTTP).
``mentions`` become whom it mentions (``()``: no one); None: they stay as they were."""
Deleter = Callable[[str, int], Message]
"""``(room, message_id) -> the deleted message (a placeholder)``; blocking (HTTP)."""
Uploader = Callable[[str, Path, Progress, Cancel], str]
"""``(room, path, progress, cancel) -> the uploaded file's id``; blocking (HTTP)."""
FileSender = Callable[[str, str, str, Sequence[str], tuple[int, ...], int | None], Message]
"""``(room, text, client_id, file_ids, mentions, reply_to) -> stored message``; blocking
(HTTP). ``reply_to`` is the message a reply answers (``None``: a new message)."""
Replier = Callable[[str, str, str, int, tuple[int, ...]], Message]
"""``(room, text, client_id, reply_to, mentions) -> stored message``; blocking (HTTP)."""
Reactor = Callable[[str, int, str, bool], Message]
"""``(room, message_id, emoji, on) -> the message with its reactions``; blocking (HTTP)."""


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
    #: Local paths of the files the message carries once sent.
    files: tuple[str, ...] = ()
    #: Ids of the users a new message mentions.
    mentions: tuple[int, ...] = ()
    #: An edit whose :attr:`mentions` replace the message's, even with none (an ``@Name``
    #: edited out); otherwise an edit leaves them as they were.
    replaces_mentions: bool = False

    @property
    def is_message(self) -> bool:
        """A new message (shown as its own row until stored), not an edit or delete."""
        return self.kind in (SEND, REPLY)

    @property
    def is_reaction(self) -> bool:
        """A reaction put on (``react``) or taken back (``unreact``); ``text`` is the emoji."""
        return self.kind in (REACT, UNREACT)


class Outbox(QObject):
    """Sends written messages, edits and deletes through the relay, in order per room.

    Signals:
        changed(object): an :class:`OutboxItem` changed state (SENT once stored,
            DISCARDED when the user gave up on it).
        sent(str, object): client_id, and the stored :class:`Message` (as sent, edited
            or deleted): the room's timeline takes it at once, without waiting for the
            Pusher echo (which may never come after a reconnect).
        upload_progress(str, int, int, int): client_id, which file (0, 1…), bytes sent
            and bytes in all; emitted from the uploading thread (queued to receivers).
        reacted(object): the :class:`Message` as the relay answered a reaction (its
            ``reactions`` current): applied as a change, since its id was delivered.
    """

    changed = Signal(object)
    sent = Signal(str, object)
    upload_progress = Signal(str, int, int, int)
    reacted = Signal(object)

    def __init__(
        self,
        database: LocalDatabase,
        tasks: TaskRunner,
        send: Sender,
        parent: QObject | None = None,
        *,
        edit: Editor | None = None,
        delete: Deleter | None = None,
        reply: Replier | None = None,
        react: Reactor | None = None,
        max_bytes: int | None = None,
        upload: Uploader | None = None,
        send_files: FileSender | None = None,
        max_file_bytes: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = database
        self._tasks = tasks
        self._send = send
        self._edit = edit
        self._delete = delete
        self._upload = upload
        #: The relay's limit on one file (``/api/config``); None: unknown, not checked.
        self.max_file_bytes = max_file_bytes
        self._send_files = send_files
        #: Items the user cancelled while they upload (read from the uploading thread).
        self._cancelled: set[str] = set()
        self._cancel_lock = threading.Lock()
        self._reply = reply
        self._react = react
        #: The relay's limit on message text (``/api/config``); None: unknown, not checked.
        self.max_bytes = max_bytes
        self._items: dict[str, OutboxItem] = {}
        self._in_flight: set[str] = set()
        self._backoff: dict[str, Backoff] = {}
        self._timers: dict[str, QTimer] = {}
        mentioned = database.outbox_mentions()
        for row in database.outbox():
            item = _item(row)
            self._items[row.client_id] = replace(
                item,
                mentions=mentioned.get(row.client_id, ()),
                replaces_mentions=row.kind == EDIT and row.client_id in mentioned,
            )

    def items(self, room: str | None = None) -> list[OutboxItem]:
        """Everything not yet stored, oldest first (optionally of one room)."""
        return [i for i in self._items.values() if room is None or i.room == room]

    def enqueue(
        self, room: str, text: str, files: Sequence[Path] = (), *, mentions: tuple[int, ...] = ()
    ) -> OutboxItem:
        """Persist ``text`` (and the paths of ``files``) for ``room``, mentioning
        ``mentions`` (by user id), then send it as soon as its turn comes.

        Raises :class:`MessageTooLargeError` or :class:`FileTooLargeError` (and keeps
        nothing) when the relay would refuse it for its size, ``OSError`` for a file that
        cannot be read.
        """
        self._check_size(text)
        return self._add(room, text, SEND, None, self._checked_files(files), mentions=mentions)

    def _checked_files(self, files: Sequence[Path]) -> tuple[str, ...]:
        """The absolute paths of ``files``; raises (keeping nothing) for one the relay
        would refuse for its size, ``OSError`` for one that cannot be read."""
        for path in map(Path, files):
            size = path.stat().st_size
            if self.max_file_bytes is not None and size > self.max_file_bytes:
                raise FileTooLargeError(path, size, self.max_file_bytes)
        return tuple(str(Path(f).absolute()) for f in files)

    def cancel(self, client_id: str) -> None:
        """Give up on a message with files that waits or uploads: it leaves the outbox
        (an upload under way stops at its next chunk)."""
        item = self._items.get(client_id)
        if item is None or not item.files:
            return
        if item.state is OutboxState.SENDING:
            with self._cancel_lock:
                self._cancelled.add(client_id)
            return
        self._db.outbox_remove(client_id)
        del self._items[client_id]
        self.changed.emit(replace(item, state=OutboxState.DISCARDED))

    def enqueue_edit(
        self, room: str, message_id: int, text: str, *, mentions: tuple[int, ...] | None = None
    ) -> OutboxItem:
        """Persist an edit of stored message ``message_id``; it goes in its room's turn.
        With ``mentions`` (``()`` too), those become whom it mentions; None: they stay."""
        self._check_size(text)
        return self._add(
            room, text, EDIT, message_id, mentions=mentions or (), always=mentions is not None
        )

    def enqueue_delete(self, room: str, message_id: int) -> OutboxItem:
        """Persist the deletion of stored message ``message_id``."""
        return self._add(room, "", DELETE, message_id)

    def enqueue_reply(
        self,
        room: str,
        text: str,
        reply_to: int,
        files: Sequence[Path] = (),
        *,
        mentions: tuple[int, ...] = (),
    ) -> OutboxItem:
        """Persist a reply to stored message ``reply_to`` (carrying ``files``, uploaded
        first as a message's are): sent as a message is, in turn. Raises as
        :meth:`enqueue` does."""
        self._check_size(text)
        paths = self._checked_files(files)
        return self._add(room, text, REPLY, reply_to, paths, mentions=mentions)

    def enqueue_reaction(self, room: str, message_id: int, emoji: str, *, on: bool) -> OutboxItem:
        """Persist putting ``emoji`` on message ``message_id`` (``on``) or taking it back."""
        return self._add(room, emoji, REACT if on else UNREACT, message_id)

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
        files: tuple[str, ...] = (),
        *,
        mentions: tuple[int, ...] = (),
        always: bool = False,
    ) -> OutboxItem:
        """``always``: keep ``mentions`` even when empty (an edit that replaces them)."""
        row = self._db.outbox_add(
            f"dc-{uuid.uuid4().hex}", room, text, kind=kind, message_id=message_id, files=files
        )
        if mentions or always:
            self._db.outbox_set_mentions(row.client_id, mentions)
        item = replace(_item(row), mentions=mentions, replaces_mentions=always)
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
            mentions = item.mentions if item.replaces_mentions else (item.mentions or None)
            return self._edit(item.room, item.message_id, item.text, mentions)
        if item.kind == DELETE and self._delete is not None and item.message_id is not None:
            return self._delete(item.room, item.message_id)
        if item.kind == REPLY and item.files and item.message_id is not None:
            return self._perform_with_files(item, reply_to=item.message_id)
        if item.kind == REPLY and self._reply is not None and item.message_id is not None:
            return self._reply(item.room, item.text, item.client_id, item.message_id, item.mentions)
        if item.is_reaction and self._react is not None and item.message_id is not None:
            return self._react(item.room, item.message_id, item.text, item.kind == REACT)
        if item.kind != SEND:
            raise RelayError(f"this client cannot {item.kind} messages", status=400)
        if item.files:
            return self._perform_with_files(item)
        if item.mentions:
            return self._send(item.room, item.text, item.client_id, item.mentions)
        return self._send(item.room, item.text, item.client_id)

    def _perform_with_files(self, item: OutboxItem, reply_to: int | None = None) -> Message:
        """On a worker: upload each file (again, after an interruption), then send (as
        a reply to ``reply_to``, if it is one)."""
        if self._upload is None or self._send_files is None:
            raise RelayError("this client cannot send files", status=400)

        def cancelled() -> bool:
            with self._cancel_lock:
                return item.client_id in self._cancelled

        ids = []
        for index, path in enumerate(item.files):
            if not Path(path).is_file():
                raise RelayError(f"{path} is gone: it cannot be sent", status=400)

            def progress(done: int, total: int, index: int = index) -> None:
                self.upload_progress.emit(item.client_id, index, done, total)

            ids.append(self._upload(item.room, Path(path), progress, cancelled))
        return self._send_files(item.room, item.text, item.client_id, ids, item.mentions, reply_to)

    def _stored(self, item: OutboxItem, message: Message) -> None:
        self._in_flight.discard(item.room)
        self._backoff.pop(item.room, None)
        self._db.outbox_remove(item.client_id)
        self._items.pop(item.client_id, None)
        self.changed.emit(replace(item, state=OutboxState.SENT))
        if item.is_reaction:
            self.reacted.emit(message)
        else:
            self.sent.emit(item.client_id, message)
        self._kick(item.room)

    def _refused(self, item: OutboxItem, exc: BaseException) -> None:
        self._in_flight.discard(item.room)
        with self._cancel_lock:
            self._cancelled.discard(item.client_id)
        if isinstance(exc, TransferCancelledError):  # the user's cancel: gone for good
            self._db.outbox_remove(item.client_id)
            self._items.pop(item.client_id, None)
            self.changed.emit(replace(item, state=OutboxState.DISCARDED))
            self._kick(item.room)
            return
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
        row.files,
    )
