"""Failed-login throttling, per username and per client address.

An in-memory sliding window is enough for one relay process; several relays behind a load
balancer would move this into the shared store.
"""

from __future__ import annotations

from collections import deque

#: Keys tracked before stale ones are swept (many usernames tried from many addresses).
_MAX_KEYS = 10_000


class FailureLimiter:
    """Allows ``max_failures`` failures per key within ``window`` seconds, then refuses."""

    def __init__(self, max_failures: int = 5, window: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again (0 if it may now)."""
        failures = self._failures.get(key)
        if failures is None:
            return 0.0
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return 0.0
        if len(failures) < self.max_failures:
            return 0.0
        return failures[0] + self.window - now

    def failed(self, key: str, now: float) -> None:
        """Record one failure for ``key``; forget stale keys so memory stays bounded."""
        if len(self._failures) >= _MAX_KEYS:
            stale = [k for k, f in self._failures.items() if not f or now - f[-1] >= self.window]
            for k in stale:
                del self._failures[k]
        self._failures.setdefault(key, deque(maxlen=self.max_failures)).append(now)

    def succeeded(self, key: str) -> None:
        """A success clears ``key``'s failures."""
        self._failures.pop(key, None)
