"""The benchmark command: the hub, the client path and the window, measured on loopback.

Run from the repository root with the project's virtualenv (``./.ci/app`` or ``./.ci/test``
makes it)::

    .venv/bin/python tests/benchmarks/run.py               # print the tables
    .venv/bin/python tests/benchmarks/run.py --write-docs  # also rewrite docs/benchmarks.md
    .venv/bin/python tests/benchmarks/run.py --quick       # shorter phases (~2 minutes)
    .venv/bin/python tests/benchmarks/run.py --only relays --write-docs  # one part, its section

It runs ``bench_hub``'s measurements (hub start-up, connections, fan-out, sustained
triggers), then ``bench_client``'s (send → visible against the WebSocket floor, sustained
messages through relay and hub, idle WebSockets against polling) and ``bench_window``'s
(start-up to first paint, absorbing messages, 100,000 messages in memory, idle CPU, the
frozen app if built), ``bench_relays``' (relays on SQLite and PostgreSQL side by side) and
``bench_search``'s (the local index and ``GET /api/search`` over 100,000 messages),
each against a real hub process on 127.0.0.1. Targets are printed
next to the figures and never asserted: this is not part of the test suite. Every wait is
bounded and every process it starts is stopped, also on Ctrl-C or SIGTERM. Progress goes
to stderr, the tables to stdout. Linux only (CPU and memory come from ``/proc``).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

# Run as a script, this file's directory is on sys.path but the repository root is not.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiohttp
import PySide6
from PySide6.QtCore import qVersion

from desktopchat.server.credentials import generate
from tests.benchmarks import (
    bench_client,
    bench_files,
    bench_hub,
    bench_relays,
    bench_search,
    bench_window,
    window_child,
)
from tests.benchmarks.bench_hub import HubProcess, markdown_table, progress
from tests.benchmarks.common import Row, seed_messages, tokens_for, url_of
from tests.benchmarks.lean import BenchError, singletons_leak

T = TypeVar("T")

DOCS_PATH = bench_hub.DOCS_PATH
DEFAULT_BUNDLE = bench_hub.REPO_ROOT / "dist" / "desktopchat"
#: Messages in the room the window opens on (it shows the newest 100).
WINDOW_HISTORY = 500
#: The whole run's target, from a clean clone (never asserted).
GOAL_RUN_MINUTES = 10.0


@dataclass(frozen=True)
class Plan:
    """How much of everything to run; ``--quick`` shortens every phase."""

    quick: bool
    hub_args: list[str]
    visible_messages: int
    relay_senders: int
    relay_listeners: int
    relay_seconds: float
    idle_clients: int
    idle_seconds: float
    cold_starts: int
    warm_starts: int
    absorb_seconds: float
    load_messages: int
    window_idle_seconds: float
    bundle: Path
    relay_seconds_each: float = 10.0
    #: The parts to run (``--only``); all of them by default.
    parts: tuple[str, ...] = ("hub", "client", "window", "relays", "files", "search")

    @classmethod
    def make(cls, quick: bool, bundle: Path) -> Plan:
        """The documented run, or the quick one."""
        if quick:
            hub_args = ["--starts", "2", "--connections", "300", "--fanout-runs", "10"]
            hub_args += ["--sustain", "3"]
            return cls(
                True, hub_args, 200, 10, 100, 3.0, 50, 10.0, 2, 1, 1.0, 100_000, 10.0, bundle
            )
        return cls(False, [], 1000, 10, 100, 10.0, 50, 60.0, 5, 3, 3.0, 100_000, 60.0, bundle)


@dataclass
class Section:
    """One part of the page: its rows, notes, and any phase CPU table."""

    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cpu_table: str = ""


@dataclass
class Outcome:
    """Everything one run produced."""

    plan: Plan
    load_before: str
    load_after: str = ""
    hub: bench_hub.Results | None = None
    hub_error: str = ""
    client: Section = field(default_factory=lambda: Section("Client path"))
    window: Section = field(default_factory=lambda: Section("Window"))
    files: Section = field(default_factory=lambda: Section("Files"))
    search: Section = field(default_factory=lambda: Section("Search"))
    relays: list[bench_relays.RelayRun] | None = None
    relays_error: str = ""
    relays_at: datetime | None = None
    relays_load: tuple[str, str] | None = None
    wall_s: float = 0.0


def load_average() -> str:
    """``/proc/loadavg``'s 1, 5 and 15 minute figures."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def attempt(section: Section, what: str, work: Awaitable[T]) -> T | None:
    """Await ``work``; a failure becomes a row saying so, and the run goes on."""
    try:
        return await work
    except (BenchError, aiohttp.ClientError, OSError, TimeoutError, KeyError, ValueError) as exc:
        progress(f"{what} failed: {type(exc).__name__}: {exc}")
        section.rows.append((what, f"**failed**: {type(exc).__name__}: {str(exc)[:160]}", "-"))
        return None


