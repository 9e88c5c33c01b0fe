"""Waiting on state that sends no signal: another process's counters, a hub's tables.

Everything inside a test's own process is waited for with signals (``qtbot.waitSignal``,
an :class:`~tests.inbox.Inbox`); this is only for what cannot tell us when it changes, such
as dunst's counters or the hub's subscription table read through its thread. It asks
again every ``interval`` seconds, and fails with ``what`` once ``timeout`` has passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from tests.inbox import WAIT

T = TypeVar("T")

#: How often :func:`wait_until` asks again.
POLL_INTERVAL = 0.02


def wait_until(
    predicate: Callable[[], T], what: str, timeout: float = WAIT, interval: float = POLL_INTERVAL
) -> T:
    """``predicate()``'s first truthy value; AssertionError naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
