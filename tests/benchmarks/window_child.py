"""The window benchmark's Qt children: absorbing messages, and 100,000 of them in one room.

Started by :func:`tests.benchmarks.bench_window.run_child` as ``python -m
tests.benchmarks.window_child MODE``; they print JSON lines for the parent. This module
imports only the standard library, the app and :mod:`tests.benchmarks.lean`: the memory
figure is the window's, not the load generator's (``tests.benchmarks.common`` brings
aiohttp, ~24 MiB of RSS, which the app never loads).

* **Absorbing messages** (``absorb``): the real ``MainWindow``'s message view, shown, fed
  through a ``MessageListModel`` one message per ``add`` call as the controller does, at
  fixed rates and flat out, while a 1 ms timer measures how long the GUI thread went
  without returning to the event loop (a stall over 16 ms is a dropped frame), and that
  gap on the thread's CPU clock. The first run offers nothing: the probe's floor on this
  machine. Before the runs, :func:`machine_stretch` times one fixed piece of work over
  and over: how much the machine alone stretches it (on a virtual machine the CPU clock
  is stretched too, so it cannot tell the app's work from the host's pauses).
* **100,000 messages** (``load``): the process's RSS once a room's model holds them and
  the view has laid them out, and how long that took.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from desktopchat.client.domain import Author, Message
from tests.benchmarks.lean import emit, pct, pin_singletons, proc_status_kib

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from desktopchat.ui.message_view import MessageView

#: The benchmark's room (tests.benchmarks.common.ROOM).
ROOM = "general"
#: A gap over this drops a frame at 60 Hz (the parent's target, GOAL_STALL_MS).
STALL_MS = 16.0
#: The window's size in the absorb and load runs (the app's default).
WINDOW_SIZE = (1000, 680)
#: At most this many ``add`` calls per producer tick, so "flat out" still yields to the loop.
ABSORB_CHUNK = 500


# ------------------------------------------------------------------------ made-up messages

_AUTHORS = [
    Author(n, name, "")
    for n, name in enumerate(
        ["Ada", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances"], start=1
    )
]
_TEXTS = [
    "Morning! Did the build go green overnight?",
    "Yes, all green. The **release notes** are in the wiki: https://example.org/notes",
    "Great, thanks. I'll tag it after lunch.",
    "Reminder: `make bundle` needs the icons rebuilt first.",
    "Anyone up for a review of the sync engine change? It's about 300 lines and mostly "
    "tests, but the catch-up logic moved and I'd like a second pair of eyes on the gap "
    "detection before it goes in.",
    "👍",
    "lunch?",
    "The hub handled 1,000 sockets without breaking a sweat; numbers in the benchmarks doc.",
]
_EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def make_message(n: int) -> Message:
    """Message ``n`` of a plausible chat: authors taking turns in runs, markup, links, days."""
    author = _AUTHORS[(n // 3) % len(_AUTHORS)]
    sent = _EPOCH + timedelta(seconds=41 * n)
    return Message(
        n, ROOM, f"bench-{n}", author, f"{_TEXTS[n % len(_TEXTS)]} #{n}", sent, None, False
    )


def make_messages(count: int) -> list[Message]:
    """Messages 1 to ``count``."""
    return [make_message(n) for n in range(1, count + 1)]


def message_stream() -> Iterator[Message]:
    """Messages 1, 2, 3... made on demand (as the client parses each event it receives)."""
    n = 0
    while True:
        n += 1
        yield make_message(n)


# -------------------------------------------------------------------- Qt child: absorbing


@dataclass
class AbsorbRun:
    """One absorb run: what was offered, what the model took, and the GUI thread's stalls."""

    label: str
    offered_per_s: float | None
    seconds: float
    history: int
    fed: int = 0
    absorbed_s: float = 0.0
    max_stall_ms: float = 0.0
    p99_stall_ms: float = 0.0
    frames_over_16ms: int = 0
    #: The most (and p99) CPU time of the GUI thread within one gap.
    max_busy_ms: float = 0.0
    p99_busy_ms: float = 0.0
    paints: int = 0
    rows_at_end: int = 0
    newest_shown_share: float = 0.0

    @property
    def absorbed_per_s(self) -> float:
        """Messages per second from the first offered to the last inserted."""
        return self.fed / self.absorbed_s if self.absorbed_s else 0.0


