"""Keeping the embedded hub running while a window uses it.

The hub on this computer is the app's own: if it stops (killed, crashed, the machine
slept through an update), the connection goes offline and nothing else would ever start
it again. While the connection is offline this starts it (on a worker: it spawns a
process and waits for it to answer), at most one attempt at a time, then asks the
bridge to reconnect at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Slot

from desktopchat.client.realtime import ConnectionState, RealtimeBridge
from desktopchat.client.tasks import TaskRunner

log = logging.getLogger(__name__)


class HubKeeper(QObject):
    """Starts the embedded hub again whenever ``bridge`` goes offline."""

    def __init__(
        self,
        bridge: RealtimeBridge,
        tasks: TaskRunner,
        start_hub: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._tasks = tasks
        self._start_hub = start_hub
        self._starting = False
        bridge.state_changed.connect(self._state_changed)

    @Slot(object, str, float)
    def _state_changed(self, state: ConnectionState, reason: str, retry_in: float) -> None:
        if state is not ConnectionState.OFFLINE or self._starting:
            return
        self._starting = True
        self._tasks.run(self._start_hub, self._started, self._failed)

    def _started(self, _: object = None) -> None:
        self._starting = False
        self._bridge.retry_now()

    def _failed(self, exc: BaseException) -> None:
        self._starting = False
        log.info("the embedded hub could not be started again: %s", exc)
