"""Benchmarks of the window: start-up to painted history, absorbing messages, memory, idling.

Measuring code for ``run.py``, not a test; targets are printed next to figures, never
asserted. Qt runs offscreen (``QT_QPA_PLATFORM=offscreen`` unless set), in child processes
so that the parent's asyncio load generator never shares their GUI thread:

* **First paint.** ``python -m desktopchat --server URL`` against a hub holding history,
  with ``DESKTOPCHAT_REPORT_FIRST_PAINT=1`` (see ``desktopchat/ui/app.py``): the app prints
  ``first-paint SECONDS`` once its message list has painted the newest message, then quits.
  Cold: a fresh home each time (history comes from the relay); warm: the same home again
  (history from the local database, then what is newer from the relay).
* **Absorbing messages** and **100,000 messages**: children of their own
  (:mod:`tests.benchmarks.window_child`, which imports nothing of the load generator);
  this module starts them and turns their lines into rows.
* **Idle CPU**: the app connected (its room's channel subscribed, checked through the hub's
  HTTP API) and nothing happening; its CPU time from ``/proc`` over a minute.
* **The frozen app** (``dist/desktopchat``, built by ``./.ci/bundle``), if present: its size
  and its start-up to first paint.
"""

from __future__ import annotations

import asyncio
import compileall
import contextlib
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from desktopchat.client.credentials import TOKEN_ENV
from desktopchat.server import signing
from desktopchat.server.credentials import AppCredentials
from tests.benchmarks.bench_hub import REPO_ROOT, HubProcess, goal, progress
from tests.benchmarks.common import (
    ROOM_CHANNEL,
    Child,
    CpuReading,
    CpuUse,
    Row,
    child_environment,
    mib,
    proc_threads,
    url_of,
)
from tests.benchmarks.lean import BenchError, proc_status_kib

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


# --------------------------------------------------------------------------- first paint


@dataclass
class PaintResult:
    """Start-ups: seen by the parent (spawn → line), and as the app reported it."""

    spawn_to_line_s: list[float] = field(default_factory=list)
    self_reported_s: list[float] = field(default_factory=list)
    failures: int = 0
    first_failure: str = ""


#: The floor: a bare PySide6 list window, started between the cold starts (bare_window.py).
BARE_WINDOW = [sys.executable, "-m", "tests.benchmarks.bare_window"]


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
    floor: PaintResult | None = None,
) -> tuple[PaintResult, PaintResult]:
    """``cold`` start-ups with a fresh home each, then ``warm`` ones reusing one home;
    with ``floor``, a bare PySide6 window (:data:`BARE_WINDOW`) before each cold one."""
    if executable is None:
        precompile()
    command = app_command(url_of(hub), executable)
    name = "frozen" if executable else "source"
    cold_result, warm_result = PaintResult(), PaintResult()
    for n in range(cold):
        if floor is not None:
            bare = work / f"bare-{n}"
            await first_paint_once(BARE_WINDOW, bare, token, work / f"bare-{n}.log", floor)
        home = work / f"{name}-cold-{n}"
        await first_paint_once(command, home, token, work / f"{name}-cold-{n}.log", cold_result)
    home = work / f"{name}-warm"
    await first_paint_once(command, home, token, work / f"{name}-warm-prime.log", PaintResult())
    for n in range(warm):
        await first_paint_once(command, home, token, work / f"{name}-warm-{n}.log", warm_result)
    return cold_result, warm_result


def paint_row(label: str, p: PaintResult, *, with_goal: bool = True, who: str = "the app's") -> Row:
    """Row: median spawn → first paint, with the app's own figure."""
    if not p.spawn_to_line_s:
        return (label, f"**failed** ({p.first_failure})", "missed" if with_goal else "-")
    median = statistics.median(p.spawn_to_line_s)
    failed = f"; **{p.failures} failed** ({p.first_failure})" if p.failures else ""
    figure = (
        f"median **{median:.2f} s** (min {min(p.spawn_to_line_s):.2f}, max "
        f"{max(p.spawn_to_line_s):.2f}; {who} own count from process start: "
        f"{statistics.median(p.self_reported_s):.2f} s){failed}"
    )
    target = f"≤ {GOAL_FIRST_PAINT_S:g} s: {goal(median <= GOAL_FIRST_PAINT_S)}"
    return label, figure, target if with_goal else "-"


def paint_rows(
    cold: PaintResult, warm: PaintResult, history: int, floor: PaintResult | None = None
) -> list[Row]:
    """Rows: cold and warm start-ups of the window from source, and the floor under them."""
    rows = [
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
    if floor is not None:
        rows.append(
            paint_row(
                "The floor: a bare PySide6 window (a list of 100 rows, nothing of the app), "
                f"process start → first paint ({len(floor.spawn_to_line_s)} starts, each just "
                "before a cold one)",
                floor,
                with_goal=False,
                who="its",
            )
        )
    return rows


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


def absorb_rows(runs: Sequence[dict[str, Any]]) -> list[Row]:
    """Rows: per offered rate, what was absorbed, whether it showed, the longest stall."""
    rows: list[Row] = []
    for r in runs:
        if r.get("kind") == "stretch":
            rows.append(stretch_row(r))
            continue
        stall = float(r["max_stall_ms"])
        rows.append(
            (
                f"Model + visible view absorbing messages: offered {r['label']} for "
                f"{r['seconds']:.0f} s into a room holding {r['history']:,}",
                f"**{r['absorbed_per_s']:,.0f} messages/s** into the model ({r['fed']:,}); "
                f"newest message on screen in **{r['newest_shown_share']:.0%}** of 50 ms "
                f"samples; longest GUI-thread stall **{stall:.1f} ms** (p99 "
                f"{r['p99_stall_ms']:.1f} ms, {r['frames_over_16ms']} over 16 ms), of it "
                f"the GUI thread's own CPU time at most **{r['max_busy_ms']:.1f} ms** (p99 "
                f"{r['p99_busy_ms']:.1f} ms); {r['paints']} repaints",
                f"stall < {GOAL_STALL_MS:.0f} ms: {goal(stall < GOAL_STALL_MS)}"
                if r["offered_per_s"] != 0
                else "- (the probe's floor: what this machine alone costs)",
            )
        )
    return rows


def stretch_row(r: dict[str, Any]) -> Row:
    """Row: how much the machine alone stretches a fixed piece of work in the GUI thread."""
    return (
        f"The machine alone: one fixed piece of pure-Python work (median "
        f"{r['median_ms']:.2f} ms) repeated for {r['seconds']:.0f} s in the GUI thread, "
        "nothing else running",
        f"longest **{r['max_ms']:.1f} ms** (p99.9 {r['p999_ms']:.1f} ms; "
        f"{r['over_16ms']} of {r['units']:,} over 16 ms), on the thread's CPU clock at most "
        f"{r['max_cpu_ms']:.1f} ms",
        "- (the floor under every stall below: the same work, slowed by the machine)",
    )


# ------------------------------------------------------------- Qt children's rows


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
    """Run a Qt child (:mod:`tests.benchmarks.window_child`) to the end; its ``event`` lines."""
    env = child_environment(work / f"{name}-home")
    child = await Child.module("window_child", module_args, env, work / f"{name}.log")
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