# ------------------------------------------------------------------------------ the parts


async def run_hub(plan: Plan, out: Outcome) -> None:
    """``bench_hub``'s own run, unchanged (it starts and stops its own hubs)."""
    try:
        out.hub = await bench_hub.run(bench_hub.parse_args(plan.hub_args))
    except (BenchError, aiohttp.ClientError, OSError, TimeoutError) as exc:
        out.hub_error = f"{type(exc).__name__}: {exc}"
        progress(f"hub benchmark failed: {out.hub_error}")


async def run_client(plan: Plan, out: Outcome, work: Path) -> None:
    """Send → visible, sustained relay load, idle sockets against polling: one hub."""
    section = out.client
    creds = generate()
    async with bench_hub.running_hub(creds, work, None) as hub:
        progress(f"client phases: hub pid {hub.pid} on port {hub.port}")
        clock = bench_hub.PhaseClock(hub)
        visible = await attempt(
            section,
            "Send → visible",
            clock.measure(
                f"send → visible x{plan.visible_messages}",
                bench_client.measure_send_to_visible(hub, creds, work, plan.visible_messages),
            ),
        )
        if visible is not None:
            section.rows += bench_client.visible_rows(visible)
        sustained = await attempt(
            section,
            "Relay + hub sustained",
            bench_client.measure_relay_sustained(
                hub,
                creds,
                clock,
                senders=plan.relay_senders,
                listeners=plan.relay_listeners,
                seconds=plan.relay_seconds,
            ),
        )
        if sustained is not None:
            section.rows += bench_client.relay_sustained_rows(sustained)
        idle = await attempt(
            section,
            "Idle WebSockets against polling",
            clock.measure(
                f"idle clients {plan.idle_seconds:.0f} s x2",
                bench_client.measure_idle(hub, creds, plan.idle_clients, plan.idle_seconds),
            ),
        )
        if idle is not None:
            section.rows += bench_client.idle_rows(idle)
        section.cpu_table = bench_hub.cpu_table(clock.phases)


async def run_window(plan: Plan, out: Outcome, work: Path) -> None:
    """Start-up, idle CPU (against a hub with history), absorbing, 100k messages, bundle."""
    section = out.window
    creds = generate()
    async with bench_hub.running_hub(creds, work, None) as hub:
        progress(f"window phases: hub pid {hub.pid} on port {hub.port}")
        async with aiohttp.ClientSession() as http:
            authors = await tokens_for(http, hub, creds, "author", 3)
            await seed_messages(http, url_of(hub), authors, WINDOW_HISTORY, "history")
            (reader,) = await tokens_for(http, hub, creds, "reader", 1)
        progress(f"first paint: {plan.cold_starts} cold + {plan.warm_starts} warm starts...")
        floor = bench_window.PaintResult()
        paints = await attempt(
            section,
            "Window start-up",
            bench_window.measure_first_paint(
                hub, reader, work, cold=plan.cold_starts, warm=plan.warm_starts, floor=floor
            ),
        )
        if paints is not None:
            section.rows += bench_window.paint_rows(*paints, WINDOW_HISTORY, floor)
        idle = await attempt(
            section,
            "Window idle CPU",
            bench_window.measure_idle_window(hub, creds, reader, work, plan.window_idle_seconds),
        )
        if idle is not None:
            section.rows += bench_window.idle_window_rows(idle)
        await run_bundle(plan, section, hub, reader, work)
    progress(f"absorbing messages, {plan.absorb_seconds:.0f} s per rate...")
    args = ["absorb", "--seconds", str(plan.absorb_seconds)]
    absorbed = await attempt(
        section,
        "Absorbing messages",
        bench_window.run_child(args, work, "absorb", "absorb", 120.0),
    )
    if absorbed is not None:
        section.rows += bench_window.absorb_rows(absorbed)
    progress(f"{plan.load_messages:,} messages into one room's model and view...")
    args = ["load", "--count", str(plan.load_messages)]
    loaded = await attempt(
        section,
        f"{plan.load_messages:,} messages",
        bench_window.run_child(args, work, "load", "load", 300.0),
    )
    if loaded is not None:
        section.rows += bench_window.load_rows(loaded[0])


