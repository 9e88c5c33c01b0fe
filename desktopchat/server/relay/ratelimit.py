"""Attempt throttling: failed logins per username and per address, room creations per user.

The relay handles requests concurrently (the event loop, with scrypt on worker threads), so
a limit checked when a request arrives and counted only when it ends lets a burst through
all at once. Here an attempt is *reserved* before the expensive or limited work runs and
settled afterwards: :meth:`Throttle.reserve` checks and counts in one step, and
:meth:`Throttle.count` or :meth:`Throttle.cancel` settles it.

The attempts live in the store (:meth:`~.store.Store.reserve_attempt`), not in the
process: several relays on one PostgreSQL database share one limit, so a burst split
across them gets no more guesses than one relay allows, and a restart resets nothing.
Each method is a store call: run it on the store's threads (``Relay.db``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from desktopchat.server.relay import limits
from desktopchat.server.relay.store import Store

#: Retry-After while the limit is taken only by attempts still running (about one scrypt).
PENDING_RETRY_SECONDS = 1.0
#: A reservation never settled (its relay died mid-attempt) stops counting after this long.
PENDING_SECONDS = 60.0


def wait_for(taken: int, oldest: float | None, limit: int, window: float, now: float) -> float:
    """The stores' one rule: 0 if another attempt fits, else the seconds to wait.

    ``taken`` attempts (counted or pending) are within the window; ``oldest`` is the time
    the oldest counted one was settled (None: only pending ones hold the limit).
    """
    if taken < limit:
        return 0.0
    if oldest is None or math.isnan(oldest):
        return PENDING_RETRY_SECONDS
    return max(oldest + window - now, PENDING_RETRY_SECONDS)


class Throttle(Protocol):
    """At most ``limit`` counted attempts per key within ``window`` seconds."""

    @property
    def limit(self) -> int:
        """Attempts allowed per key within the window."""
        ...

    @property
    def window(self) -> float:
        """Seconds an attempt counts for."""
        ...

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


@dataclass(frozen=True, slots=True)
class StoreThrottle:
    """:class:`Throttle` kept in the store under ``scope``, shared by every relay on it."""

    store: Store
    scope: str
    limit: int
    window: float

    def reserve(self, key: str, now: float) -> float:
        return self.store.reserve_attempt(self.scope, key, self.limit, self.window, now)

    def count(self, key: str, now: float) -> None:
        self.store.settle_attempt(self.scope, key, now, counted=True)

    def cancel(self, key: str) -> None:
        self.store.settle_attempt(self.scope, key, 0.0, counted=False)

    def forgive(self, key: str) -> None:
        self.store.forgive_attempts(self.scope, key)


@dataclass(frozen=True, slots=True)
class Throttles:
    """Every throttle of the relay."""

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
    #: Direct conversations started per user.
    dms_by_user: Throttle

    @classmethod
    def in_store(cls, store: Store) -> Throttles:
        """The limits of :mod:`~desktopchat.server.relay.limits`, kept in ``store``."""
        return cls(
            login_by_user=StoreThrottle(
                store, "login-user", limits.LOGIN_FAILURES_PER_USER, limits.LOGIN_WINDOW
            ),
            login_by_address=StoreThrottle(
                store, "login-address", limits.LOGIN_FAILURES_PER_ADDRESS, limits.LOGIN_WINDOW
            ),
            rooms_by_user=StoreThrottle(
                store, "rooms-user", limits.ROOMS_PER_USER, limits.ROOMS_WINDOW
            ),
            seed_posts_by_address=StoreThrottle(
                store, "seed-posts", limits.SEED_POSTS_PER_ADDRESS, limits.SEED_WINDOW
            ),
            seed_history_by_address=StoreThrottle(
                store, "seed-history", limits.SEED_HISTORY_PER_ADDRESS, limits.SEED_WINDOW
            ),
            dms_by_user=StoreThrottle(store, "dms-user", limits.DMS_PER_USER, limits.DMS_WINDOW),
        )
