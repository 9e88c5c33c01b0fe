"""Python's cyclic garbage collector while the window starts: paused, then told to skip
what start-up built.

Why: start-up allocates the ~50,000 objects of PySide6's, the app's and the standard
library's modules, classes and widgets, almost none of them garbage. The collector, run
by allocation counts, went over them about a hundred times before the first paint (20 to
50 ms here, and once in a while a full collection of 20 ms), and afterwards every full
collection walked them all again: a 33 ms full collection in the middle of a burst of
messages was the longest GUI stall measured (docs/benchmarks.md).

So :func:`pause` turns automatic collection off as the window's start begins, and
:func:`resume`, once history is on screen, moves everything alive into the permanent
generation (:func:`gc.freeze`) and turns it on again: later collections only look at
objects made since. Reference counting frees almost everything meanwhile; the few hundred
cyclic leftovers of start-up (measured: 500 to 600 objects) stay frozen, which costs less
than the 15 to 30 ms GUI stall of collecting them.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop automatic collection until :func:`resume` (the start of the window's start-up)."""
    global _paused  # noqa: PLW0603 - one process-wide switch, as gc's own is
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Start-up is over: freeze what it made and collect automatically again.

    Safe to call more than once and without :func:`pause` (then it only freezes).
    """
    global _paused  # noqa: PLW0603
    gc.freeze()
    if _paused:
        _paused = False
        gc.enable()
