"""What the client and window benchmarks share: accounts, child processes, /proc readings.

The hub side (spawning the hub, sockets, tables, the machine description) lives in
``bench_hub`` and is imported from there; this module only adds what ``bench_client``,
``bench_window`` and ``run`` need on top of it. Linux only, like ``bench_hub``: CPU time and
memory are read from ``/proc``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from desktopchat.server import signing
from desktopchat.server.credentials import AppCredentials
from tests.benchmarks.bench_hub import HOST, REPO_ROOT, HubProcess, progress
from tests.benchmarks.lean import BenchError
from tests.qt_platform import use_laptop_screen

#: One line of a results table: what was measured, the figure, the target and verdict.
Row = tuple[str, str, str]

#: The room every relay has; its messages go out on this private channel.
ROOM = "general"
ROOM_CHANNEL = f"private-room-{ROOM}"

#: Upper bounds on waits for child processes.
CHILD_READY_TIMEOUT_S = 30.0
CHILD_STOP_TIMEOUT_S = 10.0


# --------------------------------------------------------------------------- /proc readings


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` from ``/proc/PID/stat`` (10 ms ticks).

    The classic reading (what ``top`` and ``ps`` show), all threads included.
    """
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(after_name[11]), int(after_name[12])  # fields 14 and 15
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def proc_sched_seconds(pid: int) -> float:
    """CPU time of every thread of ``pid`` from ``schedstat`` (ns): exact for short phases."""
    total_ns = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread may end between listing and reading
            total_ns += int((task / "schedstat").read_text().split()[0])
    return total_ns / 1e9


def proc_threads(pid: int) -> int:
    """How many threads ``pid`` runs."""
    return len(os.listdir(f"/proc/{pid}/task"))


@dataclass(frozen=True)
class CpuReading:
    """A process's CPU clocks and the wall clock, read together."""

    wall: float
    stat_s: float
    sched_s: float

    @classmethod
    def take(cls, pid: int) -> CpuReading:
        """Read them now."""
        return cls(time.monotonic(), proc_cpu_seconds(pid), proc_sched_seconds(pid))

    def since(self, start: CpuReading) -> CpuUse:
        """What the process used from ``start`` to this reading."""
        return CpuUse(
            self.wall - start.wall, self.stat_s - start.stat_s, self.sched_s - start.sched_s
        )


@dataclass(frozen=True)
class CpuUse:
    """CPU used over a wall-clock interval, by both readings."""

    wall_s: float
    stat_s: float
    sched_s: float

    @property
    def share(self) -> float:
        """Share of one core over the interval (schedstat, the precise reading)."""
        return self.sched_s / self.wall_s if self.wall_s else 0.0


# --------------------------------------------------------------------------- relay accounts


async def local_login(
    http: aiohttp.ClientSession, base_url: str, creds: AppCredentials, username: str
) -> tuple[str, dict[str, Any]]:
    """A session token for ``username`` on an embedded hub, creating the account if needed.

    Uses the relay's local login (the hub's secret signs it), as a user's first
    ``desktopchat`` does, so making many accounts costs no password hashing.
    """
    timestamp, nonce = int(time.time()), secrets.token_urlsafe(16)
    body = {
        "username": username,
        "display_name": username.capitalize(),
        "timestamp": timestamp,
        "nonce": nonce,
        "signature": signing.local_login_signature(creds.secret, username, timestamp, nonce),
    }
    async with http.post(f"{base_url}/api/sessions/local", json=body) as response:
        answer = await response.json()
        if response.status != 201:
            raise BenchError(f"local login of {username}: HTTP {response.status} {answer}")
    return str(answer["token"]), dict(answer["user"])


async def tokens_for(
    http: aiohttp.ClientSession, hub: HubProcess, creds: AppCredentials, prefix: str, count: int
) -> list[str]:
    """``count`` accounts named ``prefix0``, ``prefix1``...; their tokens."""
    logins = [local_login(http, hub.http_url, creds, f"{prefix}{n}") for n in range(count)]
    return [token for token, _ in await asyncio.gather(*logins)]


