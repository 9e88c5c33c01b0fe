"""What the window shows, kept up to date from one chat session: rooms, messages, people.

The controller routes the session's signals into one message model per room, counts
unread messages, and turns the current room's presence channel into members and typing.
It does no painting and the widgets do no networking: relay calls go through the
session's task runner.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktopchat.client.domain import Message, Room
from desktopchat.client.outbox import OutboxItem
from desktopchat.client.session import ChatSession
from desktopchat.ui.message_model import MessageListModel
from desktopchat.ui.rooms import RoomListModel

log = logging.getLogger(__name__)

TYPING_EVENT = "client-typing"
#: Messages fetched per scroll-back step, and shown at once from the local database.
PAGE = 100


class ChatController(QObject):
    """The state behind the main window for one logged-in session.

    Signals:
        room_changed(str): the room on screen.
        unread_changed(int): total unread messages (title bar, tray).
        error(str): something to tell the user.
        typing(str, str): user id, display name — someone types in the current room.
        members_reset(dict): the current room's members ``{user_id: info}``.
        member_added(str, object), member_removed(str): arrivals and departures.
        messages_arrived(str, list): room, new messages from others (for notifications).
        room_read(str): a room was looked at (its notification can go).
    """

    room_changed = Signal(str)
    unread_changed = Signal(int)
    error = Signal(str)
    typing = Signal(str, str)
    members_reset = Signal(dict)
    member_added = Signal(str, object)
    member_removed = Signal(str)
    messages_arrived = Signal(str, list)
    room_read = Signal(str)

    def __init__(self, session: ChatSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.user = session.login.user
        self.rooms = RoomListModel(self)
        self.current: Room | None = None
        self.window_active = True
        self._models: dict[str, MessageListModel] = {}
        self._watched: set[str] = set()
        self._loading_backlog: set[str] = set()
        sync, bridge = session.sync, session.bridge
        sync.messages_added.connect(self._added)
        sync.message_changed.connect(self._changed)
        sync.backlog_loaded.connect(self._backlog_loaded)
        sync.sync_failed.connect(lambda room, why: log.info("catch-up of %s failed: %s", room, why))
        session.outbox.changed.connect(self._outbox_changed)
        bridge.channel_event.connect(self._channel_event)
        bridge.members.connect(self._members)
        bridge.member_added.connect(self._member_added)
        bridge.member_removed.connect(self._member_removed)

    # ------------------------------------------------------------------------ rooms

    def load_rooms(self, then_select: str | None = None) -> None:
        """Fetch the rooms; then show ``then_select`` (or ``general``, or the first)."""

        def loaded(rooms: list[Room]) -> None:
            self.rooms.set_rooms(rooms)
            for room in rooms:  # every room: unread counts and notifications need them all
                self._watch(room)
            names = [r.name for r in rooms]
            choice = (
                then_select if then_select in names else "general" if "general" in names else None
            )
            if choice is None and names:
                choice = names[0]
            if choice is not None:
                self.select(choice)

        self.session.tasks.run(self.session.relay().rooms, loaded, self._failed("load the rooms"))

    def model(self, room: str) -> MessageListModel | None:
        """The message model of ``room``, if it was opened."""
        return self._models.get(room)

    def select(self, name: str) -> MessageListModel | None:
        """Show ``name``: its model (created and followed on first visit), presence on."""
        room = next((r for r in self.rooms.rooms() if r.name == name), None)
        if room is None:
            return None
        previous = self.current
        if previous is not None and previous.name != name:
            self.session.bridge.unsubscribe(previous.presence_channel)
        self.current = room
        self._watch(room)
        model = self._models.get(name)
        if model is None:
            # Everything delivered so far is in the local database (the sync engine writes
            # there first, on this thread), so the model starts from it and then follows.
            model = MessageListModel(name, self.user.id, self)
            self._models[name] = model
            model.add(self.session.database.recent(name, PAGE))
            model.flush()
            for item in self.session.outbox.items(name):
                model.set_outbox_item(item)
        self.session.bridge.subscribe(room.presence_channel)
        self.members_reset.emit({})
        self.mark_read()
        self.room_changed.emit(name)
        return model

    def _watch(self, room: Room) -> None:
        """Follow ``room``'s messages. With no local history yet, its first catch-up is the
        backlog: shown, but neither unread nor notified."""
        if room.name in self._watched:
            return
        self._watched.add(room.name)
        if self.session.database.last_id(room.name) is None:
            self._loading_backlog.add(room.name)
        self.session.sync.watch(room, backlog=PAGE)

    @Slot(str)
    def _backlog_loaded(self, room: str) -> None:
        self._loading_backlog.discard(room)

    def mark_read(self) -> None:
        """The current room is being looked at."""
        if self.current is not None and self.window_active:
            self.mark_room_read(self.current.name)

    def mark_room_read(self, name: str) -> None:
        """``name`` counts as read (on screen, or "Mark as read" in a notification)."""
        self.rooms.mark_read(name)
        self.unread_changed.emit(self.rooms.total_unread())
        self.room_read.emit(name)

    def create_room(self, name: str, topic: str) -> None:
        """Create a room and go there."""

        def created(room: Room) -> None:
            self.rooms.add_room(room)
            self.select(room.name)

        relay = self.session.relay
        self.session.tasks.run(
            lambda: relay().create_room(name, topic), created, self._failed("create the room")
        )

    # --------------------------------------------------------------------- messages

    def send(self, text: str) -> None:
        """Write a message in the current room (it waits in the outbox if offline)."""
        if self.current is not None:
            self.send_to(self.current.name, text)

    def send_to(self, room: str, text: str) -> None:
        """Write a message in ``room`` (an inline reply from a notification)."""
        if text.strip():
            self.session.outbox.enqueue(room, text)

    def edit(self, message_id: int, text: str) -> None:
        """Save an edit of your message in the current room."""
        if self.current is not None:
            room, relay = self.current.name, self.session.relay
            self.session.tasks.run(
                lambda: relay().edit(room, message_id, text), None, self._failed("edit the message")
            )

    def delete(self, message_id: int) -> None:
        """Delete your message in the current room."""
        if self.current is not None:
            room, relay = self.current.name, self.session.relay
            self.session.tasks.run(
                lambda: relay().delete(room, message_id), None, self._failed("delete the message")
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
            model.prepend(list(page.messages), has_more=page.has_more)
            self.session.database.store(page.messages)

        self.session.tasks.run(
            lambda: relay().history(room, before=before, limit=PAGE),
            fetched,
            self._failed("load older messages"),
        )

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
        others = [m for m in messages if m.author.id != self.user.id]
        if not others or room in self._loading_backlog:
            return
        on_screen = self.current is not None and self.current.name == room and self.window_active
        if not on_screen:
            self.rooms.add_unread(room, len(others))
            self.unread_changed.emit(self.rooms.total_unread())
        self.messages_arrived.emit(room, others)

    @Slot(str, object)
    def _changed(self, room: str, message: Message) -> None:
        model = self._models.get(room)
        if model is not None:
            model.replace(message)

    @Slot(object)
    def _outbox_changed(self, item: OutboxItem) -> None:
        model = self._models.get(item.room)
        if model is not None:
            model.set_outbox_item(item)

    def _is_current_presence(self, channel: str) -> bool:
        return self.current is not None and channel == self.current.presence_channel

    @Slot(str, str, object)
    def _channel_event(self, channel: str, event: str, data: object) -> None:
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
        if self._is_current_presence(channel):
            self.members_reset.emit(members)

    @Slot(str, str, object)
    def _member_added(self, channel: str, user_id: str, info: object) -> None:
        if self._is_current_presence(channel):
            self.member_added.emit(user_id, info)

    @Slot(str, str)
    def _member_removed(self, channel: str, user_id: str) -> None:
        if self._is_current_presence(channel):
            self.member_removed.emit(user_id)

    def _failed(self, doing: str) -> Any:
        def report(exc: BaseException) -> None:
            self.error.emit(f"Could not {doing}: {exc}")

        return report
