"""Benchmark of the embedded hub in its own process: start-up, connections, fan-out, throughput.

This is a measuring script, not a test: the goals (hub ready in under a second, an event
fanned out to 1,000 sockets within 50 ms) are printed next to the figures and never asserted.
The hub runs as ``python -m desktopchat serve --port 0``, exactly as the app starts it, so
the load generator (this process) shares neither an event loop nor a GIL with it. On a
small machine the two still share the CPU cores; the per-phase CPU table shows who was busy.

Run from the repository root, with any interpreter that has the project installed::

    .venv/bin/python tests/benchmarks/bench_hub.py               # print the tables
    .venv/bin/python tests/benchmarks/bench_hub.py --write-docs  # also write docs/benchmarks.md

Everything stays on 127.0.0.1, every loop and wait is bounded, and the sockets and the hub
(SIGTERM, then wait) are cleaned up even when a phase fails. Progress goes to stderr, the
tables to stdout. Linux only: hub memory, CPU and file descriptors are read from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import re
import resource
import shlex
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar

import aiohttp

from desktopchat.commands.serve import ENV_APP_ID, ENV_APP_KEY, ENV_APP_SECRET
from desktopchat.paths import HOME_ENV
from desktopchat.server import signing
from desktopchat.server.credentials import AppCredentials, generate
from tests.benchmarks.lean import BenchError, pct

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS_PATH = REPO_ROOT / "docs" / "benchmarks.md"
HOST = "127.0.0.1"

#: The goals this benchmark reports against (never asserted).
GOAL_READY_S = 1.0
GOAL_FANOUT_MS = 50.0

#: Upper bounds on every wait, so a stuck hub costs seconds, not the whole run.
READY_TIMEOUT_S = 15.0
OPEN_TIMEOUT_S = 10.0
REPLY_TIMEOUT_S = 10.0
DRAIN_TIMEOUT_S = 15.0
CLOSE_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0

#: Fan-out runs not counted, to warm the HTTP keep-alive connection and the hub's code paths.
FANOUT_WARMUP = 3
#: Pause between fan-out runs so each one starts with idle sockets on both sides.
FANOUT_PAUSE_S = 0.02
#: Incomplete fan-out runs (an event missing somewhere after REPLY_TIMEOUT_S) before giving up.
MAX_INCOMPLETE_RUNS = 3
#: Share of the machine's CPU taken by other processes above which the figures get a warning.
CONTENDED_SHARE = 0.25
#: A chat-message-sized payload (~200 bytes), as the app's relay would trigger it.
SUSTAINED_PAYLOAD = json.dumps(
    {"id": "0" * 32, "author": "bench", "text": "lorem ipsum dolor sit amet " * 4, "ts": 0}
)

READY_LINE = re.compile(
    r"^desktopchat hub listening on ws://(?P<host>[^:\s]+):(?P<port>\d+)"
    r" app_id=(?P<app_id>\d+) key=(?P<key>\S+)$"
)
SUBSCRIBED = "pusher_internal:subscription_succeeded"
ESTABLISHED = "pusher:connection_established"
PING = "pusher:ping"
PONG_FRAME = json.dumps({"event": "pusher:pong", "data": {}})
JSON_HEADERS = {"Content-Type": "application/json"}


_STARTED = time.perf_counter()


def progress(message: str) -> None:
    """Progress on stderr, so stdout holds only the result tables."""
    print(f"[bench {time.perf_counter() - _STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the hub process


@dataclass
class HubProcess:
    """The hub subprocess, and what /proc tells about it (Linux only)."""

    proc: asyncio.subprocess.Process
    port: int
    spawned_at: float
    ready_after_s: float
    stderr_path: Path
    drain: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        """The hub's process id."""
        return self.proc.pid

    @property
    def http_url(self) -> str:
        """Base URL of the HTTP API (same port as the WebSocket endpoint)."""
        return f"http://{HOST}:{self.port}"

    def cpu_seconds(self) -> float:
        """CPU time the hub's threads have used so far.

        From ``/proc/PID/task/*/schedstat`` (nanoseconds), because ``/proc/PID/stat`` counts
        in 10 ms ticks, too coarse for phases that last a fraction of a second.
        """
        total_ns = 0
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            with contextlib.suppress(OSError):  # a thread may end between listing and reading
                total_ns += int((task / "schedstat").read_text().split()[0])
        return total_ns / 1e9

    def status_kib(self, key: str) -> int:
        """A ``/proc/PID/status`` memory line such as ``VmRSS`` or ``VmHWM``, in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
        raise BenchError(f"no {key} in /proc/{self.pid}/status")

    def open_fds(self) -> int:
        """File descriptors the hub holds: one per connection plus a handful of its own."""
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def nofile_limit(self) -> int:
        """The hub's soft limit on open files, which caps its connections."""
        return resource.prlimit(self.pid, resource.RLIMIT_NOFILE)[0]

    def stderr_text(self) -> str:
        """What the hub logged so far (kept in a file so a full pipe can never block it)."""
        return self.stderr_path.read_text(errors="replace")


def hub_environment(creds: AppCredentials, home: Path) -> dict[str, str]:
    """The hub's environment: a throw-away home and credentials we know, secret off argv."""
    return {
        **os.environ,
        HOME_ENV: str(home),
        ENV_APP_ID: creds.app_id,
        ENV_APP_KEY: creds.key,
        ENV_APP_SECRET: creds.secret,
    }