def bearer(token: str) -> dict[str, str]:
    """The relay's ``Authorization`` header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


async def channel_auth(
    http: aiohttp.ClientSession, base_url: str, token: str, socket_id: str, channel: str
) -> str:
    """The relay's signature for subscribing ``socket_id`` to ``channel`` (pusher-js's form)."""
    form = {"socket_id": socket_id, "channel_name": channel}
    async with http.post(f"{base_url}/api/pusher/auth", data=form, headers=bearer(token)) as r:
        answer = await r.json()
        if r.status != 200:
            raise BenchError(f"channel auth for {channel}: HTTP {r.status} {answer}")
    return str(answer["auth"])


async def seed_messages(
    http: aiohttp.ClientSession, base_url: str, tokens: Sequence[str], count: int, tag: str
) -> None:
    """Post ``count`` messages to the room, round-robin over ``tokens`` (history to show)."""
    texts = [
        "Morning! Did the build go green overnight?",
        "Yes, all green. The **release notes** are in the wiki: https://example.org/notes",
        "Great, thanks. I'll tag it after lunch.",
        "Reminder: `make bundle` needs the icons rebuilt first.",
        "Anyone up for a review of the sync engine change? It's about 300 lines.",
    ]
    for n in range(count):
        body = {"text": f"{texts[n % len(texts)]} ({n})", "client_id": f"{tag}-{n}"}
        url = f"{base_url}/api/rooms/{ROOM}/messages"
        async with http.post(url, json=body, headers=bearer(tokens[n % len(tokens)])) as r:
            if r.status not in (200, 201):
                raise BenchError(f"seeding history: HTTP {r.status} {await r.text()}")


# --------------------------------------------------------------------------- child processes


def child_environment(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A Qt child's environment: offscreen, a throw-away home, no keyring, no session bus."""
    env = {
        **os.environ,
        "DESKTOPCHAT_HOME": str(home),
        "DESKTOPCHAT_NO_KEYRING": "1",
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no desktop notifications from benchmarks
    use_laptop_screen(env)  # the window at its first-start size, as on a laptop
    return {**env, **(extra or {})}


#: What the app prints on stderr with DESKTOPCHAT_REPORT_FIRST_PAINT set (desktopchat/ui/app.py).
FIRST_PAINT_LINE = re.compile(r"^first-paint (?P<seconds>[0-9.]+)$")


@dataclass
class Child:
    """A child process whose report lines arrive as dicts on :attr:`lines`.

    Children are this package's own modules (``python -m tests.benchmarks.X MODE``), which
    print JSON lines on stdout, or the app itself (``app=True``), whose ``first-paint``
    line on stderr becomes ``{"event": "first-paint", "seconds": ...}``. Each line gets
    ``at``, its arrival time (``time.monotonic_ns``, comparable across processes). Other
    output goes to ``log_path``. :meth:`stop` closes stdin (a module child's cue to quit),
    then sends SIGTERM, then SIGKILL, each with a bounded wait.
    """

    proc: asyncio.subprocess.Process
    log_path: Path
    spawned_ns: int
    app: bool
    lines: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    reader: asyncio.Task[None] | None = None

    @classmethod
    async def spawn(
        cls, argv: Sequence[str], env: Mapping[str, str], log_path: Path, *, app: bool = False
    ) -> Child:
        """Start ``argv`` from the repository root."""
        pipe = asyncio.subprocess.PIPE
        with log_path.open("wb") as log:
            spawned = time.monotonic_ns()
            proc = await asyncio.create_subprocess_exec(
                *argv,
                cwd=REPO_ROOT,
                env=dict(env),
                stdin=pipe,
                stdout=log if app else pipe,
                stderr=pipe if app else log,
                limit=1 << 20,
            )
        child = cls(proc, log_path, spawned, app)
        child.reader = asyncio.create_task(child._read())
        return child

    @classmethod
    async def module(
        cls, module: str, args: Sequence[str], env: Mapping[str, str], log_path: Path
    ) -> Child:
        """Start ``python -m tests.benchmarks.MODULE ARGS``."""
        argv = [sys.executable, "-m", f"tests.benchmarks.{module}", *args]
        return await cls.spawn(argv, env, log_path)

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.proc.pid

    async def _read(self) -> None:
        stream = self.proc.stderr if self.app else self.proc.stdout
        assert stream is not None
        while raw := await stream.readline():
            at = time.monotonic_ns()
            text = raw.decode(errors="replace").rstrip("\n")
            if self.app:
                with self.log_path.open("a") as log:
                    log.write(text + "\n")
                match = FIRST_PAINT_LINE.match(text)
                if match is not None:
                    self.lines.put_nowait(
                        {"event": "first-paint", "seconds": float(match["seconds"]), "at": at}
                    )
                continue
            with contextlib.suppress(ValueError):
                self.lines.put_nowait({**json.loads(text), "at": at})

    async def expect(self, event: str, timeout: float = CHILD_READY_TIMEOUT_S) -> dict[str, Any]:
        """The next line whose ``event`` is ``event`` (earlier ones are dropped)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if self.proc.returncode is not None and self.lines.empty():
                break
            try:
                line = await asyncio.wait_for(self.lines.get(), min(left, 0.5))
            except TimeoutError:
                continue
            if line.get("event") == event:
                return line
        raise BenchError(f"child {self.pid} sent no {event!r} line; stderr: {self.stderr_tail()}")

    def stderr_tail(self, lines: int = 5) -> str:
        """The last lines of the child's log, for error messages."""
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(errors="replace").strip().splitlines()
            return " | ".join(text[-lines:])
        return ""

    async def stop(self) -> int:
        """Close stdin, then SIGTERM, then SIGKILL, each with a bounded wait."""
        proc = self.proc
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
        for action in (None, signal.SIGTERM, signal.SIGKILL):
            if proc.returncode is not None:
                break
            if action is not None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(action)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), CHILD_STOP_TIMEOUT_S / 2)
        if proc.returncode is None:
            progress(f"child {proc.pid} did not exit")
            return -1
        if self.reader is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self.reader, 1.0)
        return proc.returncode


# --------------------------------------------------------------------------- formatting


def ms(ns: float) -> float:
    """Nanoseconds to milliseconds."""
    return ns / 1e6


def mib(kib: float) -> str:
    """KiB as ``12.3 MiB``."""
    return f"{kib / 1024:.1f} MiB"


def url_of(hub: HubProcess) -> str:
    """The relay's base URL on ``hub``, as the app is given it with ``--server``."""
    return f"http://{HOST}:{hub.port}"
