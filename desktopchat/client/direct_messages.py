"""Keeping the list of one user's DMs current: at sign-in, live, and after being away.

The list comes from the local database at once, then from ``GET /api/dms`` each time the
user's own channel (``private-user-{id}``) is (re)subscribed — on every connection, so a
DM started by someone else while this client was away shows once it is back — and live
from ``dm-created`` on that channel, on every device of every member.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from desktopchat.client.cache import LocalDatabase
from desktopchat.client.direct import DM_CREATED, DirectMessage, user_channel
from desktopchat.client.errors import ProtocolError, RelayUnreachableError
from desktopchat.client.realtime import RealtimeBridge
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.tasks import TaskRunner

log = logging.getLogger(__name__)


class DirectMessages(QObject):
    """One user's DMs, by name. Create on the GUI thread.

    Signals:
        changed(list): the whole list of :class:`DirectMessage`, whenever it changes.
        added(object): a DM this client had not known (started here, or by someone else).
        listed(list): the relay's list arrived (after each (re)connection), changed or not.
        failed(str): starting a DM was refused (why, for the user).
    """

    changed = Signal(list)
    added = Signal(object)
    listed = Signal(list)
    failed = Signal(str)

    def __init__(
        self,
        user_id: int,
        *,
        bridge: RealtimeBridge,
        tasks: TaskRunner,
        relay: Callable[[], RelayClient],
        database: LocalDatabase,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._channel = user_channel(user_id)
        self._tasks = tasks
        self._relay = relay
        self._database = database
        self._dms: dict[str, DirectMessage] = {d.name: d for d in database.direct_messages()}
        bridge.subscribed.connect(self._subscribed)
        bridge.channel_event.connect(self._event)
        bridge.subscribe(self._channel)

    def all(self) -> list[DirectMessage]:
        """Every DM, by name."""
        return [self._dms[name] for name in sorted(self._dms)]

    def get(self, name: str) -> DirectMessage | None:
        """The DM named ``name``, if this user has it."""
        return self._dms.get(name)

    def refresh(self) -> None:
        """Fetch the relay's list (quiet offline: the local one stays)."""
        relay = self._relay

        def failed(exc: BaseException) -> None:
            level = logging.INFO if isinstance(exc, RelayUnreachableError) else logging.WARNING
            log.log(level, "DM list not refreshed: %s", exc)

        def done(dms: list[DirectMessage]) -> None:
            self._merge(dms)
            self.listed.emit(self.all())

        self._tasks.run(lambda: relay().direct_messages(), done, failed)

    def start(
        self, users: list[str | int], then: Callable[[DirectMessage], object] | None = None
    ) -> None:
        """Start (or find) the DM with ``users``; ``then`` gets it once the relay answers."""
        relay = self._relay

        def done(dm: DirectMessage) -> None:
            self._merge([dm], complete=False)
            if then is not None:
                then(dm)

        def failed(exc: BaseException) -> None:
            self.failed.emit(f"Could not start the conversation: {exc}")

        self._tasks.run(lambda: relay().start_direct(users), done, failed)

    def _merge(self, dms: list[DirectMessage], complete: bool = True) -> None:
        before = dict(self._dms)
        if complete:
            self._dms = {}
        self._dms.update({d.name: d for d in dms})
        if self._dms == before:
            return
        self._database.set_direct_messages(self.all())
        for name in sorted(set(self._dms) - set(before)):
            self.added.emit(self._dms[name])
        self.changed.emit(self.all())

    @Slot(str)
    def _subscribed(self, channel: str) -> None:
        if channel == self._channel:  # connected (again): what was started meanwhile
            self.refresh()

    @Slot(str, str, object)
    def _event(self, channel: str, event: str, data: object) -> None:
        if channel != self._channel or event != DM_CREATED:
            return
        try:
            dm = DirectMessage.from_json(data.get("dm") if isinstance(data, dict) else None)
        except ProtocolError as exc:
            log.warning("ignoring a malformed %s event: %s", event, exc)
            return
        self._merge([dm], complete=False)
