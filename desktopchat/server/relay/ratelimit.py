"""Attempt throttling: failed logins per username and per address, room creations per user.

The relay handles requests concurrently (the event loop, with scrypt on worker threads), so
a limit checked when a request arrives and counted only when it ends lets a burst through
all at once. Here an attempt is *reserved* before the expensive or limited work runs and
settled afterwards: :meth:`Throttle.reserve` checks and counts in one step, and
:meth:`Throttle.count` or :meth:`Throttle.cancel` settles it.

:class:`Throttle` is the interface the HTTP layer is written against; :class:`MemoryThrottle`
keeps its state in this process, which is enough for one relay. Relays sharing a database
behind a load balancer would implement the same interface in that database, where
``reserve`` is one atomic statement.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from desktopchat.server.relay import limits

#: Keys tracked before stale ones are swept (many usernames tried from many addresses).
_MAX_KEYS = 10_000
#: Retry-After while the limit is taken only by attempts still running (about one scrypt).
_PENDING_RETRY_SECONDS = 1.0


class Throttle(Protocol):
    """At most ``limit`` counted attempts per key within ``window`` seconds."""

    limit: int
    window: float

    def reserve(self, key: str, now: float) -> float:
        """Count an attempt for ``key`` if the limit allows, atomically.

        Returns 0 when the attempt was reserved (the caller must then settle it with
        :meth:`count` or :meth:`cancel`), else the seconds until ``key`` may try again
        (nothing is reserved).
        """
        ...

    def count(self, key: str, now: float) -> None:
        """Settle a reservation as counted: it uses the limit until ``window`` has passed."""
        ...

    def cancel(self, key: str) -> None:
        """Settle a reservation as not counted (a correct password, a refused request)."""
        ...

    def forgive(self, key: str) -> None:
        """Forget ``key``'s settled attempts (a correct password clears earlier typos).

        Attempts still running keep counting, so a burst cannot clear its own way.
        """
        ...


@dataclass
class _Attempts:
    settled: deque[float] = field(default_factory=deque)
    pending: int = 0


class MemoryThrottle:
    """:class:`Throttle` in this process's memory, safe to call from any thread."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._keys: dict[str, _Attempts] = {}
        self._lock = threading.Lock()

    def reserve(self, key: str, now: float) -> float:
        with self._lock:
            attempts = self._keys.get(key)
            if attempts is None:
                self._sweep(now)
                attempts = self._keys[key] = _Attempts()
            settled = attempts.settled
            while settled and now - settled[0] >= self.window:
                settled.popleft()
            if attempts.pending + len(settled) < self.limit:
                attempts.pending += 1
                return 0.0
            if settled:
                return max(settled[0] + self.window - now, _PENDING_RETRY_SECONDS)
            return _PENDING_RETRY_SECONDS

    def count(self, key: str, now: float) -> None:
        with self._lock:
            attempts = self._keys.setdefault(key, _Attempts())
            attempts.pending = max(attempts.pending - 1, 0)
            attempts.settled.append(now)

    def cancel(self, key: str) -> None:
        with self._lock:
            attempts = self._keys.get(key)
            if attempts is not None:
                attempts.pending = max(attempts.pending - 1, 0)

    def forgive(self, key: str) -> None:
        with self._lock:
            attempts = self._keys.get(key)
            if attempts is not None:
                attempts.settled.clear()

    def _sweep(self, now: float) -> None:
        """Forget idle keys once many are tracked, so memory stays bounded."""
        if len(self._keys) < _MAX_KEYS:
            return
        for key in [
            k
            for k, a in self._keys.items()
            if not a.pending and (not a.settled or now - a.settled[-1] >= self.window)
        ]:
            del self._keys[key]


@dataclass(frozen=True, slots=True)
class Throttles:
    """Every throttle of one relay."""

    #: Failed logins per username (case-insensitive).
    login_by_user: Throttle
    #: Failed logins per client address.
    login_by_address: Throttle
    #: Rooms created per user.
    rooms_by_user: Throttle
    #: Seed page posts per client address (``--seed-compat``).
    seed_posts_by_address: Throttle
    #: Seed page history loads per client address (``--seed-compat``).
    seed_history_by_address: Throttle

    @classmethod
    def in_memory(cls) -> Throttles:
        """The limits of :mod:`~desktopchat.server.relay.limits`, kept in this process."""
        return cls(
            login_by_user=MemoryThrottle(limits.LOGIN_FAILURES_PER_USER, limits.LOGIN_WINDOW),
            login_by_address=MemoryThrottle(limits.LOGIN_FAILURES_PER_ADDRESS, limits.LOGIN_WINDOW),
            rooms_by_user=MemoryThrottle(limits.ROOMS_PER_USER, limits.ROOMS_WINDOW),
            seed_posts_by_address=MemoryThrottle(limits.SEED_POSTS_PER_ADDRESS, limits.SEED_WINDOW),
            seed_history_by_address=MemoryThrottle(
                limits.SEED_HISTORY_PER_ADDRESS, limits.SEED_WINDOW
            ),
        )