async def spawn_hub(creds: AppCredentials, home: Path, name: str) -> HubProcess:
    """Start the hub and wait for its ready line; the time to it is the start-up figure."""
    stderr_path = home / f"{name}.stderr"
    with stderr_path.open("wb") as stderr:
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "desktopchat",
            "serve",
            "--host",
            HOST,
            "--port",
            "0",
            env=hub_environment(creds, home),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
    hub = HubProcess(proc, 0, started, 0.0, stderr_path)
    try:
        line = await read_ready_line(proc)
    except BaseException:
        await stop_hub(hub)
        raise
    hub.ready_after_s = time.perf_counter() - started
    match = READY_LINE.match(line)
    if match is None or match["key"] != creds.key or match["app_id"] != creds.app_id:
        await stop_hub(hub)
        raise BenchError(f"unexpected ready line {line!r}")
    hub.port = int(match["port"])
    hub.drain = asyncio.create_task(discard(proc.stdout))
    return hub


async def read_ready_line(proc: asyncio.subprocess.Process) -> str:
    """The first stdout line, or an error if the hub exits or stays silent too long."""
    assert proc.stdout is not None
    try:
        raw = await asyncio.wait_for(proc.stdout.readline(), READY_TIMEOUT_S)
    except TimeoutError:
        raise BenchError(f"hub printed no ready line within {READY_TIMEOUT_S:.0f} s") from None
    if not raw:
        raise BenchError(f"hub exited before it was ready (code {await proc.wait()})")
    return raw.decode().rstrip("\n")


async def discard(stream: asyncio.StreamReader | None) -> None:
    """Read the hub's stdout to the end, so that extra output can never fill the pipe."""
    while stream is not None and await stream.read(65536):
        pass


async def stop_hub(hub: HubProcess) -> int:
    """SIGTERM (the hub then says 4100 goodbye to clients), wait, and kill only if stuck."""
    proc = hub.proc
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            progress(f"hub {proc.pid} ignored SIGTERM for {STOP_TIMEOUT_S:.0f} s; killing it")
            proc.kill()
            await proc.wait()
    if hub.drain is not None:
        hub.drain.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await hub.drain
    assert proc.returncode is not None
    return proc.returncode


@contextlib.asynccontextmanager
async def running_hub(
    creds: AppCredentials, home: Path, nofile: int | None
) -> AsyncIterator[HubProcess]:
    """The hub for the load phases, stopped on the way out whatever happened."""
    hub = await spawn_hub(creds, home, "hub")
    try:
        if nofile is not None:
            # Applied from outside, so the benchmark can mimic a desktop's default limit.
            hard = resource.prlimit(hub.pid, resource.RLIMIT_NOFILE)[1]
            resource.prlimit(hub.pid, resource.RLIMIT_NOFILE, (nofile, hard))
        yield hub
    finally:
        code = await stop_hub(hub)
        if code != 0:
            progress(f"hub exited with code {code}")


async def measure_startup(creds: AppCredentials, home: Path, starts: int) -> list[float]:
    """Seconds from spawning the hub to its ready line, for ``starts`` fresh processes.

    All starts share one home: the first one writes the credentials file (with fsync), the
    others read it, as the app does on every launch after the first.
    """
    times: list[float] = []
    for n in range(starts):
        hub = await spawn_hub(creds, home, f"startup-{n}")
        times.append(hub.ready_after_s)
        await stop_hub(hub)
    return times


# ------------------------------------------------------------------------- the HTTP API side


def signed_params(creds: AppCredentials, method: str, path: str, body: bytes) -> dict[str, str]:
    """Query parameters of a signed HTTP API request, as pusher-http-python builds them."""
    params = {
        "auth_key": creds.key,
        "auth_timestamp": str(int(time.time())),
        "auth_version": "1.0",
        "body_md5": signing.body_md5(body),
    }
    params["auth_signature"] = signing.request_signature(creds.secret, method, path, params)
    return params


@dataclass(frozen=True)
class Trigger:
    """Triggers events through the hub's signed HTTP API on a keep-alive session."""

    session: aiohttp.ClientSession
    base_url: str
    creds: AppCredentials

    async def __call__(self, channel: str, name: str, data: str) -> int:
        """POST one event to ``channel``; return the HTTP status."""
        path = f"/apps/{self.creds.app_id}/events"
        body = json.dumps({"name": name, "channel": channel, "data": data}).encode()
        params = signed_params(self.creds, "POST", path, body)
        async with self.session.post(
            self.base_url + path, params=params, data=body, headers=JSON_HEADERS
        ) as response:
            await response.read()
            return response.status


async def try_trigger(trigger: Trigger, channel: str, name: str, data: str) -> tuple[int, str]:
    """``(status, what went wrong)``; status 0 when no HTTP answer came (refused, timed out)."""
    try:
        status = await trigger(channel, name, data)
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return 0, f"{type(exc).__name__}: {exc}"
    return status, "" if status == 200 else f"HTTP {status}"


# ------------------------------------------------------------------------- the socket side


class EventSink(Protocol):
    """Whatever measures one channel: told of each event a socket received on it."""

    def __call__(self, index: int, data: object) -> None:
        """Socket number ``index`` received an event whose (string) data is ``data``."""


