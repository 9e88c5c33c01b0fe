"""Retry delays for reconnecting and resending: exponential, jittered, capped near 30 s.

Jitter keeps a hundred clients that lost the same hub from all coming back in the same
millisecond when it restarts.
"""

from __future__ import annotations

import random

#: First retry after about a second, doubling each time, never more than 30 s apart.
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0


class Backoff:
    """Exponential back-off with full jitter: ``uniform(base, min(cap, base * 2**n))``."""

    def __init__(self, base: float | None = None, cap: float | None = None) -> None:
        # The module's values are read now, not when the class was defined, so tests (and
        # anyone tuning them) can change BACKOFF_BASE/BACKOFF_CAP and be heard.
        self.base = BACKOFF_BASE if base is None else base
        self.cap = BACKOFF_CAP if cap is None else cap
        self.attempts = 0

    def next_delay(self) -> float:
        """The delay before the next attempt (grows with each call until :meth:`reset`)."""
        ceiling = min(self.cap, self.base * 2 ** min(self.attempts + 1, 32))
        self.attempts += 1
        return random.uniform(self.base, max(self.base, ceiling))

    def reset(self) -> None:
        """A connection succeeded: start again from the base delay."""
        self.attempts = 0