async def run_bundle(plan: Plan, section: Section, hub: HubProcess, token: str, work: Path) -> None:
    """The frozen app's start-up and size, if ``./.ci/bundle`` built it."""
    executable = bench_window.bundle_executable(plan.bundle)
    if executable is None:
        section.rows += bench_window.bundle_rows(plan.bundle, None)
        return
    progress(f"frozen app: {executable}...")
    paints = await attempt(
        section,
        "Frozen app start-up",
        bench_window.measure_first_paint(
            hub, token, work, cold=plan.cold_starts, warm=0, executable=executable
        ),
    )
    if paints is not None:
        section.rows += bench_window.bundle_rows(plan.bundle, paints[0])


async def run_relays(plan: Plan, out: Outcome, work: Path) -> None:
    """Relays on SQLite, on PostgreSQL, two on PostgreSQL: ``bench_relays``' own run."""
    before = load_average()
    out.relays_at = datetime.now(UTC)
    try:
        out.relays = await bench_relays.run(plan.relay_seconds_each, work)
        out.relays_load = (before, load_average())
    except (BenchError, aiohttp.ClientError, OSError, TimeoutError, RuntimeError) as exc:
        out.relays_error = f"{type(exc).__name__}: {exc}"
        progress(f"relay benchmark failed: {out.relays_error}")


async def run_files(out: Outcome, work: Path) -> None:
    """Upload and download of a 20 MB file through one hub's relay."""
    creds = generate()
    async with bench_hub.running_hub(creds, work, None) as hub:
        result = await attempt(out.files, "Files", bench_files.measure(hub, creds, work))
        thumbs = await attempt(out.files, "Files", bench_files.measure_thumbnails(hub, creds, work))
    if result is not None:
        out.files.rows += bench_files.rows(result)
    if thumbs is not None:
        out.files.rows += bench_files.thumbnail_rows(thumbs)


async def run(plan: Plan) -> Outcome:
    """Every part in turn; SIGTERM cancels like Ctrl-C, so the cleanup still happens."""
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    started = time.monotonic()
    out = Outcome(plan, load_average())
    if "hub" in plan.parts:
        await run_hub(plan, out)
    if "client" in plan.parts:
        with tempfile.TemporaryDirectory(prefix="desktopchat-bench-client-") as tmp:
            await run_client(plan, out, Path(tmp))
    if "window" in plan.parts:
        with tempfile.TemporaryDirectory(prefix="desktopchat-bench-window-") as tmp:
            await run_window(plan, out, Path(tmp))
    if "relays" in plan.parts:
        with tempfile.TemporaryDirectory(prefix="desktopchat-bench-relays-") as tmp:
            await run_relays(plan, out, Path(tmp))
    if "files" in plan.parts:
        with tempfile.TemporaryDirectory(prefix="desktopchat-bench-files-") as tmp:
            await run_files(out, Path(tmp))
    if "search" in plan.parts:
        progress(f"search over {bench_search.MESSAGES:,} messages: local, then relays...")
        try:
            out.search.rows = await asyncio.to_thread(bench_search.run)
        except (OSError, RuntimeError, ValueError) as exc:
            progress(f"search benchmark failed: {type(exc).__name__}: {exc}")
            out.search.rows = [("Search", f"**failed**: {type(exc).__name__}: {exc}", "-")]
    out.load_after = load_average()
    out.wall_s = time.monotonic() - started
    return out


# ------------------------------------------------------------------------------ reporting

TABLE_HEADER = ("Measure", "Result", "Target")


def hub_rows(res: bench_hub.Results) -> list[Row]:
    """``bench_hub``'s rows that carry a goal, for the summary."""
    rows = [bench_hub.startup_row(res.startup_s)]
    rows += [bench_hub.fanout_row(f, with_goal=f is res.fanouts[-1]) for f in res.fanouts]
    rows += bench_hub.sustained_rows(res.sustained)
    return [(r[0] if r[0].startswith("Hub") else f"Hub: {r[0]}", r[1], r[2]) for r in rows]