@dataclass(eq=False)
class BenchSocket:
    """One client WebSocket with its reader task, which routes events to the channel's sink.

    A reader per socket is what a real client does; it also means the load generator pays
    the per-message Python cost the hub's fan-out figures include.
    """

    index: int
    ws: aiohttp.ClientWebSocketResponse
    socket_id: str
    sinks: dict[str, EventSink]
    pending: dict[str, asyncio.Future[None]] = field(default_factory=dict)
    errors: list[object] = field(default_factory=list)
    closed_with: int | None = None
    reader: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start reading; from now on only the reader calls ``receive``."""
        self.reader = asyncio.create_task(self._read_forever())

    async def subscribe(self, channel: str) -> None:
        """Subscribe to a public channel and wait for ``subscription_succeeded``."""
        done = self.pending[channel] = asyncio.get_running_loop().create_future()
        await self.ws.send_str(
            json.dumps({"event": "pusher:subscribe", "data": {"channel": channel}})
        )
        await asyncio.wait_for(done, REPLY_TIMEOUT_S)

    async def _read_forever(self) -> None:
        with contextlib.suppress(aiohttp.ClientError, ConnectionError):
            async for msg in self.ws:
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                if frame.get("event") == PING:
                    # Answer like a real client, or the hub drops an idle socket (4201).
                    await self.ws.send_str(PONG_FRAME)
                else:
                    self._dispatch(frame)
        self.closed_with = self.ws.close_code or 1006

    def _dispatch(self, frame: dict[str, object]) -> None:
        event, channel = frame.get("event"), frame.get("channel")
        if event == SUBSCRIBED and isinstance(channel, str):
            waiter = self.pending.pop(channel, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        elif isinstance(channel, str) and channel in self.sinks:
            self.sinks[channel](self.index, frame.get("data"))
        elif event == "pusher:error":
            self.errors.append(frame.get("data"))


def established_socket_id(msg: aiohttp.WSMessage) -> str:
    """The socket id from the hub's first frame, ``pusher:connection_established``."""
    if msg.type is not aiohttp.WSMsgType.TEXT:
        raise BenchError(f"expected {ESTABLISHED}, got a {msg.type.name} message")
    frame = json.loads(msg.data)
    if frame.get("event") != ESTABLISHED:
        raise BenchError(f"expected {ESTABLISHED}, got {str(msg.data)[:120]}")
    return str(json.loads(frame["data"])["socket_id"])


class SocketPool:
    """Every client WebSocket of the run, on one session, closed together at the end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sinks: dict[str, EventSink] = {}
        self.sockets: list[BenchSocket] = []
        self._all_ws: list[aiohttp.ClientWebSocketResponse] = []
        # limit=0: a WebSocket holds its connection, and the default limit is 100.
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def open(self) -> BenchSocket:
        """Connect one socket and wait for its greeting; it counts as set up from then on."""
        async with asyncio.timeout(OPEN_TIMEOUT_S):
            ws = await self._session.ws_connect(self.url, autoping=True)
            self._all_ws.append(ws)
            socket_id = established_socket_id(await ws.receive())
        sock = BenchSocket(len(self.sockets), ws, socket_id, self.sinks)
        self.sockets.append(sock)
        sock.start()
        return sock

    async def close(self) -> None:
        """Stop the readers, close every socket (bounded), then the session."""
        readers = [s.reader for s in self.sockets if s.reader is not None]
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        closes = [ws.close() for ws in self._all_ws if not ws.closed]
        if closes:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.gather(*closes, return_exceptions=True), CLOSE_TIMEOUT_S
                )
        await self._session.close()


# ------------------------------------------------------------------------------ the phases


def machine_busy_seconds() -> float:
    """CPU time used on the whole machine so far, all cores, hypervisor steal included.

    The machine may be shared: what neither the hub nor the load generator used during a
    phase was taken by someone else, and explains a slow run better than guessing.
    """
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuSnapshot:
    """Clocks read together at the start and at the end of a phase."""

    wall: float
    hub: float
    loadgen: float
    machine: float

    @classmethod
    def take(cls, hub: HubProcess) -> CpuSnapshot:
        """Read every clock now."""
        return cls(
            time.perf_counter(), hub.cpu_seconds(), time.process_time(), machine_busy_seconds()
        )


@dataclass(frozen=True)
class PhaseCpu:
    """Wall time of one phase and the CPU time each process (and everyone else) used in it."""

    name: str
    wall_s: float
    hub_cpu_s: float
    loadgen_cpu_s: float
    other_cpu_s: float

    @classmethod
    def between(cls, name: str, start: CpuSnapshot, end: CpuSnapshot) -> PhaseCpu:
        """The costs of the phase that ran from ``start`` to ``end``."""
        hub, loadgen = end.hub - start.hub, end.loadgen - start.loadgen
        # /proc/stat counts in 10 ms ticks, so short phases can come out slightly negative.
        other = max(0.0, end.machine - start.machine - hub - loadgen)
        return cls(name, end.wall - start.wall, hub, loadgen, other)


class PhaseClock:
    """Records wall and CPU time around each phase."""

    def __init__(self, hub: HubProcess) -> None:
        self.hub = hub
        self.phases: list[PhaseCpu] = []

    async def measure(self, name: str, work: Awaitable[T]) -> T:
        """Await ``work`` and record what it cost."""
        progress(f"{name}...")
        start = CpuSnapshot.take(self.hub)
        try:
            return await work
        finally:
            self.phases.append(PhaseCpu.between(name, start, CpuSnapshot.take(self.hub)))


@dataclass
class ConnectResult:
    """Connection set-up: how many, how fast, and the first failure if any."""

    wall_s: float
    latencies_s: list[float]
    failures: int
    first_failure: str = ""

    @property
    def per_second(self) -> float:
        """Connections established per second of wall time."""
        return len(self.latencies_s) / self.wall_s if self.wall_s else 0.0


async def measure_connections(pool: SocketPool, count: int, concurrency: int) -> ConnectResult:
    """Open ``count`` sockets, at most ``concurrency`` handshakes in flight."""
    gate = asyncio.Semaphore(concurrency)
    result = ConnectResult(0.0, [], 0)

    async def one() -> None:
        async with gate:
            started = time.perf_counter()
            try:
                await pool.open()
            except (aiohttp.ClientError, OSError, TimeoutError, BenchError) as exc:
                result.failures += 1
                result.first_failure = result.first_failure or f"{type(exc).__name__}: {exc}"
            else:
                result.latencies_s.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    result.wall_s = time.perf_counter() - started
    return result


@dataclass
class Subscription:
    """The sockets subscribed to one channel, how long that took, and how many failed."""

    channel: str
    sockets: list[BenchSocket] = field(default_factory=list)
    seconds: float = 0.0
    failures: int = 0


async def subscribe_all(
    sockets: Sequence[BenchSocket], channel: str, concurrency: int
) -> Subscription:
    """Subscribe every socket to ``channel``; a socket the hub closed counts as a failure."""
    gate = asyncio.Semaphore(concurrency)
    sub = Subscription(channel)

    async def one(sock: BenchSocket) -> None:
        async with gate:
            try:
                await sock.subscribe(channel)
            except (aiohttp.ClientError, ConnectionError, RuntimeError, TimeoutError):
                sub.failures += 1
            else:
                sub.sockets.append(sock)

    started = time.perf_counter()
    await asyncio.gather(*(one(s) for s in sockets))
    sub.seconds = time.perf_counter() - started
    return sub


@dataclass
class Countdown:
    """Waits for one fan-out: done when ``remaining`` sockets received ``expected``."""

    expected: str
    remaining: int
    done: asyncio.Future[float]
    first_at: float = 0.0

    def __call__(self, index: int, data: object) -> None:
        """Count a socket that got this run's event; stamp the first and the last."""
        if data != self.expected or self.done.done():
            return
        now = time.perf_counter()
        self.first_at = self.first_at or now
        self.remaining -= 1
        if self.remaining == 0:
            self.done.set_result(now)


