"""Read marks kept on the relay, so every device of a user agrees on what is read.

A mark says "everything up to message N in this room is read" and only ever moves
forward. Marks made here are kept in the local database until the relay has them, so
a room read offline (or while the relay restarts) is marked there once the connection
returns; marks made on another device arrive live as ``read-state`` events on the user's
own channel, and after a reconnect from ``GET /api/read-state``, which also catches up
on any event missed while away.

Reading a room as it arrives moves its mark on every message (and the relay answers
each mark sent, and announces it on the user's channel); the local database gets each
room's newest mark at most every :data:`WRITE_DELAY_MS` (and when the session closes),
not two or three writes on the GUI thread per message: a mark lost to a crash in between
is only a room counted unread a little too far back, and the relay has it anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktopchat.client.cache import LocalDatabase
from desktopchat.client.direct import user_channel
from desktopchat.client.domain import ReadMark
from desktopchat.client.errors import DesktopChatError, RelayError
from desktopchat.client.realtime import RealtimeBridge
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.tasks import TaskRunner

log = logging.getLogger(__name__)

READ_STATE_EVENT = "read-state"
#: Marks made here reach the local database at most this often (milliseconds).
WRITE_DELAY_MS = 250


class ReadState(QObject):
    """The user's read mark per room: made here, sent to the relay, learned from it.

    Signals:
        moved(str, int): room, its mark moved up (read here, on another device, or as the
            relay listed it); unread counts and notifications follow from it.
        refreshed(): the relay's listing of every mark was applied.
    """

    moved = Signal(str, int)
    refreshed = Signal()

    def __init__(
        self,
        bridge: RealtimeBridge,
        tasks: TaskRunner,
        relay: Callable[[], RelayClient],
        database: LocalDatabase,
        *,
        user_id: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._tasks = tasks
        self._relay = relay
        self._db = database
        self.channel = user_channel(user_id)
        stored = database.read_marks()
        self._marks = {room: mark for room, (mark, _) in stored.items()}
        #: Marks made here that the relay has not confirmed (sent again on reconnect).
        self._pending = {room: mark for room, (mark, pending) in stored.items() if pending}
        self._in_flight: set[str] = set()
        #: Marks not in the local database yet, by room (see :meth:`_write_later`).
        self._unwritten: dict[str, int] = {}
        self._write_timer = QTimer(self)
        self._write_timer.setSingleShot(True)
        self._write_timer.setInterval(WRITE_DELAY_MS)
        self._write_timer.timeout.connect(self._write)
        self._stopped = False
        bridge.subscribed.connect(self._on_subscribed)
        bridge.channel_event.connect(self._on_event)

    def start(self) -> None:
        """Follow the user's channel (each subscription lists the marks and sends ours)."""
        self._bridge.subscribe(self.channel)

    def stop(self) -> None:
        """The session is closing: deliver nothing more (what waits stays in the database)."""
        self._write()
        self._stopped = True

    def mark(self, room: str) -> int | None:
        """The highest message id known to be read in ``room``, if any."""
        return self._marks.get(room)

    def mark_read(self, room: str, message_id: int) -> None:
        """Everything up to ``message_id`` in ``room`` was read here: remember, tell the relay."""
        if message_id <= self._marks.get(room, 0):
            return
        self._marks[room] = self._pending[room] = message_id
        self._write_later(room, message_id)
        self.moved.emit(room, message_id)
        self._send(room)

    def _write_later(self, room: str, message_id: int) -> None:
        """Store ``room``'s mark (with whether the relay still lacks it) within
        :data:`WRITE_DELAY_MS`, together with every other mark moved meanwhile."""
        self._unwritten[room] = max(message_id, self._unwritten.get(room, 0))
        if not self._write_timer.isActive():
            self._write_timer.start()

    def _write(self) -> None:
        """Put the marks moved since the last write into the local database (as they are
        now: a mark the relay confirmed meanwhile is stored as no longer pending)."""
        self._write_timer.stop()
        marks, self._unwritten = self._unwritten, {}
        for room, message_id in marks.items():
            self._db.set_read_mark(room, message_id, pending=room in self._pending)

    def resume(self) -> None:
        """Send every mark the relay has not confirmed (the connection is back)."""
        for room in list(self._pending):
            self._send(room)

    def refresh(self) -> None:
        """Ask the relay for every mark (made on any device)."""
        relay = self._relay
        self._tasks.run(
            lambda: relay().read_state(),
            self._listed,
            lambda exc: log.info("read marks not refreshed: %s", exc),
        )

    # ---------------------------------------------------------------------- internals

    def _send(self, room: str) -> None:
        if room in self._in_flight or room not in self._pending:
            return
        self._in_flight.add(room)
        relay, message_id = self._relay, self._pending[room]
        self._tasks.run(
            lambda: relay().mark_read(room, message_id),
            lambda mark: self._sent(room, message_id, mark),
            lambda exc: self._refused(room, message_id, exc),
        )

    def _sent(self, room: str, sent: int, mark: ReadMark) -> None:
        self._in_flight.discard(room)
        if self._stopped:
            return
        if self._pending.get(room, 0) <= sent:
            self._pending.pop(room, None)
        self._learn(mark)
        self._send(room)  # read further meanwhile: that mark goes next

    def _refused(self, room: str, sent: int, exc: BaseException) -> None:
        self._in_flight.discard(room)
        if self._stopped:
            return
        if isinstance(exc, RelayError) and not exc.transient and exc.status != 401:
            # Refused for good (the room is gone): nothing to send again.
            log.warning("read mark %s in %s refused: %s", sent, room, exc)
            if self._pending.get(room) == sent:
                del self._pending[room]
                self._write_later(room, sent)
            return
        log.info("read mark in %s not sent yet (%s); sent again on reconnect", room, exc)

    def _listed(self, marks: list[ReadMark]) -> None:
        if not self._stopped:
            for mark in marks:
                self._learn(mark)
            self.refreshed.emit()

    def _learn(self, mark: ReadMark) -> None:
        """The relay's mark: higher than ours moves ours; ours, if pending, is now held."""
        if mark.message_id >= self._pending.get(mark.room, 0):
            self._pending.pop(mark.room, None)
        self._write_later(mark.room, mark.message_id)
        if mark.message_id > self._marks.get(mark.room, 0):
            self._marks[mark.room] = mark.message_id
            self.moved.emit(mark.room, mark.message_id)

    @Slot(str)
    def _on_subscribed(self, channel: str) -> None:
        if channel == self.channel and not self._stopped:
            self.refresh()
            self.resume()

    @Slot(str, str, object)
    def _on_event(self, channel: str, event: str, data: object) -> None:
        if channel != self.channel or event != READ_STATE_EVENT or self._stopped:
            return
        try:
            mark = ReadMark.from_json(data)
        except DesktopChatError as exc:
            log.warning("ignoring a malformed read-state event: %s", exc)
            return
        self._learn(mark)
