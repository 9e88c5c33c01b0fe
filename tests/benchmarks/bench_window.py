"""Benchmarks of the window: start-up to painted history, absorbing messages, memory, idling.

Measuring code for ``run.py``, not a test; targets are printed next to figures, never
asserted. Qt runs offscreen (``QT_QPA_PLATFORM=offscreen`` unless set), in child processes
so that the parent's asyncio load generator never shares their GUI thread:

* **First paint.** ``python -m desktopchat --server URL`` against a hub holding history,
  with ``DESKTOPCHAT_REPORT_FIRST_PAINT=1`` (see ``desktopchat/ui/app.py``): the app prints
  ``first-paint SECONDS`` once its message list has painted the newest message, then quits.
  Cold: a fresh home each time (history comes from the relay); warm: the same home again
  (history from the local database, then what is newer from the relay).
* **Absorbing messages** (``bench_window absorb``): the real ``MainWindow``'s message view,
  shown, fed through a ``MessageListModel`` one message per ``add`` call as the controller
  does, at fixed rates and flat out, while a 1 ms timer measures how long the GUI thread
  went without returning to the event loop (a stall over 16 ms is a dropped frame).
* **100,000 messages** (``bench_window load``): the process's RSS once a room's model holds
  them and the view has laid them out, and how long that took.
* **Idle CPU**: the app connected (its room's channel subscribed, checked through the hub's
  HTTP API) and nothing happening; its CPU time from ``/proc`` over a minute.
* **The frozen app** (``dist/desktopchat``, built by ``./.ci/bundle``), if present: its size
  and its start-up to first paint.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

from desktopchat.client.credentials import TOKEN_ENV
from desktopchat.client.domain import Author, Message
from desktopchat.server import signing
from desktopchat.server.credentials import AppCredentials
from tests.benchmarks.bench_hub import REPO_ROOT, BenchError, HubProcess, goal, pct, progress
from tests.benchmarks.common import (
    ROOM,
    ROOM_CHANNEL,
    Child,
    CpuReading,
    CpuUse,
    Row,
    child_environment,
    emit,
    mib,
    pin_singletons,
    proc_status_kib,
    proc_threads,
    url_of,
)

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from desktopchat.ui.message_view import MessageView

#: Targets (never asserted).
GOAL_FIRST_PAINT_S = 0.5
GOAL_STALL_MS = 16.0
GOAL_RSS_MIB = 150.0
#: "Near zero" idle CPU, made concrete: under 0.5 % of one core.
GOAL_IDLE_SHARE = 0.005

#: The app's first-paint hook (desktopchat/ui/app.py).
REPORT_ENV = "DESKTOPCHAT_REPORT_FIRST_PAINT"
#: Bounds on waiting for the app.
APP_START_TIMEOUT_S = 30.0
CONNECTED_TIMEOUT_S = 20.0
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


# --------------------------------------------------------------------------- first paint


@dataclass
class PaintResult:
    """Start-ups: seen by the parent (spawn → line), and as the app reported it."""

    spawn_to_line_s: list[float] = field(default_factory=list)
    self_reported_s: list[float] = field(default_factory=list)
    failures: int = 0
    first_failure: str = ""


def app_command(server: str, executable: Path | None = None) -> list[str]:
    """The window pointed at ``server``: from source, or the frozen ``executable``."""
    if executable is not None:
        return [str(executable), "--server", server]
    return [sys.executable, "-m", "desktopchat", "--server", server]


def precompile() -> None:
    """Write the project's ``.pyc`` files, as an install does (pip compiles on install).

    Otherwise, with ``PYTHONDONTWRITEBYTECODE`` set, every start compiles the project's
    modules again (0.2 to 0.3 s here), which no installed app does.
    """
    compileall.compile_dir(REPO_ROOT / "desktopchat", quiet=1)


async def first_paint_once(
    command: Sequence[str], home: Path, token: str, log: Path, result: PaintResult
) -> None:
    """One start-up to first paint; the app quits by itself once it has reported.

    As a user gets it: with the project's byte code compiled (:func:`precompile`) and
    readable, so ``PYTHONDONTWRITEBYTECODE`` (set in some shells and CI) is dropped.
    """
    env = child_environment(home, {TOKEN_ENV: token, REPORT_ENV: "1"})
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    child = await Child.spawn(command, env, log, app=True)
    try:
        line = await child.expect("first-paint", APP_START_TIMEOUT_S)
    except BenchError as exc:
        result.failures += 1
        result.first_failure = result.first_failure or str(exc)[:200]
    else:
        result.spawn_to_line_s.append((line["at"] - child.spawned_ns) / 1e9)
        result.self_reported_s.append(float(line["seconds"]))
    finally:
        await child.stop()


async def measure_first_paint(
    hub: HubProcess,
    token: str,
    work: Path,
    *,
    cold: int,
    warm: int,
    executable: Path | None = None,
) -> tuple[PaintResult, PaintResult]:
    """``cold`` start-ups with a fresh home each, then ``warm`` ones reusing one home."""
    if executable is None:
        precompile()
    command = app_command(url_of(hub), executable)
    name = "frozen" if executable else "source"
    cold_result, warm_result = PaintResult(), PaintResult()
    for n in range(cold):
        home = work / f"{name}-cold-{n}"
        await first_paint_once(command, home, token, work / f"{name}-cold-{n}.log", cold_result)
    home = work / f"{name}-warm"
    await first_paint_once(command, home, token, work / f"{name}-warm-prime.log", PaintResult())
    for n in range(warm):
        await first_paint_once(command, home, token, work / f"{name}-warm-{n}.log", warm_result)
    return cold_result, warm_result


def paint_row(label: str, p: PaintResult, *, with_goal: bool = True) -> Row:
    """Row: median spawn → first paint, with the app's own figure."""
    if not p.spawn_to_line_s:
        return (label, f"**failed** ({p.first_failure})", "missed" if with_goal else "-")
    median = statistics.median(p.spawn_to_line_s)
    failed = f"; **{p.failures} failed** ({p.first_failure})" if p.failures else ""
    figure = (
        f"median **{median:.2f} s** (min {min(p.spawn_to_line_s):.2f}, max "
        f"{max(p.spawn_to_line_s):.2f}; the app's own count from process start: "
        f"{statistics.median(p.self_reported_s):.2f} s){failed}"
    )
    target = f"≤ {GOAL_FIRST_PAINT_S:g} s: {goal(median <= GOAL_FIRST_PAINT_S)}"
    return label, figure, target if with_goal else "-"