@dataclass
class FanoutResult:
    """Per run, in ms from sending the HTTP request: last socket, first socket, HTTP reply."""

    subscribers: int
    last_ms: list[float] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)
    reply_ms: list[float] = field(default_factory=list)
    incomplete: int = 0
    missed: int = 0
    bad_status: int = 0
    #: Triggers sent, warm-up runs included, and the hub's CPU per trigger (HTTP and deliveries).
    triggers: int = 0
    hub_cpu_ms: float = math.nan

    @property
    def runs(self) -> int:
        """Counted runs, complete or not."""
        return len(self.last_ms) + self.incomplete

    def record(self, status: int, countdown: Countdown, *, sent: float, replied: float) -> None:
        """Add one counted run; an incomplete run (timed out) is counted, not timed."""
        if status != 200:
            self.bad_status += 1
        if not countdown.done.done():
            self.incomplete += 1
            self.missed += countdown.remaining
            return
        self.last_ms.append((countdown.done.result() - sent) * 1000)
        self.first_ms.append((countdown.first_at - sent) * 1000)
        self.reply_ms.append((replied - sent) * 1000)


async def measure_fanout(
    pool: SocketPool, trigger: Trigger, sub: Subscription, runs: int
) -> FanoutResult:
    """Time HTTP triggers until the last subscribed socket has the event.

    Gives up after a few incomplete runs, so a hub that drops events costs seconds.
    """
    result = FanoutResult(len(sub.sockets))
    loop = asyncio.get_running_loop()
    for run in range(FANOUT_WARMUP + runs):
        countdown = Countdown(f"fanout-{run}", len(sub.sockets), loop.create_future())
        pool.sinks[sub.channel] = countdown
        sent = time.perf_counter()
        status, _ = await try_trigger(trigger, sub.channel, "bench-fanout", countdown.expected)
        replied = time.perf_counter()
        result.triggers += 1
        if status == 200:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(countdown.done), REPLY_TIMEOUT_S)
        # A warm-up run is not timed, but one that failed counts: a failure is a finding.
        if run >= FANOUT_WARMUP or not countdown.done.done():
            result.record(status, countdown, sent=sent, replied=replied)
        if result.incomplete >= MAX_INCOMPLETE_RUNS:
            break
        await asyncio.sleep(FANOUT_PAUSE_S)
    del pool.sinks[sub.channel]
    return result


@dataclass
class Tally:
    """Counts sustained-phase deliveries per listening socket."""

    counts: dict[int, int]
    total: int = 0
    last_at: float = 0.0

    def __call__(self, index: int, data: object) -> None:
        """One more event for socket ``index``."""
        self.counts[index] += 1
        self.total += 1
        self.last_at = time.perf_counter()


