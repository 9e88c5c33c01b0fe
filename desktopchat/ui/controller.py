"""What the window shows, kept up to date from one chat session: rooms, messages, people.

The controller routes the session's signals into one message model per room, counts
unread messages, and turns the current room's presence channel into members and typing.
It does no painting and the widgets do no networking: relay calls go through the
session's task runner.

Local-first: the room list and each room's history come from the local database at
once, whatever the network does; the relay's room list replaces it whenever the
directory channel (re)subscribes, which is also how rooms made by others while we were
offline appear. Live ``room-created`` / ``room-updated`` events keep it current.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktopchat.client import connection_words, jump
from desktopchat.client.direct import DirectMessage, is_direct
from desktopchat.client.domain import Message, Room
from desktopchat.client.errors import DesktopChatError, ProtocolError, RelayUnreachableError
from desktopchat.client.notify.policy import mentions_me
from desktopchat.client.outbox import OutboxItem, OutboxState
from desktopchat.client.realtime import ConnectionState
from desktopchat.client.session import ChatSession
from desktopchat.ui.direct_list import DirectListModel
from desktopchat.ui.message_model import MessageListModel
from desktopchat.ui.rooms import RoomListModel

log = logging.getLogger(__name__)

TYPING_EVENT = "client-typing"
ROOM_EVENTS = ("room-created", "room-updated")
#: Messages fetched per scroll-back step, and shown at once from the local database.
PAGE = 100
#: Unread messages counted after a read mark from another device (the pill says 99+).
RECOUNT_LIMIT = 1000


class ChatController(QObject):
    """The state behind the main window for one logged-in session.

    Signals:
        room_changed(str): the room on screen.
        unread_changed(int): total unread messages (title bar, tray).
        error(str): something to tell the user.
        typing(str, str): user id, display name — someone types in the current room.
        members_reset(dict): the current room's members ``{user_id: info}``.
        member_added(str, object), member_removed(str): arrivals and departures.
        members_unknown(): offline — who is in the room cannot be known until reconnected.
        messages_arrived(str, list): room, new messages from others (for notifications).
        room_read(str): a room was looked at (its notification can go).
        room_updated(str): the room on screen changed (its topic), not which room it is.
    """

    room_changed = Signal(str)
    unread_changed = Signal(int)
    error = Signal(str)
    typing = Signal(str, str)
    members_reset = Signal(dict)
    member_added = Signal(str, object)
    member_removed = Signal(str)
    members_unknown = Signal()
    messages_arrived = Signal(str, list)
    room_read = Signal(str)
    room_updated = Signal(str)

    def __init__(self, session: ChatSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.user = session.login.user
        self.rooms = RoomListModel(self)
        #: Direct messages: rooms too, listed apart, named by their people.
        self.dms = DirectListModel(self.user.id, self)
        #: Who is online in each DM (its presence channel stays subscribed for the dots).
        self._dm_presence: dict[str, dict[str, Any]] = {}
        self.current: Room | None = None
        self.window_active = True
        self._models: dict[str, MessageListModel] = {}
        self._watched: set[str] = set()
        self._loading_backlog: set[str] = set()
        self._then_select: str | None = None
        self._directory = session.login.server.directory_channel
        sync, bridge = session.sync, session.bridge
        sync.messages_added.connect(self._added)
        sync.message_changed.connect(self._changed)
        sync.backlog_loaded.connect(self._backlog_loaded)
        session.read_state.moved.connect(self._read_moved)
        sync.sync_failed.connect(lambda room, why: log.info("catch-up of %s failed: %s", room, why))
        session.outbox.changed.connect(self._outbox_changed)
        bridge.channel_event.connect(self._channel_event)
        bridge.members.connect(self._members)
        bridge.member_added.connect(self._member_added)
        bridge.member_removed.connect(self._member_removed)
        bridge.subscribed.connect(self._subscribed)
        bridge.state_changed.connect(self._connection_state)
        if self._directory:
            bridge.subscribe(self._directory)
        session.direct.listed.connect(self._dms_listed)
        session.direct.added.connect(self._dm_added)
        session.direct.changed.connect(self._merge_dms)
        #: Whether the relay's list of DMs has come once: a DM added after it was just
        #: started by someone, and what it already holds is news, not backlog.
        self._dm_list_known = False
        self._new_dms: set[str] = set()
        session.direct.failed.connect(self.error)

    # ------------------------------------------------------------------------ rooms

    def load_rooms(self, then_select: str | None = None) -> None:
        """Show the rooms: the local list now, then the relay's (``then_select`` first,
        else ``general``, else the first room)."""
        self._then_select = then_select
        self._merge_dms(self.session.direct.all())
        local = self.session.database.rooms()
        if local:
            self._merge_rooms(local, complete=True, save=False)  # it has them already
        self.refresh_rooms()

    def refresh_rooms(self) -> None:
        """Fetch the relay's room list (at start and on every reconnect); quiet offline."""

        def failed(exc: BaseException) -> None:
            if isinstance(exc, RelayUnreachableError):
                log.info("room list not refreshed: %s", exc)  # the banner says offline
            else:
                self.error.emit(f"Could not load the rooms: {exc}")

        # session.relay() inside the lambda: the worker's own client (made on the GUI
        # thread, it would import requests and load the CA store there, before the paint).
        session = self.session
        self.session.tasks.run(
            lambda: session.relay().rooms(), lambda rooms: self._merge_rooms(rooms, True), failed
        )

    def _merge_rooms(self, rooms: list[Room], complete: bool, *, save: bool = True) -> None:
        """New rooms appear (and are followed: unread counts and notifications need every
        room), topics update; with ``complete``, rooms the relay no longer has go. With
        ``save`` they are written to the local database (a commit: ~10 ms, not for the
        list just read from it on the way to a warm start's first paint)."""
        self.rooms.merge(rooms, complete=complete)
        if save:
            self.session.database.set_rooms(rooms, complete=complete)
        for room in rooms:
            self._watch(room)
        if self.current is None:
            names = [r.name for r in self.rooms.rooms()]
            wanted = self._then_select
            if wanted is not None and self.dms.row_of(wanted) is not None:
                names.append(wanted)  # the DM open last time
            choice = wanted if wanted in names else "general" if "general" in names else None
            if choice is None and names:
                choice = names[0]
            if choice is not None:
                self.select(choice)
        else:
            fresh = next((r for r in rooms if r.name == self.current.name), None)
            if fresh is not None and fresh != self.current:
                self.current = fresh
                self.room_updated.emit(fresh.name)

    def model(self, room: str) -> MessageListModel | None:
        """The message model of ``room``, if it was opened."""
        return self._models.get(room)

    def select(self, name: str) -> MessageListModel | None:
        """Show ``name``: its model (created and followed on first visit), presence on."""
        room = next((r for r in self.rooms.rooms() + self.dms.rooms() if r.name == name), None)
        if room is None:
            return None
        previous = self.current
        if previous is not None and previous.name == name:
            # Already on screen (a notification's "Open"): keep members and scroll as they are.
            self.mark_read()
            return self._models.get(name)
        if previous is not None and previous.name != name:
            if not is_direct(previous.name):  # a DM's stays: its dot in the sidebar
                self.session.bridge.unsubscribe(previous.presence_channel)
            left = self._models.get(previous.name)
            if left is not None:
                left.set_first_unread(None)  # the divider stays only while the room is open
        self.current = room
        self._watch(room)
        model = self._models.get(name)
        if model is None:
            # Everything delivered so far is in the local database (the sync engine writes
            # there first, on this thread), so the model starts from it and then follows.
            model = MessageListModel(name, self.user.id, self, self.user.display_name)
            self._models[name] = model
            model.add(self.session.database.recent(name, PAGE))
            model.flush()
            if model.rowCount() == 0 and name not in self._loading_backlog:
                model.has_older = False  # caught up, and nothing was ever said
            for item in self.session.outbox.items(name):
                model.set_outbox_item(item)
        # Above the first unread message, until the room is left (those still buffered
        # for the next frame are counted as unread already: insert them first).
        model.flush()
        unread = self._list_of(name).unread(name)
        model.set_first_unread(model.first_unread_of(unread), unread)
        self.session.bridge.subscribe(room.presence_channel)
        if room.presence_channel in self._dm_presence:  # followed already: known now
            self.members_reset.emit(dict(self._dm_presence[room.presence_channel]))
        elif self.session.bridge.state is ConnectionState.CONNECTED:
            self.members_reset.emit({})  # until the presence subscription lists them
        else:
            self.members_unknown.emit()
        self.mark_read()
        self.room_changed.emit(name)
        return model

    def _watch(self, room: Room) -> None:
        """Follow ``room``'s messages. With no local history yet, its first catch-up is the
        backlog: shown, but neither unread nor notified."""
        if room.name in self._watched:
            return
        self._watched.add(room.name)
        # A DM someone just started: its first messages (sent before we could follow it)
        # are unread and notify, as they would have had we followed it already.
        new_dm = room.name in self._new_dms
        if self.session.database.last_id(room.name) is None and not new_dm:
            self._loading_backlog.add(room.name)
        # Its history is read when it is shown (select), not here for every room.
        self.session.sync.watch(room, backlog=PAGE, with_history=False)

    @Slot(str)
    def _backlog_loaded(self, room: str) -> None:
        self._loading_backlog.discard(room)
        on_screen = self.current is not None and self.current.name == room and self.window_active
        if on_screen or self.session.read_state.mark(room) is not None:
            self._recount(room)  # what of the backlog is unread, as another device left it
        model = self._models.get(room)
        if model is not None and model.rowCount() == 0:
            model.has_older = False  # an empty room: its empty state invites a message

    def mark_read(self) -> None:
        """The current room is being looked at."""
        if self.current is not None and self.window_active:
            self.mark_room_read(self.current.name)

    def mark_room_read(self, name: str) -> None:
        """``name`` counts as read (on screen, or "Mark as read" in a notification)."""
        self._list_of(name).mark_read(name)
        self.unread_changed.emit(self.total_unread())
        self.room_read.emit(name)
        last = self.session.sync.last_id(name) or self.session.database.last_id(name)
        if last:  # the user's other devices read it too
            self.session.read_state.mark_read(name, last)

    @Slot(str, int)
    def _read_moved(self, room: str, mark: int) -> None:
        """The room was read up to ``mark`` (here or on another device): count again."""
        if room not in self._loading_backlog:
            self._recount(room)

    def _recount(self, room: str) -> None:
        """Unread and mentions of ``room`` from the local history after its read mark; a
        room read up to its end elsewhere withdraws its notification here."""
        if self.current is not None and self.current.name == room and self.window_active:
            self.mark_read()  # on screen: read here too (and up to what we have)
            return
        mark = self.session.read_state.mark(room) or 0
        unread = mentioning = 0
        for message in self.session.database.after(room, mark, RECOUNT_LIMIT):
            if message.author.id != self.user.id and not message.deleted:
                unread += 1
                mentioning += self._mentions_me(message)
        before = self.rooms.unread(room)
        self.rooms.set_counts(room, unread, mentioning)
        self.unread_changed.emit(self.rooms.total_unread())
        if unread == 0 and before:
            self.room_read.emit(room)

    def _mentions_me(self, message: Message) -> bool:
        names = (self.user.display_name, self.user.username)
        return mentions_me(message, self.user.id, names)

    def create_room(
        self,
        name: str,
        topic: str,
        *,
        refused: Callable[[str], None] | None = None,
        created: Callable[[Room], None] | None = None,
    ) -> None:
        """Create a room and go there; ``refused(message)`` hears why not (else ``error``)."""

        def done(room: Room) -> None:
            self._merge_rooms([room], complete=False)
            self.select(room.name)
            if created is not None:
                created(room)

        def failed(exc: BaseException) -> None:
            if refused is not None:
                refused(str(exc) if isinstance(exc, DesktopChatError) else f"Failed: {exc}")
            else:
                self._failed("create the room")(exc)

        relay = self.session.relay
        self.session.tasks.run(lambda: relay().create_room(name, topic), done, failed)

    # --------------------------------------------------------------------- messages

    def send(self, text: str, mentions: tuple[int, ...] = (), files: Sequence[Path] = ()) -> bool:
        """Write a message in the current room (it waits in the outbox if offline),
        mentioning the users ``mentions`` (ids), carrying ``files`` (the text is their
        caption, and may be blank). Whether it was queued."""
        if self.current is None:
            return False
        return self.send_to(self.current.name, text, mentions, files)

    def send_to(
        self, room: str, text: str, mentions: tuple[int, ...] = (), files: Sequence[Path] = ()
    ) -> bool:
        """Write a message in ``room`` (also an inline reply from a notification)."""
        if not text.strip() and not files:
            return False
        try:
            self.session.outbox.enqueue(room, text, files, mentions=mentions)
        except (DesktopChatError, OSError) as exc:
            self.error.emit(str(exc))
            return False
        return True

    def revise(self, client_id: str, text: str) -> None:
        """Edit a message that failed to send; it is sent again."""
        try:
            self.session.outbox.revise(client_id, text)
        except DesktopChatError as exc:
            self.error.emit(str(exc))

    def edit(
        self,
        message_id: int,
        text: str,
        named: tuple[int, ...] = (),
        people: Mapping[int, str] | None = None,
    ) -> None:
        """Save an edit of your message in the current room (through the outbox: an edit
        made offline waits there); it shows at once.

        ``named``: the people whose ``@Name`` the edited text still has, as the composer
        knows them (picked from the ``@`` list, or mentioned before the edit). They become
        whom it mentions, in the same change as the text: an ``@Name`` edited out is no
        longer a mention. Whom it mentioned before with a name not in ``people`` (the
        names the composer knew, by id) stays mentioned: nothing says it was edited out.
        So with no ``people``, ``named`` is only added."""
        if self.current is None:
            return
        model = self._models.get(self.current.name)
        message = model.message(message_id) if model is not None else None
        before = set((message.mentions or ()) if message is not None else ())
        known = people or {}
        kept = {uid for uid in before if uid not in known}
        after = {*named, *kept}
        mentions = None if after == before else tuple(sorted(after))  # None: unchanged
        try:
            self.session.outbox.enqueue_edit(self.current.name, message_id, text, mentions=mentions)
        except DesktopChatError as exc:
            self.error.emit(str(exc))

    def delete(self, message_id: int) -> None:
        """Delete your message in the current room (through the outbox, shown at once)."""
        if self.current is not None:
            self.session.outbox.enqueue_delete(self.current.name, message_id)

    def reply(
        self,
        message_id: int,
        text: str,
        mentions: tuple[int, ...] = (),
        files: Sequence[Path] = (),
    ) -> bool:
        """Write a reply to ``message_id`` in the current room (through the outbox),
        mentioning the users ``mentions`` (ids), carrying ``files``. Whether it was queued."""
        if self.current is None or (not text.strip() and not files):
            return False
        try:
            self.session.outbox.enqueue_reply(
                self.current.name, text, message_id, files, mentions=mentions
            )
        except (DesktopChatError, OSError) as exc:
            self.error.emit(str(exc))
            return False
        return True

    def react(self, message_id: int, emoji: str, *, on: bool | None = None) -> None:
        """Put ``emoji`` on a message of the current room, take it back, or (``on`` None)
        toggle it; through the outbox, shown at once."""
        if self.current is None:
            return
        room = self.current.name
        model = self._models.get(room)
        message = model.message(message_id) if model is not None else None
        message = message or self.session.database.message(room, message_id)
        mine = message is not None and message.reacted(self.user.id, emoji)
        wanted = not mine if on is None else on
        if wanted != mine:
            self.session.outbox.enqueue_reaction(room, message_id, emoji, on=wanted)

    def load_around(self, room: str, message_id: int, then: Callable[[], None]) -> None:
        """Load ``message_id`` (before the first one loaded) and all after it, then ``then``."""
        model = self._models.get(room)
        if model is None:
            return
        first = model.first_id()
        if first is not None:
            cached = self.session.database.recent(room, first - message_id + 10, before=first)
            local = jump.from_cache(cached, message_id, first)
            if local is not None:
                model.prepend(local, has_more=local[0].id > 1)
                then()
                return
        relay = self.session.relay

        def fetched(result: tuple[list[Message], bool]) -> None:
            messages, has_more = result
            self.session.database.store(messages)
            model.prepend(self._bridged(room, model, messages, first), has_more=has_more)
            then()

        self.session.tasks.run(
            lambda: jump.fetch_back_to(
                room,
                message_id,
                first,
                lambda r, i, n: relay().around(r, i, n),
                lambda r, a, n: relay().history(r, after=a, limit=n),
            ),
            fetched,
            self._failed("load that message"),
        )

    def load_older(self, before: int) -> None:
        """Scrolling back: from the local database if it has them, else from the relay."""
        if self.current is None:
            return
        room = self.current.name
        model = self._models[room]
        local = self.session.database.recent(room, PAGE, before=before)
        if local and local[-1].id == before - 1:
            model.prepend(local, has_more=local[0].id > 1)
            return
        relay = self.session.relay

        def fetched(page: Any) -> None:
            self.session.database.store(page.messages)
            older = self._bridged(room, model, list(page.messages), before)
            model.prepend(older, has_more=page.has_more)

        self.session.tasks.run(
            lambda: relay().history(room, before=before, limit=PAGE),
            fetched,
            self._failed("load older messages"),
        )

    def _bridged(
        self, room: str, model: MessageListModel, older: list[Message], upto: int | None
    ) -> list[Message]:
        """``older`` (fetched to end just before id ``upto``, then the first loaded), with
        what the model let go meanwhile: a room followed live drops its oldest rows as new
        ones come, so while the relay answered, the first loaded may have moved past
        ``upto``. Those rows are in the local database; without them the list would show
        the fetched page and then, with no sign of it, skip to the new first row."""
        first = model.first_id()
        if upto is None or first is None or first <= upto:
            return older
        dropped = self.session.database.recent(room, first - upto, before=first)
        return older + [m for m in dropped if m.id >= upto]

    def mention_candidates(self, present: dict[int, str]) -> dict[int, str]:
        """Whom ``@`` may name in the current room: ``present`` (its presence members) and
        the authors of its latest messages, newest first; never the user themselves."""
        people: dict[int, str] = {}
        model = self._models.get(self.current.name) if self.current is not None else None
        if model is not None:
            for row in range(model.rowCount() - 1, max(-1, model.rowCount() - 201), -1):
                record = model.row(row)
                if isinstance(record, Message) and not record.deleted:
                    people.setdefault(record.author.id, record.author.display_name)
        for user_id, name in present.items():
            people.setdefault(user_id, name)
        people.pop(self.user.id, None)
        return people

    def typed(self) -> None:
        """Tell the current room's members that we are typing (a client event)."""
        if self.current is not None:
            data = {"user_id": str(self.user.id), "display_name": self.user.display_name}
            self.session.bridge.trigger(self.current.presence_channel, TYPING_EVENT, data)

    # ---------------------------------------------------------------------- signals

    @Slot(str, list)
    def _added(self, room: str, messages: list[Message]) -> None:
        model = self._models.get(room)
        if model is not None:
            model.add(messages)
        # Those read on another device already (a catch-up after it) are not news.
        read_up_to = self.session.read_state.mark(room) or 0
        others = [m for m in messages if m.author.id != self.user.id and m.id > read_up_to]
        if not others or room in self._loading_backlog:
            return
        on_screen = self.current is not None and self.current.name == room and self.window_active
        if on_screen:  # read as it arrives: on the user's other devices too
            self.session.read_state.mark_read(room, messages[-1].id)
        else:
            mentioning = sum(
                1 for m in others if not m.deleted and (is_direct(room) or self._mentions_me(m))
            )
            self._list_of(room).add_unread(room, len(others), mentions=mentioning)
            self.unread_changed.emit(self.total_unread())
        self.messages_arrived.emit(room, others)

    @Slot(str, object)
    def _changed(self, room: str, message: Message) -> None:
        model = self._models.get(room)
        if model is not None:
            model.replace(message)

    @Slot(object)
    def _outbox_changed(self, item: OutboxItem) -> None:
        model = self._models.get(item.room)
        if item.is_message:
            if model is not None:
                model.set_outbox_item(item)
            return
        self._show_pending_change(item, model)

    def _show_pending_change(self, item: OutboxItem, model: MessageListModel | None) -> None:
        """An edit or delete waiting in the outbox shows at once; one refused for good
        puts the stored version back and says why."""
        if item.message_id is None:
            return
        stored = self.session.database.message(item.room, item.message_id)
        if item.is_reaction:
            self._show_pending_reaction(item, model, stored)
            return
        if item.state is OutboxState.FAILED:
            self.error.emit(f"Could not {item.kind} the message: {item.error}")
            if model is not None and stored is not None:
                model.replace(stored)
            return
        if item.state is OutboxState.SENT or model is None or stored is None:
            return  # the relay's answer reaches the room through the sync engine
        if item.kind == "delete":
            model.replace(replace(stored, deleted=True, text=""))
        else:
            model.replace(replace(stored, text=item.text, edited_at=datetime.now(UTC)))

    def _show_pending_reaction(
        self, item: OutboxItem, model: MessageListModel | None, stored: Message | None
    ) -> None:
        """A reaction waiting in the outbox shows at once; one refused puts it back."""
        if item.state is OutboxState.FAILED:
            self.error.emit(f"Could not change the reaction {item.text}: {item.error}")
            if model is not None and stored is not None:
                model.replace(stored)
            return
        if item.state is OutboxState.SENT or model is None or item.message_id is None:
            return
        shown = model.message(item.message_id) or stored
        if shown is not None:
            on = item.kind == "react"
            model.replace(shown.with_reaction(self.user.id, item.text, on=on))

    def _is_current_presence(self, channel: str) -> bool:
        return self.current is not None and channel == self.current.presence_channel

    @Slot(str)
    def _subscribed(self, channel: str) -> None:
        if channel == self._directory:  # connected (again): what changed meanwhile
            self.refresh_rooms()

    @Slot(object, str, float)
    def _connection_state(self, state: ConnectionState, reason: str, retry_in: float) -> None:
        if state is ConnectionState.CONNECTED and not self._directory:
            self.refresh_rooms()  # an older relay without room announcements
        elif state is not ConnectionState.CONNECTED:
            self.members_unknown.emit()
            for channel in self._dm_presence:  # nobody's presence is known offline
                self._dm_present(channel, lambda here: here.clear())

    def _room_event(self, event: str, data: object) -> None:
        try:
            room = Room.from_json(data.get("room") if isinstance(data, dict) else None)
        except ProtocolError as exc:
            log.warning("ignoring a malformed %s event: %s", event, exc)
            return
        self._merge_rooms([room], complete=False)

    @Slot(str, str, object)
    def _channel_event(self, channel: str, event: str, data: object) -> None:
        if channel == self._directory and event in ROOM_EVENTS:
            self._room_event(event, data)
            return
        if (
            event != TYPING_EVENT
            or not self._is_current_presence(channel)
            or not isinstance(data, dict)
        ):
            return
        user_id = str(data.get("user_id", ""))
        if user_id and user_id != str(self.user.id):
            self.typing.emit(user_id, str(data.get("display_name") or "Someone")[:64])

    @Slot(str, dict)
    def _members(self, channel: str, members: dict[str, Any]) -> None:
        def replace_all(here: dict[str, Any]) -> None:
            here.clear()
            here.update(members)

        self._dm_present(channel, replace_all)
        if self._is_current_presence(channel):
            self.members_reset.emit(members)

    @Slot(str, str, object)
    def _member_added(self, channel: str, user_id: str, info: object) -> None:
        self._dm_present(channel, lambda here: here.update({user_id: info}))
        if self._is_current_presence(channel):
            self.member_added.emit(user_id, info)

    @Slot(str, str)
    def _member_removed(self, channel: str, user_id: str) -> None:
        self._dm_present(channel, lambda here: here.pop(user_id, None))
        if self._is_current_presence(channel):
            self.member_removed.emit(user_id)

    # -------------------------------------------------------------- direct messages

    def total_unread(self) -> int:
        """Unread messages in rooms and DMs (title bar, tray)."""
        return self.rooms.total_unread() + self.dms.total_unread()

    def _list_of(self, room: str) -> RoomListModel:
        """The sidebar list ``room`` is counted in."""
        return self.dms if is_direct(room) else self.rooms

    def start_direct(self, users: list[str | int]) -> None:
        """Open the DM with ``users`` (started on the relay if there is none yet)."""
        existing = next(
            (
                d
                for d in self.session.direct.all()
                if {m.id for m in d.others(self.user.id)} == set(users)
            ),
            None,
        )
        if existing is not None:
            self.select(existing.name)
            return
        self.session.direct.start(users, then=lambda dm: self.select(dm.name))

    @Slot(list)
    def _dms_listed(self, _dms: list[DirectMessage]) -> None:
        self._dm_list_known = True

    @Slot(object)
    def _dm_added(self, dm: DirectMessage) -> None:
        if self._dm_list_known:
            self._new_dms.add(dm.name)

    @Slot(list)
    def _merge_dms(self, dms: list[DirectMessage]) -> None:
        """DMs appear (and are followed: their messages, and who is online in them)."""
        self.dms.set_direct(dms)
        for dm in dms:
            self._watch(dm.room)
            self._dm_presence.setdefault(dm.presence_channel, {})
            self.session.bridge.subscribe(dm.presence_channel)

    def _dm_present(self, channel: str, change: Callable[[dict[str, Any]], object]) -> None:
        """Apply ``change`` to who is online in the DM on ``channel`` (if it is one's)."""
        here = self._dm_presence.get(channel)
        dm = self.dms.by_presence(channel)
        if here is None or dm is None:
            return
        change(here)
        self.dms.set_present(dm.name, set(here))

    def _failed(self, doing: str) -> Any:
        def report(exc: BaseException) -> None:
            if isinstance(exc, RelayUnreachableError) and not exc.status:
                # No answer at all: "ConnectionRefusedError" means nothing to most people;
                # the banner says the same in words, and the log keeps the detail.
                log.info("could not %s: %s", doing, exc)
                # The cause's own text ("[Errno 111] Connection refused"), not ours: that
                # names the server, whose host could match a pattern ("ssl", "reset").
                cause = exc.__cause__
                words = connection_words.plain(str(cause) if cause is not None else "")
                self.error.emit(f"Could not {doing}: {words[:1].lower()}{words[1:]}")
                return
            self.error.emit(f"Could not {doing}: {exc}")

        return report