def summary_rows(out: Outcome) -> list[Row]:
    """Every figure that has a target, from all parts."""
    rows = hub_rows(out.hub) if out.hub is not None else []
    rows += out.client.rows + out.window.rows + out.files.rows + out.search.rows
    rows += bench_relays.rows(out.relays) if out.relays is not None else []
    minutes = out.wall_s / 60
    rows.append(
        (
            "The whole benchmark command" + (" (`--quick`)" if out.plan.quick else ""),
            f"{minutes:.1f} minutes",
            f"< {GOAL_RUN_MINUTES:.0f} minutes: {bench_hub.goal(minutes < GOAL_RUN_MINUTES)}",
        )
    )
    return [r for r in rows if r[2] != "-"]


def report(out: Outcome) -> str:
    """What the terminal gets: the summary, then each part's full table."""
    parts = ["Targets", "", markdown_table(TABLE_HEADER, summary_rows(out)), ""]
    for section in (out.client, out.window, out.files, out.search):
        if not section.rows:  # not run (--only)
            continue
        parts += [section.title, "", markdown_table(TABLE_HEADER, section.rows), ""]
        if section.cpu_table:
            parts += [section.cpu_table, ""]
    if out.hub is not None:
        parts += ["Hub", "", bench_hub.report(out.hub), ""]
    elif out.hub_error:
        parts += [f"Hub benchmark failed: {out.hub_error}", ""]
    if out.relays is not None:
        parts += ["Relays", "", markdown_table(TABLE_HEADER, bench_relays.rows(out.relays)), ""]
    elif out.relays_error:
        parts += [f"Relay benchmark failed: {out.relays_error}", ""]
    parts.append(f"Whole run: {out.wall_s:.0f} s")
    return "\n".join(parts)


def hub_section(res: bench_hub.Results) -> list[str]:
    """``bench_hub``'s own page from its Setup on, its headings one level down."""
    page = bench_hub.docs_page(res, bench_hub.results_table(res))
    body = page[page.index("## Setup") :]
    return [
        f"#{line}" if line.startswith("##") else line
        for line in body.replace("## Results", "## Hub results").splitlines()
    ]


def docs_page(out: Outcome) -> str:
    """``docs/benchmarks.md``: when, where, how, every figure with its target, how to read."""
    plan = out.plan
    minutes = f"{out.wall_s / 60:.1f} minutes"
    page = [
        "# Benchmarks",
        "",
        "Generated by `tests/benchmarks/run.py --write-docs`; rerun it to refresh this page. "
        "The targets are goals shown next to the figures, never pass/fail tests, and the "
        "benchmarks are not part of the test suite.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        *bench_hub.machine_description(out.load_before),
        f"- PySide6 {PySide6.__version__} (Qt {qVersion()}), `QT_QPA_PLATFORM=offscreen` "
        "on a 1920x1080 screen",
        f"- Load average after the run: {out.load_after}",
        f"- The whole run took {minutes}{' (`--quick`: shorter phases)' if plan.quick else ''}.",
        "",
        "Command (from the repository root):",
        "",
        f"    {bench_hub.exact_command()}",
        "",
        "**Everything runs on this one machine, over 127.0.0.1: the load generator (this "
        "script's process and its children) shares the cores with the hub and with the app "
        "it measures.** On a 2-core machine that is part of every figure; the CPU tables say "
        "who was busy. Other work on the machine (test suites run meanwhile) adds noise; "
        "compare the load averages above, and the *Others* column of the CPU tables.",
        "",
        "## Targets",
        "",
        markdown_table(TABLE_HEADER, summary_rows(out)),
        "",
        *client_section(out),
        *window_section(out),
        *relays_section(out),
        *search_section(out),
    ]
    if out.hub is not None:
        page += ["## Hub", "", *hub_section(out.hub)]
    elif out.hub_error:
        page += ["## Hub", "", f"The hub benchmark failed: {out.hub_error}", ""]
    return "\n".join(page).rstrip("\n") + "\n"