@dataclass
class SustainedResult:
    """Triggers accepted by the HTTP API and what the listeners got of them."""

    senders: int
    listeners: int
    send_s: float = 0.0
    accepted: int = 0
    rejected: int = 0
    first_error: str = ""
    delivered: int = 0
    deliver_s: float = 0.0
    drain_ms: float = 0.0
    lost: int = 0
    duplicated: int = 0
    disconnected: int = 0

    def settle(self, tally: Tally, sub: Subscription, *, started: float, stopped: float) -> None:
        """Work out rates and losses once the senders stopped and the listeners drained."""
        self.send_s = stopped - started
        self.delivered = tally.total
        self.deliver_s = max(tally.last_at, stopped) - started
        self.drain_ms = max(0.0, tally.last_at - stopped) * 1000
        self.lost = sum(max(0, self.accepted - n) for n in tally.counts.values())
        self.duplicated = sum(max(0, n - self.accepted) for n in tally.counts.values())
        self.disconnected = sum(1 for s in sub.sockets if s.closed_with is not None)


async def send_until(trigger: Trigger, channel: str, deadline: float, out: SustainedResult) -> None:
    """One sender: trigger back to back until ``deadline``, counting accepted and rejected."""
    while time.perf_counter() < deadline:
        status, error = await try_trigger(trigger, channel, "bench-sustained", SUSTAINED_PAYLOAD)
        if status == 200:
            out.accepted += 1
        else:
            out.rejected += 1
            out.first_error = out.first_error or error


async def measure_sustained(
    pool: SocketPool, trigger: Trigger, channel: str, options: Options
) -> SustainedResult:
    """Senders trigger flat out for a while; then wait (bounded) for listeners to catch up."""
    sub = await subscribe_all(pool.sockets[: options.listeners], channel, options.concurrency)
    out = SustainedResult(options.senders, len(sub.sockets))
    tally = Tally(dict.fromkeys((s.index for s in sub.sockets), 0))
    pool.sinks[channel] = tally
    started = time.perf_counter()
    deadline = started + options.sustain_s
    await asyncio.gather(
        *(send_until(trigger, channel, deadline, out) for _ in range(options.senders))
    )
    stopped = time.perf_counter()
    expected = out.accepted * len(sub.sockets)
    while tally.total < expected and time.perf_counter() - stopped < DRAIN_TIMEOUT_S:
        if all(s.closed_with is not None for s in sub.sockets):
            break
        await asyncio.sleep(0.05)
    del pool.sinks[channel]
    out.settle(tally, sub, started=started, stopped=stopped)
    return out


# ------------------------------------------------------------------------------ the run


@dataclass(frozen=True)
class Options:
    """What to run; the defaults are the documented benchmark."""

    starts: int
    connections: int
    concurrency: int
    fanout_runs: int
    small_fanout: int
    senders: int
    listeners: int
    sustain_s: float
    hub_nofile: int | None
    write_docs: bool


@dataclass
class Results:
    """Every figure of one run, for the tables."""

    options: Options
    startup_s: list[float]
    #: ``/proc/loadavg`` before anything started: a busy shared machine skews every figure.
    load_average: str
    phases: list[PhaseCpu] = field(default_factory=list)
    connect: ConnectResult | None = None
    subscription: Subscription | None = None
    fanouts: list[FanoutResult] = field(default_factory=list)
    sustained: SustainedResult | None = None
    rss_idle_kib: int = 0
    rss_loaded_kib: int = 0
    rss_peak_kib: int = 0
    fds_loaded: int = 0
    hub_nofile: int = 0
    hub_cpu_s: float = 0.0
    hub_alive_s: float = 0.0
    hub_log_problems: list[str] = field(default_factory=list)
    hub_log_lines: int = 0
    #: ``pusher:error`` data the sockets received (the hub closing slow readers, say).
    socket_errors: list[object] = field(default_factory=list)


def raise_own_nofile(needed: int) -> None:
    """Lift this process's soft open-files limit (not the hub's) to fit every client socket."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        new = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        progress(f"load generator open-files limit raised from {soft} to {new}")


async def load_phases(hub: HubProcess, creds: AppCredentials, res: Results) -> None:
    """Connections, subscriptions, memory, fan-outs and sustained load against one hub."""
    opts = res.options
    clock = PhaseClock(hub)
    res.phases = clock.phases
    res.hub_nofile = hub.nofile_limit()
    res.rss_idle_kib = hub.status_kib("VmRSS")
    pool = SocketPool(f"ws://{HOST}:{hub.port}/app/{creds.key}?protocol=7")
    connector = aiohttp.TCPConnector(limit=opts.senders)
    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT_S)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            trigger = Trigger(http, hub.http_url, creds)
            res.connect = await clock.measure(
                f"open {opts.connections} connections",
                measure_connections(pool, opts.connections, opts.concurrency),
            )
            await measure_loaded(clock, pool, trigger, res)
    finally:
        res.socket_errors = [e for sock in pool.sockets for e in sock.errors]
        await pool.close()


async def measure_loaded(
    clock: PhaseClock, pool: SocketPool, trigger: Trigger, res: Results
) -> None:
    """Everything that needs the connections open."""
    opts, hub = res.options, clock.hub
    res.subscription = everyone = await clock.measure(
        f"subscribe {len(pool.sockets)} sockets",
        subscribe_all(pool.sockets, "bench-fanout-all", opts.concurrency),
    )
    few = await subscribe_all(
        pool.sockets[: opts.small_fanout], "bench-fanout-few", opts.concurrency
    )
    res.rss_loaded_kib = hub.status_kib("VmRSS")
    res.fds_loaded = hub.open_fds()
    for sub in (few, everyone):
        fanout = await clock.measure(
            f"fan-out to {len(sub.sockets)}",
            measure_fanout(pool, trigger, sub, opts.fanout_runs),
        )
        fanout.hub_cpu_ms = clock.phases[-1].hub_cpu_s * 1000 / max(fanout.triggers, 1)
        res.fanouts.append(fanout)
    res.sustained = await clock.measure(
        f"sustained {opts.sustain_s:.0f} s",
        measure_sustained(pool, trigger, "bench-sustained", opts),
    )
    res.rss_peak_kib = hub.status_kib("VmHWM")


async def run(opts: Options) -> Results:
    """The whole benchmark: start-up runs, then the load phases against one more hub."""
    creds = generate()
    with tempfile.TemporaryDirectory(prefix="desktopchat-bench-") as tmp:
        home = Path(tmp)
        progress(f"hub start-up x{opts.starts}...")
        load_average = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        res = Results(opts, await measure_startup(creds, home, opts.starts), load_average)
        async with running_hub(creds, home, opts.hub_nofile) as hub:
            progress(f"hub pid {hub.pid} on port {hub.port}")
            # After the spawn, so the hub keeps the limit a user's session would give it.
            raise_own_nofile(opts.connections + 256)
            try:
                await load_phases(hub, creds, res)
            finally:
                res.hub_cpu_s = hub.cpu_seconds()
                res.hub_alive_s = time.perf_counter() - hub.spawned_at
        log = hub.stderr_text()
        res.hub_log_problems, res.hub_log_lines = log_problems(log), len(log.splitlines())
    return res


async def run_as_command(opts: Options) -> Results:
    """:func:`run`, with SIGTERM cancelling it like Ctrl-C, so the cleanup still happens.

    Only for this script's own command line: a caller that imports :func:`run` keeps its own
    signal handling.
    """
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    return await run(opts)


def log_problems(stderr: str) -> list[str]:
    """Distinct hub log lines worth a reader's attention (errors, tracebacks, fd exhaustion)."""
    markers = ("Too many open files", "Traceback", "ERROR", "Error", "out of system resource")
    lines = (line for line in stderr.splitlines() if any(m in line for m in markers))
    return list(dict.fromkeys(lines))[:10]


