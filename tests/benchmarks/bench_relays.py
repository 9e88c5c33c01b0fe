"""Relays on SQLite and PostgreSQL, side by side: messages stored and announced per second.

Each configuration runs against one hub process (``desktopchat serve``, standing in for
Pusher Channels; its own relay unused) with ``desktopchat relay`` processes in front of it:

* one relay on SQLite (its data dir), as a single-machine deployment;
* one relay on PostgreSQL;
* two relays on one PostgreSQL database, the load split between them, as behind a load
  balancer;
* (no goal) one relay on PostgreSQL with ``synchronous_commit = on``: every commit waits for
  its WAL flush, where the runs above, like SQLite's WAL with ``synchronous=NORMAL``, do not.

Senders, each its own account, POST ``/api/rooms/general/messages`` back to back; sender
``i`` uses relay ``i mod N``. One raw WebSocket listener on the hub counts every message:
"stored and announced" is a 201 whose event the listener got. PostgreSQL is the test
suite's server (tests/postgres_server.py) with fsync on. Run alone::

    .venv/bin/python tests/benchmarks/bench_relays.py [--seconds 10]

or as part of ``run.py`` (``run.py --only relays --write-docs`` refreshes its section).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script, this file's directory is on sys.path but the repository root is not.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiohttp

from desktopchat.commands.database_options import ENV_PASSWORD
from desktopchat.server.credentials import AppCredentials, generate
from tests.benchmarks import bench_hub
from tests.benchmarks.bench_client import SUSTAINED_TEXT, subscribe_private
from tests.benchmarks.bench_hub import (
    HOST,
    HubProcess,
    SocketPool,
    Tally,
    goal,
    markdown_table,
    progress,
)
from tests.benchmarks.common import ROOM, ROOM_CHANNEL, Row, channel_auth, proc_sched_seconds
from tests.benchmarks.lean import BenchError
from tests.postgres_server import PostgresServer, bin_dir, start_server

#: Goals from the issue: two relays on PostgreSQL against one, and PostgreSQL against SQLite.
GOAL_SCALE = 1.6
GOAL_PG_VS_SQLITE = 2.0
#: Concurrent senders (each its own account) per configuration.
SENDERS = 16
#: Seconds of sends before the measured ones (pools, prepared statements, caches).
WARMUP_S = 1.0
PASSWORD = "benchmark password"  # throw-away accounts
#: The server's settings over the test suite's: durable files, commits not waiting on WAL.
SERVER_SETTINGS = {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "off"}


@dataclass(frozen=True)
class Config:
    """One side of the comparison."""

    label: str
    relays: int
    store: str  # "sqlite" or "postgres"
    synchronous_commit: bool = False


CONFIGS = (
    Config("One relay, SQLite", 1, "sqlite"),
    Config("One relay, PostgreSQL", 1, "postgres"),
    Config("Two relays, one PostgreSQL", 2, "postgres"),
    Config("One relay, PostgreSQL, synchronous_commit=on", 1, "postgres", True),
)


@dataclass
class RelayRun:
    """What one configuration did."""

    config: Config
    seconds: float = 0.0
    accepted: int = 0
    rejected: int = 0
    first_error: str = ""
    latencies_ms: list[float] = field(default_factory=list)
    delivered: int = 0
    relay_cpu_s: float = 0.0
    hub_cpu_s: float = 0.0
    postgres_cpu_s: float = 0.0
    machine_cpu_s: float = 0.0
    own_cpu_s: float = 0.0

    @property
    def rate(self) -> float:
        """Messages stored and announced per second."""
        return min(self.accepted, self.delivered) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """The ``q`` (0-100) percentile of POST latency, ms."""
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q) - 1]


@dataclass
class RelayProc:
    """A ``desktopchat relay`` subprocess and its base URL."""

    proc: asyncio.subprocess.Process
    url: str


async def spawn_relay(
    hub: HubProcess,
    creds: AppCredentials,
    work: Path,
    *,
    n: int,
    database_url: str | None,
    password: str,
) -> RelayProc:
    """Start a relay in front of ``hub``; SQLite in its data dir unless ``database_url``."""
    args = [sys.executable, "-m", "desktopchat", "relay", "--port", "0"]
    args += ["--data-dir", str(work / f"relay-{n}"), "--pusher-host", HOST]
    args += ["--pusher-port", str(hub.port), "--pusher-app-id", creds.app_id]
    args += ["--pusher-key", creds.key]
    if database_url is not None:
        args += ["--database-url", database_url]
    env = {**os.environ, "DESKTOPCHAT_PUSHER_SECRET": creds.secret, ENV_PASSWORD: password}
    stderr = (work / f"relay-{n}.stderr").open("w")
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=stderr, env=env
    )
    stderr.close()
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), bench_hub.READY_TIMEOUT_S)).decode()
    prefix = "desktopchat relay listening on "
    if not line.startswith(prefix):
        proc.kill()
        await proc.wait()
        raise BenchError(f"relay {n} did not start: {line!r}; see {work}/relay-{n}.stderr")
    return RelayProc(proc, line.removeprefix(prefix).strip())


async def stop_relay(relay: RelayProc) -> None:
    """SIGTERM, then SIGKILL if it lingers."""
    if relay.proc.returncode is None:
        relay.proc.terminate()
        try:
            await asyncio.wait_for(relay.proc.wait(), bench_hub.STOP_TIMEOUT_S)
        except TimeoutError:
            relay.proc.kill()
            await relay.proc.wait()


async def sign_up(http: aiohttp.ClientSession, base: str, username: str) -> str:
    """Register ``username`` on the relay at ``base`` and log in; the token."""
    body = {"username": username, "password": PASSWORD}
    async with http.post(f"{base}/api/users", json=body) as r:
        if r.status != 201:
            raise BenchError(f"sign-up of {username}: HTTP {r.status} {await r.text()}")
    async with http.post(f"{base}/api/sessions", json=body) as r:
        if r.status != 201:
            raise BenchError(f"login of {username}: HTTP {r.status} {await r.text()}")
        return str((await r.json())["token"])


async def send_until(
    http: aiohttp.ClientSession, url: str, token: str, deadline: float, run: RelayRun | None
) -> None:
    """One sender: POST back to back until ``deadline``; counted into ``run`` unless None."""
    headers = {"Authorization": f"Bearer {token}"}
    prefix = uuid.uuid4().hex[:12]
    n = 0
    while time.perf_counter() < deadline:
        n += 1
        body = {"text": SUSTAINED_TEXT, "client_id": f"{prefix}-{n}"}
        started = time.perf_counter()
        try:
            async with http.post(url, json=body, headers=headers) as response:
                await response.read()
                status, error = response.status, f"HTTP {response.status}"
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            status, error = 0, f"{type(exc).__name__}: {exc}"
        if run is None:
            continue
        if status == 201:
            run.accepted += 1
            run.latencies_ms.append((time.perf_counter() - started) * 1000)
        else:
            run.rejected += 1
            run.first_error = run.first_error or error


async def measure(
    config: Config,
    hub: HubProcess,
    creds: AppCredentials,
    relays: Sequence[RelayProc],
    *,
    postgres: PostgresServer,
    seconds: float,
) -> RelayRun:
    """``SENDERS`` senders split across ``relays`` for ``seconds``; one listener counts."""
    run = RelayRun(config)
    pool = SocketPool(f"ws://{HOST}:{hub.port}/app/{creds.key}?protocol=7")
    timeout = aiohttp.ClientTimeout(total=bench_hub.REPLY_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=SENDERS + 10)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            tag = uuid.uuid4().hex[:6]
            tokens = await asyncio.gather(
                *(sign_up(http, relays[i % len(relays)].url, f"s{tag}{i}") for i in range(SENDERS))
            )
            listener = await pool.open()
            auth = await channel_auth(
                http, relays[0].url, tokens[0], listener.socket_id, ROOM_CHANNEL
            )
            await subscribe_private(listener, ROOM_CHANNEL, auth)
            urls = [
                f"{relays[i % len(relays)].url}/api/rooms/{ROOM}/messages" for i in range(SENDERS)
            ]
            warm_until = time.perf_counter() + WARMUP_S
            await asyncio.gather(
                *(
                    send_until(http, u, t, warm_until, None)
                    for u, t in zip(urls, tokens, strict=True)
                )
            )
            tally = Tally({listener.index: 0})
            pool.sinks[ROOM_CHANNEL] = tally
            cpu_before = _cpu(hub, relays, postgres)
            started = time.perf_counter()
            deadline = started + seconds
            await asyncio.gather(
                *(send_until(http, u, t, deadline, run) for u, t in zip(urls, tokens, strict=True))
            )
            run.seconds = time.perf_counter() - started
            cpu_after = _cpu(hub, relays, postgres)
            (
                run.hub_cpu_s,
                run.relay_cpu_s,
                run.own_cpu_s,
                run.postgres_cpu_s,
                run.machine_cpu_s,
            ) = (after - before for after, before in zip(cpu_after, cpu_before, strict=True))
            drain_until = time.perf_counter() + bench_hub.DRAIN_TIMEOUT_S
            while tally.total < run.accepted and time.perf_counter() < drain_until:
                await asyncio.sleep(0.05)
            run.delivered = tally.total
    finally:
        await pool.close()
    return run


def _cpu(
    hub: HubProcess, relays: Sequence[RelayProc], postgres: PostgresServer
) -> tuple[float, ...]:
    """Hub, relays, this process, PostgreSQL and the whole machine: CPU seconds so far."""
    relay_cpu = sum(proc_sched_seconds(r.proc.pid) for r in relays)
    postgres_cpu = 0.0
    for pid in postgres.pids():
        with contextlib.suppress(OSError):  # a backend may end meanwhile
            postgres_cpu += proc_sched_seconds(pid)
    return (
        hub.cpu_seconds(),
        relay_cpu,
        proc_sched_seconds(os.getpid()),
        postgres_cpu,
        bench_hub.machine_busy_seconds(),
    )


async def run_config(
    config: Config,
    hub: HubProcess,
    creds: AppCredentials,
    *,
    postgres: PostgresServer,
    work: Path,
    seconds: float,
) -> RelayRun:
    """Fresh store(s), the relays, the measurement, the relays stopped."""
    url = None
    if config.store == "postgres":
        database = postgres.new_database()
        if config.synchronous_commit:
            with postgres.admin() as conn:
                conn.execute(f"ALTER DATABASE {database} SET synchronous_commit = on")
        url = postgres.url(database)
    work = Path(tempfile.mkdtemp(prefix="config-", dir=work))
    relays: list[RelayProc] = []
    try:
        for n in range(config.relays):
            relays.append(
                await spawn_relay(
                    hub, creds, work, n=n, database_url=url, password=postgres.password
                )
            )
        progress(f"{config.label}: {SENDERS} senders for {seconds:.0f} s...")
        return await measure(config, hub, creds, relays, postgres=postgres, seconds=seconds)
    finally:
        for relay in relays:
            await stop_relay(relay)


async def run(seconds: float, work: Path) -> list[RelayRun]:
    """Every configuration in turn, against one hub and one PostgreSQL server."""
    creds = generate()
    postgres = await asyncio.to_thread(start_server, SERVER_SETTINGS)
    try:
        async with bench_hub.running_hub(creds, work, None) as hub:
            progress(f"relays: hub pid {hub.pid} on port {hub.port}, PostgreSQL on {postgres.port}")
            return [
                await run_config(config, hub, creds, postgres=postgres, work=work, seconds=seconds)
                for config in CONFIGS
            ]
    finally:
        await asyncio.to_thread(postgres.remove)


# ------------------------------------------------------------------------------ reporting


def rows(runs: Sequence[RelayRun]) -> list[Row]:
    """One row per configuration, then the two ratios with their goals."""
    out: list[Row] = []
    for r in runs:
        lost = r.accepted - min(r.delivered, r.accepted)
        extra = f"; **{r.rejected} refused** ({r.first_error})" if r.rejected else ""
        extra += f"; **{lost} not announced**" if lost else ""
        cpu = (
            f"CPU over the run: relays {r.relay_cpu_s / r.seconds:.0%}, hub "
            f"{r.hub_cpu_s / r.seconds:.0%}, PostgreSQL {r.postgres_cpu_s / r.seconds:.0%}, "
            f"load generator {r.own_cpu_s / r.seconds:.0%}, everything on the machine "
            f"{r.machine_cpu_s / r.seconds:.0%} of one core"
        )
        out.append(
            (
                f"{r.config.label}: {SENDERS} senders POST `/api/rooms/{ROOM}/messages`, "
                f"{r.seconds:.1f} s",
                f"**{r.rate:,.0f} messages/s** stored and announced ({r.accepted:,}); POST p50 "
                f"{r.percentile(50):.1f} ms / p99 {r.percentile(99):.1f} ms{extra}; {cpu}",
                "-",
            )
        )
    by = {r.config.label: r for r in runs}
    sqlite, one, two = (by.get(c.label) for c in CONFIGS[:3])
    if one is not None and two is not None and one.rate:
        scale = two.rate / one.rate
        out.append(
            (
                "Two relays on PostgreSQL against one",
                f"**{scale:.2f}x** the messages/s",
                f">= {GOAL_SCALE}x: {goal(scale >= GOAL_SCALE)}",
            )
        )
    if sqlite is not None and one is not None and one.rate:
        ratio = sqlite.rate / one.rate
        out.append(
            (
                "One relay: SQLite's messages/s against PostgreSQL's",
                f"SQLite does **{ratio:.2f}x** PostgreSQL's",
                f"within {GOAL_PG_VS_SQLITE:.0f}x: {goal(ratio <= GOAL_PG_VS_SQLITE)}",
            )
        )
    return out


def saturation_note(runs: Sequence[RelayRun]) -> list[str]:
    """A warning when the machine had no core to spare: then more relays cannot show."""
    cores = os.cpu_count() or 1
    busy = [r.machine_cpu_s / r.seconds / cores for r in runs if r.seconds]
    if not busy or min(busy) < SATURATED:
        return []
    ours = [
        (r.relay_cpu_s + r.hub_cpu_s + r.own_cpu_s + r.postgres_cpu_s) / r.machine_cpu_s
        for r in runs
        if r.machine_cpu_s
    ]
    return [
        f"**The machine's {cores} cores were {min(busy):.0%}-{max(busy):.0%} busy in every "
        f"run**; the relays, the hub, PostgreSQL and the load generator used {min(ours):.0%}-"
        f"{max(ours):.0%} of that; the rest went to other processes, the kernel's "
        "interrupt work and hypervisor steal. A second relay had no idle core to use, so "
        "these figures cannot show how relays scale: rerun on an idle machine, or with the "
        "relays on machines of their own.",
        "",
    ]


#: The machine's share of all its cores above which a run counts as saturated.
SATURATED = 0.95


def section(
    runs: Sequence[RelayRun], seconds: float, *, when: str = "", load: str = ""
) -> list[str]:
    """``docs/benchmarks.md``'s section (Markdown lines); ``when`` and ``load`` describe it."""
    pg = ", ".join(f"`{k}={v}`" for k, v in SERVER_SETTINGS.items())
    measured = f"Measured {when}" if when else ""
    measured += f"; load average before and after: {load}." if load else "."
    return [
        SECTION_TITLE,
        "",
        measured,
        "",
        "`desktopchat relay` processes in front of one hub process (`desktopchat serve`, "
        "standing in for Pusher Channels; its own relay unused), each configuration with a "
        f"fresh store: {SENDERS} senders, each its own account, POST back to back for "
        f"{seconds:.0f} s after {WARMUP_S:.0f} s of warm-up; sender *i* uses relay *i mod N*. "
        "One raw WebSocket listener on the hub counts the events: a message counts once it "
        "was answered 201 and its event arrived. POST latency is per request, as the senders "
        f"saw it. PostgreSQL {postgres_version()} on this machine (tests/postgres_server.py, "
        f"with {pg}), over TCP with password authentication; each relay keeps its default "
        "pool of 8 connections. SQLite: WAL with `synchronous=NORMAL`, which like "
        "`synchronous_commit=off` does not wait for the disk at each commit; the last row "
        "shows PostgreSQL when it does. On 2 cores the relays, the hub, PostgreSQL and the "
        "load generator all share the same cores: the CPU figures say who was busy.",
        "",
        markdown_table(("Measure", "Result", "Target"), rows(runs)),
        "",
        *saturation_note(runs),
    ]


SECTION_TITLE = "## Several relays on PostgreSQL"


def postgres_version() -> str:
    """The major version of the server binaries used (Debian's directory name)."""
    return bin_dir().parent.name


def replace_section(page: str, lines: Sequence[str]) -> str:
    """``page`` with this section replaced (or added before ``## Hub``, or at the end)."""
    text = "\n".join(lines).rstrip("\n") + "\n\n"
    if SECTION_TITLE in page:
        start = page.index(SECTION_TITLE)
        end = page.find("\n## ", start + len(SECTION_TITLE))
        return page[:start] + text + (page[end + 1 :] if end != -1 else "")
    anchor = page.find("\n## Hub\n")
    if anchor == -1:
        return page.rstrip("\n") + "\n\n" + text
    return page[: anchor + 1] + text + page[anchor + 1 :]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and print its table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--seconds", type=float, default=10.0, help="measured seconds per configuration")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="desktopchat-bench-relays-") as tmp:
        runs = asyncio.run(run(args.seconds, Path(tmp)))
    print(markdown_table(("Measure", "Result", "Target"), rows(runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