def client_section(out: Outcome) -> list[str]:
    """The client path's setup, table and phase CPU."""
    plan = out.plan
    return [
        "## Client path",
        "",
        "Against one hub process (`python -m desktopchat serve --port 0`), relay included.",
        "",
        f"- **Send → visible**: {plan.visible_messages:,} messages, one at a time (after "
        f"{bench_client.VISIBLE_WARMUP} not counted), each sent with `RelayClient.send` "
        f"{bench_client.VISIBLE_GAP_S * 1000:.0f} ms after the previous one arrived (back to "
        "back, each would land within one frame of the last and measure the model's "
        "16 ms frame batching instead; the absorbing runs below measure that) "
        "(HTTP through the relay, which stores it and triggers it into the hub) and timed "
        "until it is in the other client's `MessageListModel`: a real `ChatSession` under a "
        "`QApplication` in a second process. Both processes stamp `time.monotonic_ns` "
        "(CLOCK_MONOTONIC, one clock for the machine). The breakdown stamps come from "
        "wrapping pysher's channel handler and the local database's `store` in that process "
        "(benchmark instrumentation, not product code). The *floor* is the same run's bare "
        "WebSocket echo round trip between two processes (a tiny aiohttp server and client).",
        f"- **Sustained**: {plan.relay_senders} senders, each its own account, POST "
        f"`/api/rooms/general/messages` back to back for {plan.relay_seconds:.0f} s; "
        f"{plan.relay_listeners} raw WebSocket listeners, subscribed to `private-room-general` "
        "with the relay's `/api/pusher/auth`, count every message; a loss is a message "
        "answered 201 that a listener never got.",
        f"- **Idle**: {plan.idle_clients} clients with their own accounts, first connected and "
        f"subscribed (nothing sent) for {plan.idle_seconds:.0f} s, then polling "
        f"`GET /api/rooms/general/messages?after=ID` once a second each (spread over the "
        f"second, keep-alive) for {plan.idle_seconds:.0f} s. Hub CPU from "
        "`/proc/PID/task/*/schedstat` (ns) and `/proc/PID/stat` (10 ms ticks); requests "
        "counted by the clients.",
        "",
        markdown_table(TABLE_HEADER, out.client.rows),
        "",
        "CPU per phase (100 % is one core busy for the whole phase; the receiver and echo "
        "processes count under *Others*):",
        "",
        out.client.cpu_table or "(no phase completed)",
        "",
    ]


def relays_section(out: Outcome) -> list[str]:
    """``bench_relays``' section, or what stopped it."""
    if out.relays is not None:
        return bench_relays.section(
            out.relays,
            out.plan.relay_seconds_each,
            when=f"{out.relays_at:%Y-%m-%d %H:%M} UTC" if out.relays_at else "",
            load=f"{out.relays_load[0]} / {out.relays_load[1]}" if out.relays_load else "",
        )
    if out.relays_error:
        return [bench_relays.SECTION_TITLE, "", f"The benchmark failed: {out.relays_error}", ""]
    return []


def search_section(out: Outcome) -> list[str]:
    """Search: the local index and the relay's endpoint over 100,000 messages."""
    if not out.search.rows:
        return []
    return [
        "## Search",
        "",
        (bench_search.__doc__ or "").split("\n\n", 1)[1].strip(),
        "",
        markdown_table(TABLE_HEADER, out.search.rows),
        "",
    ]


def leak_note() -> list[str]:
    """A word on the workaround, when this run's Qt binding needed it."""
    if not singletons_leak():
        return []
    return [
        "- **This run's PySide6 loses references to `None` and `True`** (6.12.0 on Python "
        "3.11; `pyproject.toml` excludes it): the benchmark's own Qt children add references "
        "to them at start (`tests/benchmarks/common.py`, `pin_singletons`), or they would "
        "abort a few thousand rows into a layout; the app processes it starts get no help."
    ]