# ------------------------------------------------------------------------------ reporting


def goal(met: bool) -> str:
    """The verdict next to a figure."""
    return "met" if met else "**missed**"


def startup_row(times: Sequence[float]) -> tuple[str, str, str]:
    """Row: median spawn-to-ready time."""
    median = statistics.median(times)
    return (
        f"Hub start-up, spawn to ready line (median of {len(times)})",
        f"{median:.3f} s (min {min(times):.3f}, max {max(times):.3f})",
        f"< {GOAL_READY_S:.0f} s: {goal(median < GOAL_READY_S)}",
    )


def connect_rows(res: Results) -> list[tuple[str, str, str]]:
    """Rows: connection set-up rate and subscription rate."""
    c = res.connect
    if c is None:
        return []
    failed = f"; **{c.failures} failed** ({c.first_failure})" if c.failures else ""
    rows = [
        (
            f"Connections set up ({res.options.connections:,}, "
            f"{res.options.concurrency} in flight)",
            f"**{c.per_second:,.0f} conn/s** ({len(c.latencies_s):,} in {c.wall_s:.2f} s; "
            f"handshake p50 {pct(c.latencies_s, 50) * 1000:.1f} ms, "
            f"p90 {pct(c.latencies_s, 90) * 1000:.1f} ms){failed}",
            "-",
        )
    ]
    sub = res.subscription
    if sub is not None and sub.seconds:
        n = len(sub.sockets)
        failed = f"; **{sub.failures} failed**" if sub.failures else ""
        rows.append(
            (
                f"Subscriptions ({n:,} sockets to one public channel)",
                f"{n / sub.seconds:,.0f} subscriptions/s ({sub.seconds:.2f} s){failed}",
                "-",
            )
        )
    return rows


def fanout_row(f: FanoutResult, with_goal: bool) -> tuple[str, str, str]:
    """Row: HTTP trigger to the last subscriber, with first subscriber and HTTP reply."""
    problems = ""
    if f.incomplete or f.bad_status:
        problems = (
            f"; **{f.incomplete} incomplete ({f.missed} deliveries missing), "
            f"{f.bad_status} non-200**"
        )
    figure = (
        f"last socket p50 **{pct(f.last_ms, 50):.1f}** / p90 {pct(f.last_ms, 90):.1f} / "
        f"max {max(f.last_ms, default=math.nan):.1f} ms; first socket p50 "
        f"{pct(f.first_ms, 50):.1f} ms; HTTP reply p50 {pct(f.reply_ms, 50):.1f} ms; "
        f"hub CPU {f.hub_cpu_ms:.1f} ms/trigger{problems}"
    )
    target = "-"
    if with_goal:
        p50, p90 = pct(f.last_ms, 50), pct(f.last_ms, 90)
        target = (
            f"< {GOAL_FANOUT_MS:.0f} ms: p50 {goal(p50 < GOAL_FANOUT_MS)}, "
            f"p90 {goal(p90 < GOAL_FANOUT_MS and not f.incomplete)}"
        )
    label = f"Fan-out to {f.subscribers:,} sockets: HTTP send to last socket ({f.runs} runs)"
    return label, figure, target