class _Heartbeat:
    """A 1 ms precise timer; the gaps between its ticks are the GUI thread's stalls.

    Each gap is also read on the thread's CPU clock: how much of it the GUI thread spent
    working. On a shared machine a gap can be long with little work in it (the thread was
    not scheduled). A virtual machine's host can also pause the whole guest, and that
    time shows on the CPU clock too (see :func:`machine_stretch`).
    """

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps_ns: list[int] = []
        self.busy_ns: list[int] = []
        self._last = 0
        self._last_cpu = 0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(1)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        """Start timing (forgets earlier gaps)."""
        self.gaps_ns.clear()
        self.busy_ns.clear()
        self._last = time.monotonic_ns()
        self._last_cpu = time.thread_time_ns()
        self._timer.start()

    def stop(self) -> None:
        """Stop timing."""
        self._timer.stop()

    def _tick(self) -> None:
        now, cpu = time.monotonic_ns(), time.thread_time_ns()
        self.gaps_ns.append(now - self._last)
        self.busy_ns.append(cpu - self._last_cpu)
        self._last, self._last_cpu = now, cpu

    @property
    def max_ms(self) -> float:
        """The longest stall."""
        return max(self.gaps_ns, default=0) / 1e6

    @property
    def max_busy_ms(self) -> float:
        """The most CPU time the GUI thread spent between two ticks."""
        return max(self.busy_ns, default=0) / 1e6

    def fill(self, run: AbsorbRun) -> None:
        """Put the stalls into ``run``: longest, p99, frames dropped, and their CPU part."""
        gaps_ms = [g / 1e6 for g in self.gaps_ns]
        run.max_stall_ms = self.max_ms
        run.p99_stall_ms = pct(gaps_ms, 99)
        run.frames_over_16ms = sum(1 for g in gaps_ms if g > STALL_MS)
        run.max_busy_ms = self.max_busy_ms
        run.p99_busy_ms = pct([b / 1e6 for b in self.busy_ns], 99)


def _paint_counter(view: MessageView) -> Callable[[], int]:
    """Counts paint events of the view's viewport; returns a reader of the count."""
    from PySide6.QtCore import QEvent, QObject

    class Counter(QObject):
        count = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    counter = Counter(view)
    view.viewport().installEventFilter(counter)
    return lambda: counter.count


