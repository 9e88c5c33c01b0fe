"""Waiting on conditions instead of sleeping: a thread-safe list of what a client received."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

#: How long a test waits for something that should happen at once on loopback.
WAIT = 10.0


class Inbox:
    """Collects items from any thread; tests wait until a predicate over them holds."""

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._cond = threading.Condition()

    def put(self, item: Any) -> None:
        """Add ``item`` and wake every waiter (safe to call from pysher's thread)."""
        with self._cond:
            self._items.append(item)
            self._cond.notify_all()

    def callback(self, transform: Callable[[Any], Any] = lambda x: x) -> Callable[[Any], None]:
        """A pysher-style callback that stores ``transform(data)``."""
        return lambda data: self.put(transform(data))

    @property
    def items(self) -> list[Any]:
        """A snapshot of everything received so far."""
        with self._cond:
            return list(self._items)

    def wait_for(
        self, predicate: Callable[[list[Any]], bool], what: str, timeout: float = WAIT
    ) -> list[Any]:
        """Block until ``predicate(items)`` is true; fail the test saying ``what`` never came."""
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self._items), timeout):
                raise AssertionError(f"timed out waiting for {what}; got {self._items!r}")
            return list(self._items)

    def wait_count(self, n: int, what: str = "", timeout: float = WAIT) -> list[Any]:
        """Block until at least ``n`` items arrived."""
        return self.wait_for(lambda items: len(items) >= n, what or f"{n} item(s)", timeout)


def loads_data(data: Any) -> Any:
    """Decode a Pusher event's double-encoded ``data`` as clients receive it."""
    return json.loads(data) if isinstance(data, str) else data