def sustained_rows(s: SustainedResult | None) -> list[tuple[str, str, str]]:
    """Rows: triggers accepted per second, deliveries per second, losses."""
    if s is None:
        return []
    rejected = f"; **{s.rejected} rejected** ({s.first_error})" if s.rejected else ""
    broken = f"; **{s.disconnected} listeners disconnected**" if s.disconnected else ""
    losses = "every listener got every event" if not s.lost else f"**{s.lost:,} lost**"
    if not s.accepted:
        losses = "**no trigger was accepted**"
    if s.duplicated:
        losses += f"; **{s.duplicated:,} extra**"
    return [
        (
            f"Sustained triggers ({s.senders} HTTP senders, {s.send_s:.1f} s, one channel)",
            f"**{s.accepted / s.send_s:,.0f} triggers/s** accepted ({s.accepted:,}){rejected}",
            "-",
        ),
        (
            f"Sustained deliveries ({s.listeners} listeners)",
            f"**{s.delivered / s.deliver_s:,.0f} deliveries/s** ({s.delivered:,}); {losses}; "
            f"last delivery {s.drain_ms:.0f} ms after the senders stopped{broken}",
            "no losses: " + goal(s.accepted > 0 and not s.lost and not s.disconnected),
        ),
    ]


def socket_error_rows(errors: Sequence[object]) -> list[tuple[str, str, str]]:
    """Row, only if any: ``pusher:error`` frames, which a healthy run never gets."""
    if not errors:
        return []
    first = str(errors[0])[:100]
    return [("pusher:error frames the sockets received", f"**{len(errors):,}** ({first})", "-")]


def hub_rows(res: Results) -> list[tuple[str, str, str]]:
    """Rows: hub memory, file descriptors and CPU time."""
    n = len(res.connect.latencies_s) if res.connect else 0
    return [
        *socket_error_rows(res.socket_errors),
        (
            f"Hub RSS (VmRSS) with {n:,} connections open",
            f"**{res.rss_loaded_kib / 1024:.1f} MiB** (idle {res.rss_idle_kib / 1024:.1f} MiB; "
            f"{(res.rss_loaded_kib - res.rss_idle_kib) / max(n, 1):.1f} KiB per connection; "
            f"peak VmHWM {res.rss_peak_kib / 1024:.1f} MiB)",
            "-",
        ),
        (
            f"Hub open files with {n:,} connections",
            f"{res.fds_loaded:,} (hub soft limit RLIMIT_NOFILE {res.hub_nofile:,})",
            "-",
        ),
        (
            "Hub CPU time, whole load run",
            f"{res.hub_cpu_s:.2f} s in {res.hub_alive_s:.1f} s of wall time",
            "-",
        ),
    ]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A padded Markdown table, readable as plain text on a terminal too."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def results_table(res: Results) -> str:
    """The main table: each figure with its goal."""
    rows = [startup_row(res.startup_s), *connect_rows(res)]
    rows += [fanout_row(f, with_goal=f is res.fanouts[-1]) for f in res.fanouts]
    rows += sustained_rows(res.sustained) + hub_rows(res)
    return markdown_table(("Measure", "Result", "Goal"), rows)


def cpu_table(phases: Sequence[PhaseCpu]) -> str:
    """Per phase: wall time and the CPU each side used (100 % = one core busy throughout)."""

    def share(seconds: float, wall: float) -> str:
        return f"{seconds:.2f} ({seconds / wall:.0%})"

    rows = [
        (
            p.name,
            f"{p.wall_s:.2f}",
            share(p.hub_cpu_s, p.wall_s),
            share(p.loadgen_cpu_s, p.wall_s),
            share(p.other_cpu_s, p.wall_s),
        )
        for p in phases
        if p.wall_s > 0
    ]
    header = ("Phase", "Wall s", "Hub CPU s (%)", "Load generator CPU s (%)", "Others + steal (%)")
    return markdown_table(header, rows)


def contention_warning(phases: Sequence[PhaseCpu]) -> list[str]:
    """A warning when other processes took a large share of the machine during the phases."""
    wall = sum(p.wall_s for p in phases)
    if not wall:
        return []
    share = sum(p.other_cpu_s for p in phases) / (wall * (os.cpu_count() or 1))
    if share < CONTENDED_SHARE:
        return []
    return [
        f"**Warning: other processes took {share:.0%} of the machine's CPU during the load "
        "phases**, so these figures understate the hub; rerun on a quiet machine to compare.",
        "",
    ]


def report(res: Results) -> str:
    """Both tables and any hub log problems, as printed to stdout."""
    parts = [*contention_warning(res.phases), results_table(res), "", cpu_table(res.phases)]
    if res.hub_log_problems:
        parts += [
            "",
            f"Hub log (stderr, {res.hub_log_lines:,} lines in all) problems, first few:",
            *(f"    {p}" for p in res.hub_log_problems),
        ]
    return "\n".join(parts)


# ------------------------------------------------------------------------------ the docs page


def first_value(path: str, key: str, sep: str) -> str:
    """The value of the first ``key<sep>value`` line of a text file, or ``unknown``."""
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(sep)
            if name.strip() == key:
                return value.strip().strip('"')
    return "unknown"


def machine_description(load_average: str) -> list[str]:
    """CPU, cores, RAM, OS, Python, aiohttp and how busy the machine was, as bullet points."""
    mem_kib = first_value("/proc/meminfo", "MemTotal", ":").split()[0]
    ram = f"{int(mem_kib) / 1024**2:.1f} GiB" if mem_kib.isdigit() else "unknown"
    return [
        f"- CPU: {first_value('/proc/cpuinfo', 'model name', ':')}",
        f"- Cores: {os.cpu_count()} logical ({len(os.sched_getaffinity(0))} usable here)",
        f"- RAM: {ram}",
        f"- OS: {first_value('/etc/os-release', 'PRETTY_NAME', '=')}, Linux {platform.release()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"aiohttp {aiohttp.__version__}",
        f"- Load average before the run (1, 5, 15 min): {load_average}",
    ]