def _run_loop_for(seconds: float, until: Callable[[], bool] | None = None) -> None:
    """Run the event loop for ``seconds``, or until ``until()`` holds (checked every 10 ms)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.monotonic() + seconds
    check = QTimer()
    check.setInterval(10)
    check.timeout.connect(
        lambda: (
            loop.quit() if time.monotonic() >= deadline or (until is not None and until()) else None
        )
    )
    check.start()
    loop.exec()
    check.stop()


def _start_window() -> tuple[QApplication, Any]:
    """The real main window, shown offscreen, with no session attached."""
    from PySide6.QtWidgets import QApplication

    from desktopchat import startup_gc
    from desktopchat.client import settings as settings_file
    from desktopchat.client.credentials import MemoryTokenStore
    from desktopchat.paths import app_dirs
    from desktopchat.ui import theme
    from desktopchat.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    theme.apply("system")  # as the app does before its first window: palette and style
    window = MainWindow(app_dirs(), settings_file.default_settings(), MemoryTokenStore(), [])
    window.resize(*WINDOW_SIZE)
    window.show()
    _run_loop_for(0.5)
    startup_gc.resume()  # as the app does once its first paint is done (desktopchat.ui.app)
    return app, window


def absorb_once(view: MessageView, messages: Iterator[Message], run: AbsorbRun) -> None:
    """Feed ``view``'s fresh model at ``run.offered_per_s`` (None: flat out) and time it.

    Every 50 ms it also checks whether the newest message is on screen: rows the model has
    taken are only worth something once the view shows them.
    """
    from PySide6.QtCore import Qt, QTimer

    from desktopchat.ui.message_model import MessageListModel

    model = MessageListModel(ROOM, own_user_id=_AUTHORS[0].id)
    view.setModel(model)
    model.add([next(messages) for _ in range(run.history)])
    model.flush()
    _run_loop_for(1.0 + run.history / 5000, lambda: view.at_bottom() and _newest_shown(view))
    inserted = {"rows": 0, "last_at": 0}

    def on_inserted(_parent: Any, first: int, last: int) -> None:
        inserted["rows"] += last - first + 1
        inserted["last_at"] = time.monotonic_ns()

    model.rowsInserted.connect(on_inserted)
    paints = _paint_counter(view)
    painted_before = paints()
    heartbeat = _Heartbeat()
    producer = QTimer()
    producer.setTimerType(Qt.TimerType.PreciseTimer)
    producer.setInterval(1)
    sampler = _NewestSampler(view)
    started = time.monotonic_ns()
    stop_at = started + int(run.seconds * 1e9)

    def produce() -> None:
        now = time.monotonic_ns()
        if now >= stop_at:
            producer.stop()
            sampler.stop()
            return
        due = ABSORB_CHUNK
        if run.offered_per_s is not None:
            due = min(due, int((now - started) / 1e9 * run.offered_per_s) - run.fed)
        for _ in range(max(0, due)):
            model.add([next(messages)])  # one event, one call: as the controller does
        run.fed += max(0, due)

    producer.timeout.connect(produce)
    heartbeat.start()
    producer.start()
    sampler.start()
    _run_loop_for(
        run.seconds + 10.0, lambda: not producer.isActive() and inserted["rows"] >= run.fed
    )
    _run_loop_for(0.1)
    heartbeat.stop()
    producer.stop()
    sampler.stop()
    run.absorbed_s = (inserted["last_at"] - started) / 1e9 if inserted["rows"] else 0.0
    heartbeat.fill(run)
    run.paints = paints() - painted_before
    run.rows_at_end = model.rowCount()
    run.newest_shown_share = sampler.share


class _NewestSampler:
    """Every 50 ms: is the newest message on screen? (rows not shown are not absorbed)."""

    def __init__(self, view: MessageView) -> None:
        from PySide6.QtCore import QTimer

        self.view = view
        self.samples = self.shown = 0
        self._timer = QTimer()
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._sample)

    def start(self) -> None:
        """Start sampling."""
        self._timer.start()

    def stop(self) -> None:
        """Stop sampling."""
        self._timer.stop()

    def _sample(self) -> None:
        self.samples += 1
        self.shown += _newest_shown(self.view)

    @property
    def share(self) -> float:
        """Share of the samples that had the newest message on screen."""
        return self.shown / self.samples if self.samples else 0.0


def _newest_shown(view: MessageView) -> bool:
    """Whether the model's last row is laid out inside the viewport right now."""
    model = view.model()
    if model is None or model.rowCount() == 0:
        return False
    rect = view.visualRect(model.index(model.rowCount() - 1, 0))
    return rect.intersects(view.viewport().rect())


#: (offered messages/s or None for flat out, messages already in the room) per absorb run.
ABSORB_RUNS: tuple[tuple[float | None, int], ...] = (
    (0.0, 1000),  # nothing offered: the probe's floor on this machine
    (100.0, 1000),
    (1000.0, 1000),
    (10000.0, 1000),
    (None, 1000),
    (10.0, 5000),
    (100.0, 5000),
)


def _work_unit() -> int:
    """A fixed piece of pure-Python work (about 1.5 ms on the benchmark machine)."""
    total = 0
    for n in range(20_000):
        total += n * n
    return total


