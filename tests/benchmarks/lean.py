"""Helpers the Qt children share with the load generator, importing only the standard library.

A child that measures the window's memory must not carry the load generator's modules:
``tests.benchmarks.common`` imports aiohttp (~24 MiB of RSS here), which the app never
loads. :mod:`tests.benchmarks.window_child` uses these; ``common`` and ``bench_hub``
re-export them for everyone else.
"""

from __future__ import annotations

import ctypes
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class BenchError(Exception):
    """The hub misbehaved in a way the benchmark cannot measure around (no ready line...)."""


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0-100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def proc_status_kib(pid: int | str, key: str) -> int:
    """A ``/proc/PID/status`` line such as ``VmRSS`` or ``VmHWM``, in KiB (``self`` works)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise BenchError(f"no {key} in /proc/{pid}/status")


def singletons_leak() -> bool:
    """Whether this Qt binding drops references to None and True (PySide6 6.12.0, Python 3.11).

    PySide6 6.12.0 loses a reference to ``None`` each time a Python model's ``data()``
    answers None through ``QModelIndex.data`` (the message delegate asks every row for its
    day separator, which most rows lack) and one to ``True`` on each Python-side ``emit``.
    Python 3.12 made both immortal; on 3.11 the interpreter aborts once a count reaches
    zero ("Fatal Python error: none_dealloc"). ``pyproject.toml`` now excludes 6.12.
    """
    from PySide6 import __version__ as pyside_version

    return sys.version_info < (3, 12) and pyside_version.startswith("6.12.")


def pin_singletons() -> None:
    """In a Qt child, with a leaking binding: make None, True and False unkillable.

    The benchmark measures speed, so its own Qt children add 2**40 references by hand when
    :func:`singletons_leak`; the app processes it starts (first paint, idle) get no help.
    """
    if not singletons_leak():
        return
    for singleton in (None, True, False):
        # ob_refcnt is a PyObject's first field in CPython's (non-debug) object layout.
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40


def emit(event: str, **fields: Any) -> None:
    """In a child: one JSON line on stdout for the parent."""
    print(json.dumps({"event": event, **fields}), flush=True)