def exact_command() -> str:
    """The command line of this run, script path relative to the repository when possible."""
    script = Path(sys.argv[0]).resolve()
    with contextlib.suppress(ValueError):
        script = script.relative_to(REPO_ROOT)
    return shlex.join([sys.executable, str(script), *sys.argv[1:]])


def docs_page(res: Results, table: str) -> str:
    """``docs/benchmarks.md``: when, where, how, the figures and how to read them."""
    o = res.options
    return "\n".join(
        [
            "# Hub benchmarks",
            "",
            "Generated by `tests/benchmarks/bench_hub.py --write-docs`; rerun it to refresh "
            "this page. The goals are targets shown next to the figures, not pass/fail tests.",
            "",
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            *machine_description(res.load_average),
            "",
            "Command (from the repository root):",
            "",
            f"    {exact_command()}",
            "",
            "## Setup",
            "",
            "The hub runs as its own process, `python -m desktopchat serve --port 0`, with "
            "credentials in the environment. The load generator is one asyncio process using "
            f"aiohttp's clients: {o.connections:,} WebSockets ({o.concurrency} handshakes in "
            f"flight), a reader task per socket, and HTTP triggers signed like "
            "pusher-http-python's. Everything is on 127.0.0.1. **The load generator shares the "
            "machine's cores with the hub** (two processes, each one Python thread), so on a "
            "small machine the latency figures include the client's own cost of receiving "
            "every message; the CPU table below shows how busy each side was.",
            "",
            "- Start-up: spawn to the ready line, median of "
            f"{o.starts} starts (the first start writes the credentials file).",
            "- Fan-out: from sending one HTTP trigger until the last subscribed socket has "
            f"parsed the event; {o.fanout_runs} runs after {FANOUT_WARMUP} warm-up runs, "
            f"with all {o.connections:,} connections open. Hub CPU per trigger is the hub's "
            "CPU time over the phase divided by the triggers sent (warm-up included): the "
            "hub's own cost, whatever the load generator's.",
            f"- Sustained: {o.senders} HTTP senders trigger back to back for {o.sustain_s:.0f} s "
            f"onto one channel with {o.listeners} listeners (~{len(SUSTAINED_PAYLOAD)}-byte "
            "payload); losses are events accepted (HTTP 200) but missing at a listener.",
            "",
            "## Results",
            "",
            *contention_warning(res.phases),
            table,
            "",
            "## CPU per phase",
            "",
            "100 % is one core busy for the whole phase. *Others + steal* is what the rest of "
            "the machine (other processes, the hypervisor) took meanwhile: when it is high, "
            "the figures above are pessimistic.",
            "",
            cpu_table(res.phases),
            "",
            *log_section(res),
        ]
    )


def log_section(res: Results) -> list[str]:
    """The hub's logged errors, if it logged any, for the docs page."""
    if not res.hub_log_problems:
        return []
    return [
        "## Hub log problems",
        "",
        f"The hub wrote {res.hub_log_lines:,} lines to stderr; the distinct problem lines:",
        "",
        *(f"    {line}" for line in res.hub_log_problems),
        "",
    ]


# ------------------------------------------------------------------------------ entry point


def parse_args(argv: Sequence[str] | None = None) -> Options:
    """Command-line options; the defaults keep the run under ~2 minutes on 2 cores."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--write-docs", action="store_true", help=f"(re)write {DOCS_PATH}")
    p.add_argument("--starts", type=int, default=5, help="hub start-ups to time")
    p.add_argument("--connections", type=int, default=1000, help="WebSockets to open")
    p.add_argument("--concurrency", type=int, default=100, help="handshakes in flight")
    p.add_argument("--fanout-runs", type=int, default=30, help="timed fan-outs per size")
    p.add_argument("--small-fanout", type=int, default=100, help="sockets in the small fan-out")
    p.add_argument("--senders", type=int, default=10, help="concurrent HTTP senders")
    p.add_argument("--listeners", type=int, default=100, help="sockets on the sustained channel")
    p.add_argument("--sustain", type=float, default=10.0, help="seconds of sustained sending")
    p.add_argument(
        "--hub-nofile",
        type=int,
        help="set the hub's soft open-files limit (e.g. 1024, a common desktop default)",
    )
    a = p.parse_args(argv)
    return Options(
        starts=a.starts,
        connections=a.connections,
        concurrency=a.concurrency,
        fanout_runs=a.fanout_runs,
        small_fanout=min(a.small_fanout, a.connections),
        senders=a.senders,
        listeners=min(a.listeners, a.connections),
        sustain_s=a.sustain,
        hub_nofile=a.hub_nofile,
        write_docs=a.write_docs,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the tables, and write the docs page if asked."""
    opts = parse_args(argv)
    started = time.perf_counter()
    try:
        res = asyncio.run(run_as_command(opts))
    except (KeyboardInterrupt, asyncio.CancelledError):
        progress("interrupted; sockets closed and hub stopped")
        return 130
    text = report(res)
    print(text)
    progress(f"done in {time.perf_counter() - started:.0f} s")
    if opts.write_docs:
        DOCS_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOCS_PATH.write_text(docs_page(res, results_table(res)), encoding="utf-8")
        progress(f"wrote {DOCS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
