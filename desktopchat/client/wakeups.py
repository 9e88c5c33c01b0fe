"""Reasons to reconnect at once instead of waiting out the back-off: the network came back,
or the machine woke from sleep.

The network comes from Qt's QNetworkInformation (NetworkManager, connman or glib on
Linux; the OS's own elsewhere). Sleep has no portable signal, so a coarse timer notices
the wall clock jumping far past its interval: only a suspended machine does that.

Watching starts with :meth:`Wakeups.start`, when the session connects: QtNetwork's import
and its backend's loading (~15 ms together) are not paid before the window's first paint,
when there is no connection to hurry yet.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger(__name__)

#: How often the clock is looked at, and how far past that counts as having slept.
TICK_MS = 5000
SLEPT_AFTER_SECONDS = 30.0


class Wakeups(QObject):
    """Emits :attr:`reconnect_now` when the network is back or the machine woke up.

    Signals:
        reconnect_now(str): why (for the log and the banner).
    """

    reconnect_now = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._last_tick = time.time()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._network: QNetworkInformation | None = None

    def start(self) -> None:
        """Start watching the clock and, where the OS tells, the network."""
        if self._timer.isActive():
            return
        from PySide6.QtNetwork import QNetworkInformation  # noqa: PLC0415 - see the docstring

        self._last_tick = time.time()
        self._timer.start()
        if QNetworkInformation.loadDefaultBackend():
            self._network = QNetworkInformation.instance()
        if self._network is not None:
            self._network.reachabilityChanged.connect(self._reachability)
        else:
            log.info("no network-information backend: only sleep is watched")

    def stop(self) -> None:
        """Stop watching (the session is closing)."""
        self._timer.stop()
        if self._network is not None:
            self._network.reachabilityChanged.disconnect(self._reachability)
            self._network = None

    def _reachability(self, reachability: QNetworkInformation.Reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation  # noqa: PLC0415 - loaded by start()

        if reachability == QNetworkInformation.Reachability.Online:
            self.reconnect_now.emit("the network is back")

    def _tick(self) -> None:
        now = time.time()
        slept = now - self._last_tick - TICK_MS / 1000
        self._last_tick = now
        if slept > SLEPT_AFTER_SECONDS:
            self.reconnect_now.emit(f"woke after about {slept:.0f} s asleep")