def machine_stretch(seconds: float) -> dict[str, Any]:
    """How long the same fixed work takes when repeated for ``seconds`` in this thread.

    Nothing else runs meanwhile, so every unit is the same CPU work: a unit that takes
    ten times the median was slowed by the machine (other processes, or a virtual CPU the
    host did not run), and its thread CPU clock usually says so too, since a guest does
    not always learn of the time its host took. Stalls like these reach the absorb runs
    below whatever the app does: this is their floor on this machine.
    """
    walls: list[float] = []
    cpus: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
        _work_unit()
        walls.append((time.perf_counter_ns() - wall) / 1e6)
        cpus.append((time.thread_time_ns() - cpu) / 1e6)
    ordered = sorted(walls)
    return {
        "kind": "stretch",
        "seconds": seconds,
        "units": len(walls),
        "median_ms": ordered[len(ordered) // 2],
        "p999_ms": pct(walls, 99.9),
        "max_ms": ordered[-1],
        "max_cpu_ms": max(cpus),
        "over_16ms": sum(1 for w in walls if w > STALL_MS),
    }


def absorb_main(seconds: float) -> int:
    """Child: the machine's own stretch of fixed work, then one absorb run per
    :data:`ABSORB_RUNS` entry; one ``absorb`` line each."""
    _app, window = _start_window()
    emit("absorb", **machine_stretch(seconds))
    view = window.messages
    messages = message_stream()
    for rate, history in ABSORB_RUNS:
        label = "flat out" if rate is None else f"{rate:,.0f}/s" if rate else "nothing"
        run = AbsorbRun(label, rate, seconds, history)
        absorb_once(view, messages, run)
        emit("absorb", **{**run.__dict__, "absorbed_per_s": run.absorbed_per_s})
    window.quit()
    return 0


# ---------------------------------------------------------------- Qt child: 100k messages


def load_main(count: int) -> int:
    """Child: ``count`` messages into a room's model shown in the view; time and RSS."""
    from PySide6.QtCore import QEvent, QObject

    from desktopchat.ui.message_model import MessageListModel

    _app, window = _start_window()
    view: MessageView = window.messages
    rss_window = proc_status_kib("self", "VmRSS")
    messages = make_messages(count)
    rss_records = proc_status_kib("self", "VmRSS")
    model = MessageListModel(ROOM, own_user_id=_AUTHORS[0].id)
    painted = {"at": 0}

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and model.rowCount() and not painted["at"]:
                painted["at"] = time.monotonic_ns()
            return False

    watcher = FirstPaint(view)
    view.viewport().installEventFilter(watcher)
    layout = _count_row_layouts()
    heartbeat = _Heartbeat()
    heartbeat.start()
    started = time.monotonic_ns()
    # Filled before it is shown, as when someone has scrolled back through everything: a
    # followed live room keeps only its newest rows (message_view.LIVE_ROWS_MAX), and this
    # measures the model holding all of them.
    model.add(messages)
    model.flush()
    view.setModel(model)
    inserted = time.monotonic_ns()

    def laid_out() -> bool:
        # Batched layout measures rows pass by pass; a second without a measure is done.
        return bool(painted["at"]) and time.monotonic_ns() - layout["last_at"] > 1_000_000_000

    _run_loop_for(300.0, laid_out)
    heartbeat.stop()
    emit(
        "load",
        count=count,
        insert_s=(inserted - started) / 1e9,
        first_paint_s=(painted["at"] - started) / 1e9 if painted["at"] else None,
        laid_out_s=(layout["last_at"] - started) / 1e9,
        row_layouts=layout["calls"],
        max_stall_ms=heartbeat.max_ms,
        p99_stall_ms=pct([g / 1e6 for g in heartbeat.gaps_ns], 99),
        rss_window_kib=rss_window,
        rss_records_kib=rss_records,
        rss_kib=proc_status_kib("self", "VmRSS"),
        hwm_kib=proc_status_kib("self", "VmHWM"),
        rows=model.rowCount(),
        at_bottom=view.at_bottom(),
    )
    window.quit()
    return 0


def _count_row_layouts() -> dict[str, int]:
    """Count the delegate's ``sizeHint`` calls (one per row laid out) and stamp the last.

    Instrumentation of this child only: the view gives no signal when its batched layout
    is done, and the scroll range only changes once it is.
    """
    from desktopchat.ui.message_delegate import MessageDelegate

    seen = {"calls": 0, "last_at": 0}
    original = MessageDelegate.sizeHint

    def counted(self: MessageDelegate, option: Any, index: Any) -> Any:
        seen["calls"] += 1
        seen["last_at"] = time.monotonic_ns()
        return original(self, option, index)

    setattr(MessageDelegate, "sizeHint", counted)  # noqa: B010 - patching a class
    return seen


def main(argv: Sequence[str] | None = None) -> int:
    """Child-process entry point (``run.py`` starts these; they are not for people)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    pin_singletons()
    parser = argparse.ArgumentParser(description="bench_window child processes")
    sub = parser.add_subparsers(dest="mode", required=True)
    absorb = sub.add_parser("absorb")
    absorb.add_argument("--seconds", type=float, default=3.0)
    load = sub.add_parser("load")
    load.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args(argv)
    if args.mode == "absorb":
        return absorb_main(args.seconds)
    return load_main(args.count)


if __name__ == "__main__":
    raise SystemExit(main())