def window_section(out: Outcome) -> list[str]:
    """The window's setup and table."""
    plan = out.plan
    return [
        "## Window",
        "",
        f"- **Start-up**: `python -m desktopchat --server URL` against a hub whose `general` "
        f"room holds {WINDOW_HISTORY} messages, signed in with `DESKTOPCHAT_TOKEN`, with "
        "`DESKTOPCHAT_REPORT_FIRST_PAINT=1`: the app prints `first-paint SECONDS` on stderr "
        "after the first paint of its message list that shows the newest message, then "
        "quits (the hook is in `desktopchat/ui/app.py`). The figure is spawn → that line, "
        "seen by this script; the app's own count from its process start time is next to it. "
        f"{plan.cold_starts} cold starts (a fresh `DESKTOPCHAT_HOME` each: history from the "
        f"relay), then {plan.warm_starts} warm ones (one home reused: history from the local "
        "database first). Before each cold start, *the floor* starts a bare PySide6 window "
        "the same way (`tests/benchmarks/bare_window.py`: Python, PySide6 and a list of "
        "100 rows, nothing of the app): on this virtual machine the same start-up takes "
        "0.4 s in one hour and 0.7 s in the next, so the floor shows what the machine "
        "gives at that moment, and the difference is the app's own cost.",
        f"- **Idle**: the app connected (the hub's HTTP API shows its subscription) and "
        f"nothing happening for {plan.window_idle_seconds:.0f} s; its CPU from `/proc`.",
        "- **Absorbing**: the real `MainWindow` shown offscreen at "
        f"{window_child.WINDOW_SIZE[0]}x{window_child.WINDOW_SIZE[1]}, no session; for each "
        "run a fresh `MessageListModel` already holding some messages is set on its view "
        "(and left to lay out), then fed one `add([message])` per message, as the controller "
        f"does for each event, at the offered rate for {plan.absorb_seconds:.0f} s (flat out: "
        f"up to {window_child.ABSORB_CHUNK} per 1 ms tick). A 1 ms precise `QTimer` times "
        "the gaps between its ticks: the longest is the longest the GUI thread did not get "
        "back to its event loop (over 16 ms drops a 60 Hz frame); each gap is also read on "
        "the GUI thread's CPU clock (`time.thread_time`). The first run offers nothing: the "
        "probe's floor on this machine at that moment. Every 50 ms it checks whether the "
        "newest message is laid out inside the viewport. Before the runs, *The machine "
        "alone* repeats one fixed piece of pure-Python work in the same thread for as long "
        "as a run: every repetition is the same work, so the longest one is how far this "
        "machine alone stretches a burst of GUI work. On this virtual machine the thread's "
        "CPU clock is stretched too (the guest is not told of the time its host took), so "
        "a long gap's CPU figure does not prove it was the app's own work.",
        f"- **{plan.load_messages:,} messages**: the same window; all of them into one "
        "model at once, shown in its view; RSS (`VmRSS`) once every row has been laid out. "
        "The made-up messages have 8 authors taking turns, some markup and links. These "
        "children (`tests/benchmarks/window_child.py`) import only the app, not the load "
        "generator's modules (aiohttp alone is ~24 MiB of RSS). No session is open: a "
        "connected app also holds requests, pysher and the keyring (the *Idle* row's RSS).",
        *leak_note(),
        "",
        markdown_table(TABLE_HEADER, out.window.rows),
        "",
    ]


# ------------------------------------------------------------------------------ entry point


PARTS = ("hub", "client", "window", "relays", "files", "search")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``--write-docs``, ``--quick``, ``--bundle``."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--write-docs", action="store_true", help=f"(re)write {DOCS_PATH}")
    p.add_argument("--quick", action="store_true", help="shorter phases (a smoke run)")
    p.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE, help="the frozen app's directory")
    p.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        help="run only this part (repeatable); with --write-docs only 'relays', whose "
        "section of the page is then replaced in place",
    )
    args = p.parse_args(argv)
    if args.write_docs and args.only and set(args.only) != {"relays"}:
        p.error("--write-docs with --only: only '--only relays' can update its section alone")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run everything, print the tables, and write the docs page if asked."""
    args = parse_args(argv)
    plan = Plan.make(args.quick, args.bundle.resolve())
    plan = replace(
        plan,
        parts=tuple(args.only or PARTS),
        relay_seconds_each=3.0 if args.quick else plan.relay_seconds_each,
    )
    try:
        out = asyncio.run(run(plan))
    except (KeyboardInterrupt, asyncio.CancelledError):
        progress("interrupted; children and hubs stopped")
        return 130
    print(report(out))
    progress(f"done in {out.wall_s:.0f} s")
    if args.write_docs and args.only:  # only the relays' section, the rest as it was
        page = DOCS_PATH.read_text(encoding="utf-8") if DOCS_PATH.exists() else "# Benchmarks\n"
        DOCS_PATH.write_text(
            bench_relays.replace_section(page, relays_section(out)), encoding="utf-8"
        )
        progress(f"updated {bench_relays.SECTION_TITLE!r} in {DOCS_PATH}")
    elif args.write_docs:
        DOCS_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOCS_PATH.write_text(docs_page(out), encoding="utf-8")
        progress(f"wrote {DOCS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