def paint_rows(cold: PaintResult, warm: PaintResult, history: int) -> list[Row]:
    """Rows: cold and warm start-ups of the window from source."""
    return [
        paint_row(
            "Window start-up, process start → first paint showing history "
            f"({len(cold.spawn_to_line_s)} cold starts: fresh home, {history} messages in room)",
            cold,
        ),
        paint_row(
            f"Window start-up, warm ({len(warm.spawn_to_line_s)} starts: same home, history "
            "in the local database)",
            warm,
        ),
    ]


# --------------------------------------------------------------------------- idle window


@dataclass
class IdleWindow:
    """CPU, memory and threads of the connected, idle app."""

    cpu: CpuUse
    rss_kib: int
    threads: int


async def subscription_count(
    http: aiohttp.ClientSession, hub: HubProcess, creds: AppCredentials
) -> int:
    """Sockets subscribed to the room's channel, from the hub's signed HTTP API."""
    path = f"/apps/{creds.app_id}/channels/{ROOM_CHANNEL}"
    params = {
        "auth_key": creds.key,
        "auth_timestamp": str(int(time.time())),
        "auth_version": "1.0",
        "info": "subscription_count",
    }
    params["auth_signature"] = signing.request_signature(creds.secret, "GET", path, params)
    async with http.get(hub.http_url + path, params=params) as response:
        body = await response.json()
    return int(body.get("subscription_count", 0))


