"""One room's messages as a list model: stored messages by id, then the outbox's.

Rows are plain records (no widget per message). Live messages are buffered and inserted
in one batch per frame, so hundreds per second cost one ``rowsInserted`` each 16 ms rather
than one each; older history is prepended in one go when the view scrolls to the top.

Per row the model also keeps, in flat arrays (8 bytes a row, not a Python object each),
the message id, its local day and a slot where the delegate remembers the row's measured
text height: 100,000 rows stay cheap to hold and to lay out.
"""

from __future__ import annotations

import bisect
import time
from array import array
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from desktopchat.client import replies
from desktopchat.client.domain import Message
from desktopchat.client.notify.policy import mentions_me
from desktopchat.client.outbox import OutboxItem, OutboxState

#: Consecutive messages of one author within this gap share one header.
GROUP_GAP = timedelta(minutes=5)
#: Milliseconds between batched inserts (one frame at 60 Hz).
BATCH_INTERVAL_MS = 16
#: A frame's batch of at least this many messages is prepared (its rows measured) in one
#: event-loop pass and inserted in the next (see :meth:`MessageListModel._timed_flush`).
PREPARE_AT = 4

Row = Message | OutboxItem
Index = QModelIndex | QPersistentModelIndex


class Roles:
    """Item data roles beyond Qt's own."""

    ROW = Qt.ItemDataRole.UserRole + 1  # the Message or OutboxItem
    SHOW_HEADER = Qt.ItemDataRole.UserRole + 2  # author, avatar and time above the text
    DAY = Qt.ItemDataRole.UserRole + 3  # a date when a day separator goes above
    STATE = Qt.ItemDataRole.UserRole + 4  # "sent", "pending", "sending" or "failed"
    OWN = Qt.ItemDataRole.UserRole + 5  # written by the logged-in user
    UNREAD_ABOVE = Qt.ItemDataRole.UserRole + 6  # the "New messages" divider goes above
    MENTIONS_ME = Qt.ItemDataRole.UserRole + 7  # mentions the logged-in user (highlighted)


