"""Keeping rooms complete: live events merged with history, each message once, in order.

On every (re)subscription a room catches up by fetching history after the last id it
delivered; live events that arrive meanwhile go into the same :class:`RoomTimeline`, which
drops duplicates and holds early arrivals until the gap before them is filled. A live
event that reveals a gap (its predecessor never came) starts another catch-up. Pusher
stores nothing, so this is how a reconnect loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from desktopchat.client.cache import LocalDatabase
from desktopchat.client.domain import ChangePage, HistoryPage, Message, Room
from desktopchat.client.errors import DesktopChatError
from desktopchat.client.realtime import RealtimeBridge
from desktopchat.client.tasks import TaskRunner
from desktopchat.client.timeline import RoomTimeline

log = logging.getLogger(__name__)

HistoryFetcher = Callable[[str, int | None, int], HistoryPage]
"""``(room, after_id or None for the latest, limit) -> page``; blocking (HTTP)."""
ChangesFetcher = Callable[[str, int | None], ChangePage]
"""``(room, since or None for just the counter) -> edits and deletes``; blocking (HTTP)."""

#: Events carrying a whole message: a new one, or a newer version (edited, deleted, reacted).
_MESSAGE_EVENTS = ("message", "message-updated", "message-deleted", "message-reactions")
#: Messages per catch-up request (the relay's maximum).
PAGE = 200


@dataclass(slots=True)
class _RoomState:
    room: Room
    timeline: RoomTimeline
    backlog: int
    subscribed: bool = False
    fetching: bool = False
    again: bool = False
    #: The relay's change counter up to which edits and deletes are applied.
    change_seq: int | None = None


class SyncEngine(QObject):
    """Merges history and live events for the rooms it watches.

    Signals:
        messages_added(str, list): room, new messages in id order (each exactly once).
        message_changed(str, object): room, an edited or deleted :class:`Message`.
        catching_up(str, bool): room, whether a history fetch is running.
        sync_failed(str, str): room, why a catch-up failed (it is retried on reconnect).
        backlog_loaded(str): a room with no local history got its first page (the backlog,
            delivered just before this); what comes after it is news.
    """

    messages_added = Signal(str, list)
    message_changed = Signal(str, object)
    catching_up = Signal(str, bool)
    sync_failed = Signal(str, str)
    backlog_loaded = Signal(str)

    def __init__(
        self,
        bridge: RealtimeBridge,
        tasks: TaskRunner,
        fetch: HistoryFetcher,
        database: LocalDatabase | None = None,
        *,
        fetch_changes: ChangesFetcher | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._tasks = tasks
        self._fetch = fetch
        self._fetch_changes = fetch_changes
        self._db = database
        self._rooms: dict[str, _RoomState] = {}
        self._by_channel: dict[str, _RoomState] = {}
        bridge.subscribed.connect(self._on_subscribed)
        bridge.channel_event.connect(self._on_event)

    def watch(self, room: Room, backlog: int = 50, *, with_history: bool = True) -> list[Message]:
        """Follow ``room``; returns what the local database already has (shown at once),
        or nothing without ``with_history`` (the window follows every room at start but
        reads only the one it shows: reading and parsing 100 messages of each room it
        then threw away cost a few ms per room before the first paint).

        Without local history the latest ``backlog`` messages are fetched first; with it,
        only what is newer than the last stored id.
        """
        if room.name in self._rooms:
            return []
        cached = (
            self._db.recent(room.name, backlog) if self._db is not None and with_history else []
        )
        last_id = self._db.last_id(room.name) if self._db is not None else None
        state = _RoomState(room, RoomTimeline(last_id), backlog)
        if self._db is not None:
            # Local history but no counter yet: every change so far may be news (from 0).
            stored = self._db.change_seq(room.name)
            state.change_seq = (
                stored if stored is not None else (0 if last_id is not None else None)
            )
        self._rooms[room.name] = state
        self._by_channel[room.channel] = state
        self._bridge.subscribe(room.channel)
        self._catch_up(state)
        return cached

    def stop(self) -> None:
        """The session is closing: forget every room, so a live event or a fetch that was
        already queued to this thread finds nothing to deliver (the database is closing)."""
        self._rooms.clear()
        self._by_channel.clear()

    def unwatch(self, room: str) -> None:
        """Stop following ``room``."""
        state = self._rooms.pop(room, None)
        if state is not None:
            self._by_channel.pop(state.room.channel, None)
            self._bridge.unsubscribe(state.room.channel)

    def last_id(self, room: str) -> int | None:
        """The last id delivered for ``room``."""
        state = self._rooms.get(room)
        return state.timeline.last_id if state is not None else None

    def apply_stored(self, message: Message) -> None:
        """The relay's own answer to our send, edit or delete: into the timeline at once.

        The Pusher echo of it may come later, or never (it was triggered while we were
        reconnecting); the timeline is idempotent by id, so whichever comes second is
        dropped, and a stored id beyond a gap waits for the catch-up that fills it.
        """
        state = self._rooms.get(message.room)
        if state is None:
            return
        timeline = state.timeline
        delivered_already = timeline.last_id is not None and message.id <= timeline.last_id
        if delivered_already and message.edited_at is None and not message.deleted:
            return  # a plain send whose echo came first
        changed, delivered = timeline.update(message)
        self._deliver(state, delivered)
        if changed is not None:
            self._changed(state, changed)
        if timeline.has_gap:
            self._catch_up(state)

    def apply_changed(self, message: Message) -> None:
        """A newer version of a delivered message (the relay's answer to a reaction)."""
        state = self._rooms.get(message.room)
        if state is None:
            return
        changed, delivered = state.timeline.update(message)
        self._deliver(state, delivered)
        if changed is not None:
            self._changed(state, changed)
        if state.timeline.has_gap:
            self._catch_up(state)

    # ------------------------------------------------------------------------ events

    @Slot(str)
    def _on_subscribed(self, channel: str) -> None:
        state = self._by_channel.get(channel)
        if state is not None:
            state.subscribed = True
            self._catch_up(state)

    @Slot(str, str, object)
    def _on_event(self, channel: str, event: str, data: object) -> None:
        state = self._by_channel.get(channel)
        if state is None or event not in _MESSAGE_EVENTS:
            return
        try:
            message = Message.from_json(data)
        except DesktopChatError as exc:
            log.warning("ignoring a malformed %s event on %s: %s", event, channel, exc)
            return
        if event == "message":
            self._deliver(state, state.timeline.offer([message]))
        else:
            changed, delivered = state.timeline.update(message)
            self._deliver(state, delivered)
            if changed is not None:
                self._changed(state, changed)
        if state.timeline.has_gap:
            self._catch_up(state)

    # --------------------------------------------------------------------- catch-up

    def _catch_up(self, state: _RoomState) -> None:
        if state.fetching:
            state.again = True  # a newer gap: fetch once more when this one lands
            return
        state.fetching = True
        state.again = False
        self.catching_up.emit(state.room.name, True)
        timeline = state.timeline
        after, limit = timeline.last_id, PAGE if timeline.based else max(1, state.backlog)
        name = state.room.name
        self._tasks.run(
            lambda: self._fetch(name, after, limit),
            lambda page: self._fetched(state, page),
            lambda exc: self._fetch_failed(state, exc),
        )

    def _fetched(self, state: _RoomState, page: HistoryPage) -> None:
        state.fetching = False
        if self._rooms.get(state.room.name) is not state:
            return
        timeline = state.timeline
        was_backlog = not timeline.based
        if was_backlog:
            first = page.messages[0].id if page.messages else None
            base = first - 1 if first is not None else 0
            if state.backlog == 0 and page.messages:
                base = page.messages[-1].id
            self._deliver(state, timeline.start_after(base))
        self._deliver(state, timeline.offer(page.messages))
        if was_backlog:
            self.backlog_loaded.emit(state.room.name)
        # Edits seen in the page for already-delivered ids are not re-sent: the page
        # holds current versions, and delivered ones were updated by their events.
        # A gap this page did not narrow is not fetched again at once (that would loop
        # forever): the next live event or subscription tries again. The backlog is the
        # newest page: its ``has_more`` tells of older messages (scrolled back to), not
        # of newer ones, so it asks for no second page.
        newer = page.has_more and not was_backlog
        if newer or (timeline.has_gap and page.messages) or state.again:
            self._catch_up(state)
            return
        self._follow_changes(state)

    def _follow_changes(self, state: _RoomState) -> None:
        """After new messages, the edits and deletes made since we last looked (offline)."""
        if self._fetch_changes is None:
            self.catching_up.emit(state.room.name, False)
            return
        name, since, fetch = state.room.name, state.change_seq, self._fetch_changes
        self._tasks.run(
            lambda: fetch(name, since),
            lambda page: self._changes_fetched(state, page),
            lambda exc: self._fetch_failed(state, exc),
        )

    def _changes_fetched(self, state: _RoomState, page: ChangePage) -> None:
        if self._rooms.get(state.room.name) is not state:
            return
        for message in page.messages:
            changed, delivered = state.timeline.update(message)
            self._deliver(state, delivered)
            if changed is not None:
                self._changed(state, changed)
        state.change_seq = page.until
        if self._db is not None:
            self._db.set_change_seq(state.room.name, page.until)
        if page.has_more:
            self._follow_changes(state)
        elif state.again:  # a newer gap was seen meanwhile (see _fetched on why not any gap)
            self._catch_up(state)
        else:
            self.catching_up.emit(state.room.name, False)

    def _fetch_failed(self, state: _RoomState, exc: BaseException) -> None:
        state.fetching = False
        self.catching_up.emit(state.room.name, False)
        self.sync_failed.emit(state.room.name, str(exc))
        log.warning("catch-up of %s failed: %s", state.room.name, exc)

    def _deliver(self, state: _RoomState, messages: list[Message]) -> None:
        if not messages:
            return
        if self._db is not None:
            self._db.store(messages)
        self.messages_added.emit(state.room.name, messages)

    def _changed(self, state: _RoomState, message: Message) -> None:
        if self._db is not None:
            self._db.store([message])
        self.message_changed.emit(state.room.name, message)