async def measure_idle_window(
    hub: HubProcess, creds: AppCredentials, token: str, work: Path, seconds: float
) -> IdleWindow:
    """The app up, showing history, subscribed; then its CPU over ``seconds``."""
    env = child_environment(work / "idle-home", {TOKEN_ENV: token, REPORT_ENV: "keep"})
    child = await Child.spawn(app_command(url_of(hub)), env, work / "idle.log", app=True)
    try:
        await child.expect("first-paint", APP_START_TIMEOUT_S)
        async with aiohttp.ClientSession() as http:
            deadline = time.monotonic() + CONNECTED_TIMEOUT_S
            while await subscription_count(http, hub, creds) < 1:
                if time.monotonic() > deadline:
                    raise BenchError(f"the window never subscribed to {ROOM_CHANNEL}")
                await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)  # the presence channel and the last catch-up settle
        progress(f"window idle for {seconds:.0f} s (pid {child.pid})...")
        start = CpuReading.take(child.pid)
        await asyncio.sleep(seconds)
        cpu = CpuReading.take(child.pid).since(start)
        return IdleWindow(cpu, proc_status_kib(child.pid, "VmRSS"), proc_threads(child.pid))
    finally:
        await child.stop()


def idle_window_rows(idle: IdleWindow) -> list[Row]:
    """Row: the idle app's CPU, with its RSS and threads for context."""
    cpu = idle.cpu
    return [
        (
            f"Window open, connected, nothing happening: CPU over {cpu.wall_s:.0f} s",
            f"**{cpu.sched_s * 1000:.0f} ms** ({cpu.share:.2%} of a core; /proc/PID/stat "
            f"{cpu.stat_s:.2f} s); RSS {mib(idle.rss_kib)}, {idle.threads} threads",
            f"near zero (< {GOAL_IDLE_SHARE:.1%} of a core): {goal(cpu.share < GOAL_IDLE_SHARE)}",
        )
    ]


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
    paints: int = 0
    rows_at_end: int = 0
    newest_shown_share: float = 0.0

    @property
    def absorbed_per_s(self) -> float:
        """Messages per second from the first offered to the last inserted."""
        return self.fed / self.absorbed_s if self.absorbed_s else 0.0


class _Heartbeat:
    """A 1 ms precise timer; the gaps between its ticks are the GUI thread's stalls."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps_ns: list[int] = []
        self._last = 0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(1)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        """Start timing (forgets earlier gaps)."""
        self.gaps_ns.clear()
        self._last = time.monotonic_ns()
        self._timer.start()

    def stop(self) -> None:
        """Stop timing."""
        self._timer.stop()

    def _tick(self) -> None:
        now = time.monotonic_ns()
        self.gaps_ns.append(now - self._last)
        self._last = now

    @property
    def max_ms(self) -> float:
        """The longest stall."""
        return max(self.gaps_ns, default=0) / 1e6


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
    run.max_stall_ms = heartbeat.max_ms
    gaps_ms = [g / 1e6 for g in heartbeat.gaps_ns]
    run.p99_stall_ms = pct(gaps_ms, 99)
    run.frames_over_16ms = sum(1 for g in gaps_ms if g > GOAL_STALL_MS)
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
    (100.0, 1000),
    (1000.0, 1000),
    (10000.0, 1000),
    (None, 1000),
    (10.0, 5000),
    (100.0, 5000),
)


def absorb_main(seconds: float) -> int:
    """Child: one absorb run per :data:`ABSORB_RUNS` entry; one ``absorb`` line each."""
    _app, window = _start_window()
    view = window.messages
    messages = message_stream()
    for rate, history in ABSORB_RUNS:
        label = f"{rate:,.0f}/s" if rate is not None else "flat out"
        run = AbsorbRun(label, rate, seconds, history)
        absorb_once(view, messages, run)
        emit("absorb", **{**run.__dict__, "absorbed_per_s": run.absorbed_per_s})
    window.quit()
    return 0


def absorb_rows(runs: Sequence[dict[str, Any]]) -> list[Row]:
    """Rows: per offered rate, what was absorbed, whether it showed, the longest stall."""
    rows: list[Row] = []
    for r in runs:
        stall = float(r["max_stall_ms"])
        rows.append(
            (
                f"Model + visible view absorbing messages: offered {r['label']} for "
                f"{r['seconds']:.0f} s into a room holding {r['history']:,}",
                f"**{r['absorbed_per_s']:,.0f} messages/s** into the model ({r['fed']:,}); "
                f"newest message on screen in **{r['newest_shown_share']:.0%}** of 50 ms "
                f"samples; longest GUI-thread stall **{stall:.1f} ms** (p99 "
                f"{r['p99_stall_ms']:.1f} ms, {r['frames_over_16ms']} over 16 ms); "
                f"{r['paints']} repaints",
                f"stall < {GOAL_STALL_MS:.0f} ms: {goal(stall < GOAL_STALL_MS)}",
            )
        )
    return rows


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


def load_rows(r: dict[str, Any]) -> list[Row]:
    """Rows: RSS with the messages shown, and how long loading them took."""
    rss_mib = r["rss_kib"] / 1024
    paint = r["first_paint_s"]
    return [
        (
            f"RSS with {r['count']:,} messages in a room's model shown in the window's view",
            f"**{rss_mib:.0f} MiB** (window alone {mib(r['rss_window_kib'])}; with the "
            f"{r['count']:,} records {mib(r['rss_records_kib'])}; peak {mib(r['hwm_kib'])})",
            f"≤ {GOAL_RSS_MIB:.0f} MB: {goal(rss_mib * 1.048576 <= GOAL_RSS_MIB)}",
        ),
        (
            "… time to load them (one batch into the model, then the view's layout)",
            f"inserted in {r['insert_s'] * 1000:.0f} ms; first paint after "
            + (f"**{paint:.2f} s**" if paint is not None else "**never**")
            + f"; all rows laid out after **{r['laid_out_s']:.1f} s** ({r['row_layouts']:,} row "
            f"measures); longest GUI-thread stall {r['max_stall_ms']:.0f} ms (p99 "
            f"{r['p99_stall_ms']:.0f} ms)",
            "-",
        ),
    ]


# ------------------------------------------------------------------------ the frozen app

#: Issue 13's budget for the one-folder bundle (tests/bundle asserts it too).
GOAL_BUNDLE_MIB = 150.0


def bundle_executable(bundle: Path) -> Path | None:
    """The frozen app's executable in ``bundle`` (``dist/desktopchat``), if built."""
    for name in ("desktopchat", "desktopchat.exe"):
        if (bundle / name).is_file():
            return bundle / name
    return None