class MessageListModel(QAbstractListModel):
    """Messages of one room, oldest first, then what is still in the outbox.

    Signals:
        batch_inserted(int): rows just appended at the end (the view may follow them).
        has_older_changed(bool): whether there is history before the first row changed
            (an empty room with none shows its empty state).
        first_unread_changed(): the "New messages" divider moved or went (its row may
            not be loaded: the view offers a jump to it).
    """

    batch_inserted = Signal(int)
    has_older_changed = Signal(bool)
    first_unread_changed = Signal()

    def __init__(
        self,
        room: str,
        own_user_id: int,
        parent: QObject | None = None,
        own_name: str = "You",
    ) -> None:
        super().__init__(parent)
        self.room = room
        self.own_user_id = own_user_id
        #: The logged-in user's name (the initials of their unsent messages' avatar).
        self.own_name = own_name
        self._messages: list[Message] = []
        self._ids = array("q")  # parallel to _messages, for bisect
        self._days = array("l")  # parallel to _messages: local dates' ordinals, computed once
        #: Parallel to _messages: the delegate's measured text height (0 = not measured).
        self._heights = array("Q")
        self._first_unread: int | None = None
        #: How many messages were unread when the divider was put (see set_first_unread).
        self.unread_count = 0
        self._last_flush = 0.0
        self._pending: list[OutboxItem] = []
        #: Of the rows ``batch_inserted`` announced last, how many others wrote (the view
        #: counts only those as new: your own message, delivered, is not news to you).
        self.last_batch_from_others = 0
        self._incoming: list[Message] = []
        #: Set by the view: measures a burst's batch a pass before it is inserted.
        self.prepare_batch: Callable[[list[Message]], None] | None = None
        self._prepared = 0  # how many of _incoming prepare_batch has seen
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(BATCH_INTERVAL_MS)
        self._flush.timeout.connect(self._timed_flush)
        self._has_older = True
        self._getters = self._role_getters()

    # --------------------------------------------------------------------- reading

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """Messages plus outbox items (a list has no children)."""
        return 0 if parent.isValid() else len(self._messages) + len(self._pending)

    def message_count(self) -> int:
        """Stored messages loaded (the rows before the outbox's)."""
        return len(self._messages)

    def row(self, row: int) -> Row:
        """The record at ``row``."""
        count = len(self._messages)
        return self._messages[row] if row < count else self._pending[row - count]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text for display and accessibility; records and layout hints for the delegate."""
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        getter = self._getters.get(int(role))
        return getter(index.row()) if getter is not None else None

    def _role_getters(self) -> dict[int, Callable[[int], Any]]:
        describe: Callable[[int], Any] = lambda row: _describe(self.row(row))  # noqa: E731
        return {
            int(Roles.ROW): self.row,
            int(Qt.ItemDataRole.DisplayRole): describe,
            int(Qt.ItemDataRole.AccessibleTextRole): describe,
            int(Roles.SHOW_HEADER): self.shows_header,
            int(Roles.DAY): self.day_above,
            int(Roles.STATE): self._state,
            int(Roles.OWN): self._own,
            int(Roles.UNREAD_ABOVE): self.unread_above,
            int(Roles.MENTIONS_ME): self.mentions_me,
        }

    def mentions_me(self, row: int) -> bool:
        """Whether the message at ``row`` mentions the logged-in user (by id; by name in
        messages from before mentions had ids)."""
        record = self.row(row)
        if isinstance(record, OutboxItem) or record.deleted:
            return False
        return mentions_me(record, self.own_user_id, (self.own_name,))

    def _state(self, row: int) -> str:
        record = self.row(row)
        return "sent" if isinstance(record, Message) else record.state.value

    def _own(self, row: int) -> bool:
        record = self.row(row)
        return isinstance(record, OutboxItem) or record.author.id == self.own_user_id

    @property
    def has_older(self) -> bool:
        """Whether there may be messages before the first row (scrolling up loads them)."""
        return self._has_older

    @has_older.setter
    def has_older(self, value: bool) -> None:
        if value != self._has_older:
            self._has_older = value
            self.has_older_changed.emit(value)

    def is_empty_room(self) -> bool:
        """Nothing to show and nothing before it: the room has no messages yet."""
        return self.rowCount() == 0 and not self._has_older

    def layout_facts(self, row: int) -> tuple[Row, bool, bool, bool]:
        """``(record, starts a group, starts a day, first unread)`` of ``row`` in one call.

        The delegate asks this of every row on each layout; it touches only the flat
        arrays and the two records it compares.
        """
        count = len(self._messages)
        if row < count:
            record: Row = self._messages[row]
            new_day = row == 0 or self._days[row] != self._days[row - 1]
            unread = self._first_unread is not None and self._ids[row] == self._first_unread
            if new_day or unread:
                return record, True, new_day, unread
            return record, self._starts_group(record, self._messages[row - 1]), False, False
        record = self._pending[row - count]
        header = row == 0 or self._starts_group(record, self.row(row - 1))
        return record, header, False, False

    def shows_header(self, row: int) -> bool:
        """Whether ``row`` starts a group (author, avatar and time above its text)."""
        if row == 0 or self.day_above(row) is not None or self.unread_above(row):
            return True
        return self._starts_group(self.row(row), self.row(row - 1))

    def _starts_group(self, record: Row, previous: Row) -> bool:
        if isinstance(record, OutboxItem):
            return not isinstance(previous, OutboxItem) and previous.author.id != self.own_user_id
        if isinstance(previous, OutboxItem):
            return True
        return (
            previous.author.id != record.author.id or record.sent_at - previous.sent_at > GROUP_GAP
        )

    def day_above(self, row: int) -> date | None:
        """The date for a separator above ``row``, when it starts a new day."""
        if row >= len(self._messages):
            return None
        day = self._days[row]
        return date.fromordinal(day) if row == 0 or self._days[row - 1] != day else None

    def unread_above(self, row: int) -> bool:
        """Whether the "New messages" divider goes above ``row`` (its first unread)."""
        return (
            self._first_unread is not None
            and row < len(self._ids)
            and self._ids[row] == self._first_unread
        )

    @property
    def first_unread(self) -> int | None:
        """The message the "New messages" divider is above, if any."""
        return self._first_unread

    def set_first_unread(self, message_id: int | None, count: int = 0) -> None:
        """Put the "New messages" divider above ``message_id`` (None: no divider), the
        first of ``count`` unread messages.

        The controller sets it when a room with unread messages is opened and clears it
        when the room is left, so it stays put while the room is on screen.
        """
        self.unread_count = count if message_id is not None else 0
        if message_id == self._first_unread:
            return
        rows = [self.row_of(i) for i in (self._first_unread, message_id) if i is not None]
        self._first_unread = message_id
        for row in rows:
            if row is not None:
                self.dataChanged.emit(self.index(row), self.index(row))
        self.first_unread_changed.emit()

    def first_unread_of(self, count: int) -> int | None:
        """The id of the oldest of the newest ``count`` messages from others (the first
        unread when ``count`` are unread).

        With fewer loaded, the rest are counted back from the oldest loaded id (ids run
        1, 2, 3... in a room): as if none of the older ones were the reader's own, so the
        divider is never above a message already read, at worst below a few unread ones.
        """
        if count <= 0:
            return None
        found: int | None = None
        for message in reversed(self._messages):
            if message.author.id != self.own_user_id:
                found = message.id
                count -= 1
                if count == 0:
                    return found
        if not self._ids:
            return None
        return max(1, self._ids[0] - count)  # the rest are all older than what is loaded

    def message(self, message_id: int) -> Message | None:
        """The loaded message ``message_id``, if any."""
        row = self.row_of(message_id)
        return self._messages[row] if row is not None else None

    # ----------------------------------------------------------- the delegate's slot

    def measured(self, row: int) -> int:
        """What the delegate stored for message ``row`` (0: nothing yet, or an outbox row)."""
        return self._heights[row] if row < len(self._heights) else 0

    def store_measure(self, row: int, value: int) -> None:
        """Remember the delegate's ``value`` for message ``row`` (until it changes)."""
        if row < len(self._heights):
            self._heights[row] = value

    def forget_measures(self) -> None:
        """Every row is to be measured again (another font)."""
        for row in range(len(self._heights)):
            self._heights[row] = 0

    def first_id(self) -> int | None:
        """The oldest message id loaded (scrolling back continues before it)."""
        return self._ids[0] if self._ids else None

    def last_own_message(self) -> Message | None:
        """The newest stored, undeleted message of the logged-in user (Up edits it)."""
        for message in reversed(self._messages):
            if message.author.id == self.own_user_id and not message.deleted:
                return message
        return None

    def row_of(self, message_id: int) -> int | None:
        """The row holding ``message_id``, if loaded."""
        position = bisect.bisect_left(self._ids, message_id)
        if position < len(self._ids) and self._ids[position] == message_id:
            return position
        return None

    # --------------------------------------------------------------------- writing

    def add(self, messages: list[Message]) -> None:
        """New messages (in id order): at once if the last insert was a frame ago, else
        with the burst they are part of (one ``rowsInserted`` per frame at most)."""
        self._incoming.extend(messages)
        if self._flush.isActive():
            return
        elapsed_ms = (time.monotonic() - self._last_flush) * 1000
        if elapsed_ms >= BATCH_INTERVAL_MS:
            self.flush()
        else:  # the rest of this frame, not a whole new one
            self._flush.start(max(1, int(BATCH_INTERVAL_MS - elapsed_ms)))

    def _timed_flush(self) -> None:
        """A frame's batch, in two event-loop passes when it is a burst's.

        Inserting a burst's rows means measuring the newest (laying out their text) and
        then painting them: ~4 ms each here, and with both in one pass no input and no
        timer ran for ~9 ms a frame. :attr:`prepare_batch` measures them first; they are
        inserted (their measures now cached) and painted in the next pass. Messages that
        arrive in between wait for the next frame, so what is inserted is what was measured.
        """
        if (
            self.prepare_batch is not None
            and not self._prepared
            and len(self._incoming) >= PREPARE_AT
        ):
            self._prepared = len(self._incoming)
            self._last_flush = time.monotonic()  # the frame starts here
            self.prepare_batch(self._incoming)
            self._flush.start(0)
            return
        self.flush(self._prepared or None)

    def flush(self, count: int | None = None) -> None:
        """Insert what is buffered now (the first ``count`` only, if given), in one
        ``rowsInserted``; the rest waits for the next frame."""
        self._flush.stop()
        now = time.monotonic()
        if count is None:
            incoming, self._incoming = self._incoming, []
            self._last_flush = now
        else:  # the frame started when it was prepared
            incoming, self._incoming = self._incoming[:count], self._incoming[count:]
        self._prepared = 0
        if self._incoming:
            elapsed_ms = (now - self._last_flush) * 1000
            self._flush.start(max(1, int(BATCH_INTERVAL_MS - elapsed_ms)))
        last = self._ids[-1] if self._ids else 0
        fresh: list[Message] = []
        for message in incoming:  # in id order; a repeat within the batch is dropped too
            if message.id > last:
                fresh.append(message)
                last = message.id
        if not fresh:
            return
        first = len(self._messages)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._messages.extend(fresh)
        self._ids.extend(m.id for m in fresh)
        self._days.extend(_local_day(m) for m in fresh)
        self._heights.extend([0] * len(fresh))
        self.endInsertRows()
        # Only now the outbox rows they replace go: the message is never missing.
        self._drop_pending({m.client_id for m in fresh})
        if self._ids[0] == 1:
            self.has_older = False  # ids start at 1 in every room: this is the beginning
        self._refresh_neighbour(first + len(fresh))
        self.last_batch_from_others = sum(m.author.id != self.own_user_id for m in fresh)
        self.batch_inserted.emit(len(fresh))

    def prepend(self, older: list[Message], *, has_more: bool) -> None:
        """Older history (in id order) loaded by scrolling back."""
        first = self._ids[0] if self._ids else None
        older = [m for m in older if first is None or m.id < first]
        self.has_older = has_more
        if not older:
            return
        self.beginInsertRows(QModelIndex(), 0, len(older) - 1)
        self._messages[:0] = older
        self._ids[:0] = array("q", [m.id for m in older])
        self._days[:0] = array("l", [_local_day(m) for m in older])
        self._heights[:0] = array("Q", [0] * len(older))
        self.endInsertRows()
        self._refresh_neighbour(len(older))  # its header/day may have changed

    def trim_oldest(self, keep: int) -> None:
        """Drop all but the newest ``keep`` messages (they come back by scrolling up).

        QListView measures every row again on each insert, so a room followed live keeps a
        bounded number of rows; the local database has the rest.
        """
        drop = len(self._messages) - keep
        if drop <= 0:
            return
        self.beginRemoveRows(QModelIndex(), 0, drop - 1)
        del self._messages[:drop]
        del self._ids[:drop]
        del self._days[:drop]
        del self._heights[:drop]
        self.endRemoveRows()
        self.has_older = True
        self._refresh_neighbour(0)  # the new first row gets a header and its day

    def replace(self, message: Message) -> None:
        """An edit or delete of a loaded message (and of the quotes of replies to it), or
        of one still buffered for the next frame's insert."""
        for position, waiting in enumerate(self._incoming):
            if waiting.id == message.id:
                self._incoming[position] = message
        row = self.row_of(message.id)
        if row is not None:
            self._messages[row] = message
            self._heights[row] = 0
            index = self.index(row)
            self.dataChanged.emit(index, index)
        for reply_row in list(replies.quoting(self._messages, message, start=row or 0)):
            self._messages[reply_row] = replies.requoted(self._messages[reply_row], message)
            self._heights[reply_row] = 0
            index = self.index(reply_row)
            self.dataChanged.emit(index, index)

    def names(self) -> dict[int, str]:
        """Display names of the authors loaded here, by user id (who reacted, in tooltips)."""
        return replies.names(self._messages)

    def set_outbox_item(self, item: OutboxItem) -> None:
        """Show, update or (once discarded) remove a message from the outbox.

        A SENT row stays until the stored message with its ``client_id`` is inserted
        (:meth:`flush` swaps them), so the message never blinks out of the room while
        the relay's answer or the live event is on its way.
        """
        for position, pending in enumerate(self._pending):
            if pending.client_id == item.client_id:
                row = len(self._messages) + position
                if item.state is OutboxState.DISCARDED:
                    self.beginRemoveRows(QModelIndex(), row, row)
                    del self._pending[position]
                    self.endRemoveRows()
                else:
                    self._pending[position] = item
                    self.dataChanged.emit(self.index(row), self.index(row))
                return
        if (
            item.state
            not in (
                OutboxState.SENT,
                OutboxState.DISCARDED,
            )
            and item.client_id not in self._delivered_client_ids()
        ):
            row = self.rowCount()
            self.beginInsertRows(QModelIndex(), row, row)
            self._pending.append(item)
            self.endInsertRows()
            self.last_batch_from_others = 0
            self.batch_inserted.emit(1)

    def _delivered_client_ids(self) -> set[str]:
        return {m.client_id for m in self._messages[-len(self._pending) - 50 :]}

    def _drop_pending(self, client_ids: set[str]) -> None:
        for position in range(len(self._pending) - 1, -1, -1):
            if self._pending[position].client_id in client_ids:
                row = len(self._messages) + position
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._pending[position]
                self.endRemoveRows()

    def _refresh_neighbour(self, row: int) -> None:
        if row < self.rowCount():
            self.dataChanged.emit(self.index(row), self.index(row))


def _local_day(message: Message) -> int:
    return message.sent_at.astimezone().date().toordinal()


def _describe(record: Row) -> str:
    """What a screen reader says for a row."""
    if isinstance(record, OutboxItem):
        return f"You ({record.state.value}): {record.text}"
    if record.deleted:
        return f"{record.author.display_name}: message deleted"
    edited = " (edited)" if record.edited_at else ""
    return (
        f"{record.author.display_name}, {record.sent_at.astimezone():%H:%M}{edited}: {record.text}"
    )