def tree_size(root: Path) -> int:
    """Bytes in every file under ``root`` (what a download or install weighs)."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def bundle_rows(bundle: Path, cold: PaintResult | None) -> list[Row]:
    """Rows: the frozen app's size and start-up, or that it was not built."""
    shown = bundle.relative_to(REPO_ROOT) if bundle.is_relative_to(REPO_ROOT) else bundle
    if cold is None:
        return [
            (
                f"Frozen app (`{shown}`, built by `./.ci/bundle`): start-up and size",
                "not built",
                "-",
            )
        ]
    size = tree_size(bundle)
    return [
        paint_row(
            f"Frozen app (`{shown}`): process start → first paint ({len(cold.spawn_to_line_s)} "
            "cold starts)",
            cold,
        ),
        (
            f"Frozen app size on disk (`{shown}`)",
            f"**{size / 1024**2:.0f} MiB**",
            f"≤ {GOAL_BUNDLE_MIB:.0f} MB: "
            + ("met" if size / 1024**2 <= GOAL_BUNDLE_MIB else "**missed**"),
        ),
    ]


# ------------------------------------------------------------------------ child processes


async def run_child(
    module_args: Sequence[str], work: Path, name: str, event: str, timeout: float
) -> list[dict[str, Any]]:
    """Run a Qt child of this module to the end; every ``event`` line it printed."""
    env = child_environment(work / f"{name}-home")
    child = await Child.module("bench_window", module_args, env, work / f"{name}.log")
    lines: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(timeout):
            while child.proc.returncode is None or not child.lines.empty():
                with contextlib.suppress(TimeoutError):
                    line = await asyncio.wait_for(child.lines.get(), 0.5)
                    if line.get("event") == event:
                        lines.append(line)
    except TimeoutError:
        progress(f"{name} did not finish within {timeout:.0f} s; stopping it")
    finally:
        code = await child.stop()
    if code != 0 or not lines:
        raise BenchError(f"{name} failed (exit {code}): {child.stderr_tail()}")
    return lines


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
