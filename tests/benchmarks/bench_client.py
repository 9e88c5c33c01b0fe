"""Benchmarks of the client path through the real relay and hub: latency, throughput, idling.

Measuring code for ``run.py``, not a test; targets are printed next to figures, never
asserted. Three measurements, each against a hub started as ``python -m desktopchat serve``
(``bench_hub.spawn_hub``) on 127.0.0.1:

* **Send → visible.** One client sends with ``RelayClient.send`` (HTTP through the relay);
  another client — a real ``ChatSession`` feeding a ``MessageListModel`` under a
  ``QApplication`` in a child process (``python -m tests.benchmarks.bench_client receiver``)
  — reports when the message is in its model. Both sides stamp ``time.monotonic_ns``
  (``CLOCK_MONOTONIC``, one clock for the whole machine on Linux), so the times compare
  across the two processes. Next to it, the floor measured in the same run: a bare
  WebSocket echo round trip to another process (``bench_client echo-server``).
* **Sustained relay throughput.** Senders, each with its own account, POST messages back to
  back while raw WebSocket listeners, subscribed to the room's private channel with the
  relay's authorization, count what they get; losses are messages the relay accepted
  (HTTP 201) that a listener never received.
* **Idle clients, WebSockets against polling.** The hub's CPU time while N clients sit
  connected and subscribed with nothing to say, then while N clients poll
  ``GET /api/rooms/general/messages?after=ID`` once a second each.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from desktopchat.client.credentials import TOKEN_ENV
from desktopchat.client.relay_client import RelayClient
from desktopchat.server.credentials import AppCredentials
from tests.benchmarks import bench_hub
from tests.benchmarks.bench_hub import (
    HOST,
    REPLY_TIMEOUT_S,
    HubProcess,
    PhaseClock,
    SocketPool,
    Subscription,
    SustainedResult,
    Tally,
    goal,
    progress,
)
from tests.benchmarks.common import (
    ROOM,
    ROOM_CHANNEL,
    Child,
    CpuReading,
    CpuUse,
    Row,
    bearer,
    channel_auth,
    child_environment,
    local_login,
    seed_messages,
    tokens_for,
    url_of,
)
from tests.benchmarks.lean import BenchError, emit, pct, pin_singletons

#: Targets (never asserted).
GOAL_VISIBLE_P50_MS = 5.0
GOAL_VISIBLE_P99_MS = 20.0

#: Messages not counted at the start of the send → visible run (connections, caches warm up).
VISIBLE_WARMUP = 20
#: Pause after each arrival before the next send. Back to back, every message would land
#: within one frame of the previous one and measure the model's frame batching (one insert
#: per 16 ms, see the window's absorbing runs) rather than the path's latency; 20 ms apart
#: (50 messages/s, a very busy room) each message is measured on its own.
VISIBLE_GAP_S = 0.02
#: How long one message may take to show up before it counts as lost.
VISIBLE_TIMEOUT_S = 5.0
#: Echo round trips not counted, then counted, for the floor.
ECHO_WARMUP = 50
#: A chat message event's size on the wire, for the echo payload.
ECHO_PAYLOAD = json.dumps(
    {
        "event": "message",
        "channel": ROOM_CHANNEL,
        "data": json.dumps({"id": 1, "text": "lorem ipsum dolor sit amet " * 4, "pad": "x" * 90}),
    }
)
#: Text of the messages the sustained senders post (~110 characters, a typical chat line).
SUSTAINED_TEXT = "Sustained load from the benchmark: lorem ipsum dolor sit amet, consectetur elit."


# ------------------------------------------------------------------------ send → visible


@dataclass
class VisibleResult:
    """Per message (ms from the send call): HTTP reply, pysher got it, session, model."""

    count: int
    reply_ms: list[float] = field(default_factory=list)
    socket_ms: list[float] = field(default_factory=list)
    session_ms: list[float] = field(default_factory=list)
    model_ms: list[float] = field(default_factory=list)
    db_store_ms: list[float] = field(default_factory=list)
    lost: int = 0
    floor_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0


async def echo_floor(url: str, runs: int) -> list[float]:
    """Round trips (ms) of one WebSocket text frame to the echo child and back."""
    times: list[float] = []
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        for n in range(ECHO_WARMUP + runs):
            started = time.monotonic_ns()
            await ws.send_str(ECHO_PAYLOAD)
            reply = await asyncio.wait_for(ws.receive(), REPLY_TIMEOUT_S)
            elapsed = time.monotonic_ns() - started
            if reply.type is not aiohttp.WSMsgType.TEXT:
                raise BenchError(f"echo server answered {reply.type.name}")
            if n >= ECHO_WARMUP:
                times.append(elapsed / 1e6)
    return times


def timed_send(relay: RelayClient, client_id: str) -> tuple[int, int]:
    """``RelayClient.send`` one message; ``(monotonic ns at the call, at the reply)``."""
    started = time.monotonic_ns()
    relay.send(ROOM, f"latency probe {client_id}", client_id)
    return started, time.monotonic_ns()


async def next_arrival(receiver: Child, client_id: str) -> dict[str, Any] | None:
    """The receiver's ``model`` line for ``client_id``; None after VISIBLE_TIMEOUT_S."""
    deadline = time.monotonic() + VISIBLE_TIMEOUT_S
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = await asyncio.wait_for(receiver.lines.get(), left)
        except TimeoutError:
            break
        if line.get("event") == "model" and line.get("client_id") == client_id:
            return line
    return None


async def measure_send_to_visible(
    hub: HubProcess, creds: AppCredentials, home: Path, count: int
) -> VisibleResult:
    """The floor first, then ``count`` messages sent one at a time, each waited for."""
    result = VisibleResult(count)
    echo_env = child_environment(home / "echo-home")
    echo = await Child.module("bench_client", ["echo-server"], echo_env, home / "echo.log")
    try:
        port = (await echo.expect("ready"))["port"]
        progress(f"floor: {count} WebSocket echo round trips to another process...")
        result.floor_ms = await echo_floor(f"ws://{HOST}:{port}/echo", count)
    finally:
        await echo.stop()
    async with aiohttp.ClientSession() as http:
        sender_token, _ = await local_login(http, url_of(hub), creds, "sender")
        receiver_token, _ = await local_login(http, url_of(hub), creds, "receiver")
    env = child_environment(home / "receiver-home", {TOKEN_ENV: receiver_token})
    args = ["receiver", "--server", url_of(hub)]
    receiver = await Child.module("bench_client", args, env, home / "receiver.log")
    relay = RelayClient(url_of(hub), sender_token)
    try:
        await receiver.expect("ready")
        progress(f"send → visible: {count} messages, one at a time...")
        started = time.monotonic()
        run = uuid.uuid4().hex[:8]
        for n in range(VISIBLE_WARMUP + count):
            client_id = f"visible-{run}-{n}"
            sent, replied = await asyncio.to_thread(timed_send, relay, client_id)
            line = await next_arrival(receiver, client_id)
            await asyncio.sleep(VISIBLE_GAP_S)
            if n < VISIBLE_WARMUP:
                continue
            if line is None:
                result.lost += 1
                continue
            result.reply_ms.append((replied - sent) / 1e6)
            result.socket_ms.append((line["socket"] - sent) / 1e6)
            result.session_ms.append((line["session"] - sent) / 1e6)
            result.model_ms.append((line["model"] - sent) / 1e6)
            result.db_store_ms.append(line["db_store_ns"] / 1e6)
        result.wall_s = time.monotonic() - started
    finally:
        relay.close()
        await receiver.stop()
    return result


def visible_rows(v: VisibleResult) -> list[Row]:
    """Rows: send → in the other client's model, its breakdown, and the floor."""
    if not v.model_ms:
        return [("Send → visible", f"**no message arrived** ({v.lost} lost)", "missed")]
    p50, p99 = pct(v.model_ms, 50), pct(v.model_ms, 99)
    floor = pct(v.floor_ms, 50)
    lost = f"; **{v.lost} lost**" if v.lost else ""
    return [
        (
            f"Send → visible: `RelayClient.send` to the other client's `MessageListModel` "
            f"({len(v.model_ms):,} messages)",
            f"p50 **{p50:.1f} ms**, p99 **{p99:.1f} ms**, max {max(v.model_ms):.1f} ms; "
            f"**{p50 / floor:.0f}x** the floor{lost}",
            f"p50 ≤ {GOAL_VISIBLE_P50_MS:.0f} ms: {goal(p50 <= GOAL_VISIBLE_P50_MS)}; "
            f"p99 ≤ {GOAL_VISIBLE_P99_MS:.0f} ms: {goal(p99 <= GOAL_VISIBLE_P99_MS)}",
        ),
        (
            "… of which (p50, ms from the send call): HTTP reply / frame at the receiver's "
            "pysher thread / `messages_added` on its GUI thread / rows in the model",
            f"{pct(v.reply_ms, 50):.1f} / {pct(v.socket_ms, 50):.1f} / "
            f"{pct(v.session_ms, 50):.1f} / {p50:.1f} ms (local database write p50 "
            f"{pct(v.db_store_ms, 50):.2f} ms, on the GUI thread)",
            "-",
        ),
        (
            "Floor: bare WebSocket echo round trip between two processes (aiohttp)",
            f"p50 **{floor:.2f} ms**, p99 {pct(v.floor_ms, 99):.2f} ms, "
            f"max {max(v.floor_ms):.2f} ms ({len(v.floor_ms):,} round trips)",
            "-",
        ),
    ]


# ------------------------------------------------------------------ sustained relay load


async def subscribe_private(sock: bench_hub.BenchSocket, channel: str, auth: str) -> None:
    """Subscribe a ``bench_hub`` socket to a private channel with the relay's signature."""
    done = sock.pending[channel] = asyncio.get_running_loop().create_future()
    frame = {"event": "pusher:subscribe", "data": {"channel": channel, "auth": auth}}
    await sock.ws.send_str(json.dumps(frame))
    await asyncio.wait_for(done, REPLY_TIMEOUT_S)


async def open_room_listeners(
    pool: SocketPool, http: aiohttp.ClientSession, hub: HubProcess, tokens: Sequence[str]
) -> Subscription:
    """One socket per token, each subscribed to the room's channel with the relay's auth."""
    sub = Subscription(ROOM_CHANNEL)
    gate = asyncio.Semaphore(20)

    async def one(token: str) -> None:
        async with gate:
            sock = await pool.open()
            auth = await channel_auth(http, url_of(hub), token, sock.socket_id, ROOM_CHANNEL)
            await subscribe_private(sock, ROOM_CHANNEL, auth)
            sub.sockets.append(sock)

    started = time.monotonic()
    await asyncio.gather(*(one(t) for t in tokens))
    sub.seconds = time.monotonic() - started
    return sub


async def post_until(
    http: aiohttp.ClientSession, url: str, token: str, deadline: float, out: SustainedResult
) -> None:
    """One sender: POST messages back to back until ``deadline``; count 201s and the rest."""
    headers = bearer(token)
    prefix = uuid.uuid4().hex[:12]
    n = 0
    while time.perf_counter() < deadline:
        n += 1
        body = {"text": SUSTAINED_TEXT, "client_id": f"{prefix}-{n}"}
        try:
            async with http.post(url, json=body, headers=headers) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            status, error = 0, f"{type(exc).__name__}: {exc}"
        else:
            error = f"HTTP {status}"
        if status == 201:
            out.accepted += 1
        else:
            out.rejected += 1
            out.first_error = out.first_error or error


async def measure_relay_sustained(
    hub: HubProcess,
    creds: AppCredentials,
    clock: PhaseClock,
    *,
    senders: int,
    listeners: int,
    seconds: float,
) -> SustainedResult:
    """Senders post through the relay for ``seconds``; listeners count what the hub fans out."""
    pool = SocketPool(f"ws://{HOST}:{hub.port}/app/{creds.key}?protocol=7")
    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=senders + 20)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            sender_tokens = await tokens_for(http, hub, creds, "poster", senders)
            listener_tokens = await tokens_for(http, hub, creds, "listener", listeners)
            sub = await open_room_listeners(pool, http, hub, listener_tokens)
            out = SustainedResult(senders, len(sub.sockets))
            tally = Tally(dict.fromkeys((s.index for s in sub.sockets), 0))
            pool.sinks[ROOM_CHANNEL] = tally
            url = f"{url_of(hub)}/api/rooms/{ROOM}/messages"

            async def load() -> None:
                started = time.perf_counter()
                deadline = started + seconds
                await asyncio.gather(
                    *(post_until(http, url, t, deadline, out) for t in sender_tokens)
                )
                stopped = time.perf_counter()
                expected = out.accepted * len(sub.sockets)
                while tally.total < expected and time.perf_counter() - stopped < 15:
                    await asyncio.sleep(0.05)
                out.settle(tally, sub, started=started, stopped=stopped)

            await clock.measure(f"relay sustained {seconds:.0f} s", load())
            return out
    finally:
        await pool.close()


def relay_sustained_rows(s: SustainedResult) -> list[Row]:
    """Rows: messages stored and announced per second; deliveries; losses."""
    rejected = f"; **{s.rejected} rejected** ({s.first_error})" if s.rejected else ""
    losses = "every listener got every message" if not s.lost else f"**{s.lost:,} lost**"
    if s.duplicated:
        losses += f"; **{s.duplicated:,} extra**"
    broken = f"; **{s.disconnected} listeners disconnected**" if s.disconnected else ""
    return [
        (
            f"Relay + hub sustained: {s.senders} senders (own accounts) POST "
            f"`/api/rooms/{ROOM}/messages`, {s.send_s:.1f} s",
            f"**{s.accepted / s.send_s:,.0f} messages/s** stored and announced "
            f"({s.accepted:,}){rejected}",
            "-",
        ),
        (
            f"Relay + hub sustained: deliveries to {s.listeners} WebSocket listeners on "
            f"`{ROOM_CHANNEL}`",
            f"**{s.delivered / s.deliver_s:,.0f} deliveries/s** ({s.delivered:,}); {losses}; "
            f"last delivery {s.drain_ms:.0f} ms after the senders stopped{broken}",
            "no losses: " + goal(not s.lost and not s.disconnected),
        ),
    ]


# ---------------------------------------------------------------- idle: sockets vs polling


@dataclass
class IdleResult:
    """The hub's CPU while ``clients`` idle on WebSockets, then while they poll."""

    clients: int
    seconds: float
    ws_cpu: CpuUse | None = None
    ws_frames_in: int = 0
    ws_frames_out: int = 0
    ws_closed: int = 0
    poll_cpu: CpuUse | None = None
    poll_requests: int = 0
    poll_failed: int = 0
    poll_first_error: str = ""


@dataclass(eq=False)
class IdleSocket:
    """A connected, subscribed client that only answers pings, counting frames both ways."""

    ws: aiohttp.ClientWebSocketResponse
    frames_in: int = 0
    frames_out: int = 0
    reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        """Count every frame; answer ``pusher:ping`` as pysher does."""
        with contextlib.suppress(aiohttp.ClientError, ConnectionError):
            async for msg in self.ws:
                self.frames_in += 1
                if msg.type is aiohttp.WSMsgType.TEXT and '"pusher:ping"' in msg.data:
                    await self.ws.send_str(bench_hub.PONG_FRAME)
                    self.frames_out += 1


async def idle_on_websockets(
    http: aiohttp.ClientSession, hub: HubProcess, creds: AppCredentials, out: IdleResult
) -> None:
    """``clients`` sockets subscribed to the room; then the hub's CPU over ``seconds``."""
    tokens = await tokens_for(http, hub, creds, "idler", out.clients)
    sockets: list[IdleSocket] = []
    try:
        for token in tokens:
            ws = await http.ws_connect(f"ws://{HOST}:{hub.port}/app/{creds.key}?protocol=7")
            socket_id = bench_hub.established_socket_id(await ws.receive())
            auth = await channel_auth(http, url_of(hub), token, socket_id, ROOM_CHANNEL)
            frame = {"event": "pusher:subscribe", "data": {"channel": ROOM_CHANNEL, "auth": auth}}
            await ws.send_str(json.dumps(frame))
            reply = json.loads((await ws.receive(timeout=REPLY_TIMEOUT_S)).data)
            if reply.get("event") != bench_hub.SUBSCRIBED:
                raise BenchError(f"idle client not subscribed: {reply}")
            sock = IdleSocket(ws)
            sock.reader = asyncio.create_task(sock.read())
            sockets.append(sock)
        await asyncio.sleep(1.0)  # let the subscriptions' work finish before measuring
        start = CpuReading.take(hub.pid)
        await asyncio.sleep(out.seconds)
        out.ws_cpu = CpuReading.take(hub.pid).since(start)
        out.ws_frames_in = sum(s.frames_in for s in sockets)
        out.ws_frames_out = sum(s.frames_out for s in sockets)
        out.ws_closed = sum(1 for s in sockets if s.ws.closed)
    finally:
        for sock in sockets:
            if sock.reader is not None:
                sock.reader.cancel()
            await sock.ws.close()


async def poll_until(
    hub: HubProcess, token: str, out: IdleResult, *, start: float, stop: float
) -> None:
    """One polling client (its own keep-alive connection): GET ``after=last`` every second."""
    url = f"{url_of(hub)}/api/rooms/{ROOM}/messages"
    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT_S)
    after = 0
    async with aiohttp.ClientSession(timeout=timeout, headers=bearer(token)) as http:
        tick = start
        while tick < stop:
            await asyncio.sleep(max(0.0, tick - time.monotonic()))
            tick += 1.0
            try:
                async with http.get(url, params={"after": str(after)}) as response:
                    body = await response.json()
                    status = response.status
            except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
                out.poll_failed += 1
                out.poll_first_error = out.poll_first_error or f"{type(exc).__name__}: {exc}"
                continue
            out.poll_requests += 1
            if status != 200:
                out.poll_failed += 1
                out.poll_first_error = out.poll_first_error or f"HTTP {status}"
            elif body["messages"]:
                after = int(body["messages"][-1]["id"])


async def idle_polling(
    http: aiohttp.ClientSession, hub: HubProcess, creds: AppCredentials, out: IdleResult
) -> None:
    """``clients`` pollers, spread over each second; the hub's CPU over ``seconds``."""
    tokens = await tokens_for(http, hub, creds, "poller", out.clients)
    start = time.monotonic() + 1.0
    stop = start + out.seconds
    pollers = [
        asyncio.create_task(poll_until(hub, t, out, start=start + n / len(tokens), stop=stop))
        for n, t in enumerate(tokens)
    ]
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    before = CpuReading.take(hub.pid)
    await asyncio.sleep(max(0.0, stop - time.monotonic()))
    out.poll_cpu = CpuReading.take(hub.pid).since(before)
    await asyncio.gather(*pollers)


async def measure_idle(
    hub: HubProcess, creds: AppCredentials, clients: int, seconds: float
) -> IdleResult:
    """The seed's claim: idle WebSocket clients cost the hub less than polling ones."""
    out = IdleResult(clients, seconds)
    async with aiohttp.ClientSession() as http:
        tokens = await tokens_for(http, hub, creds, "historian", 1)
        await seed_messages(http, url_of(hub), tokens, 20, "idle-history")
        progress(f"{clients} idle WebSocket clients for {seconds:.0f} s...")
        await idle_on_websockets(http, hub, creds, out)
        progress(f"{clients} clients polling once a second for {seconds:.0f} s...")
        await idle_polling(http, hub, creds, out)
    return out


def idle_rows(i: IdleResult) -> list[Row]:
    """Rows: the hub's CPU for idle sockets, for polling, and the ratio."""
    if i.ws_cpu is None or i.poll_cpu is None:
        return []
    ws, poll = i.ws_cpu, i.poll_cpu
    closed = f"; **{i.ws_closed} closed**" if i.ws_closed else ""
    failed = f"; **{i.poll_failed} failed** ({i.poll_first_error})" if i.poll_failed else ""
    # Below a millisecond the idle figure is timer noise; say so rather than divide by it.
    ratio = (
        f"**{poll.sched_s / ws.sched_s:,.0f}x** the CPU of idle WebSockets"
        if ws.sched_s >= 0.001
        else f"{poll.sched_s * 1000:,.0f} ms of CPU against under 1 ms for idle WebSockets"
    )
    return [
        (
            f"Hub CPU, {i.clients} clients connected + subscribed on WebSockets, nothing "
            f"sent, {ws.wall_s:.0f} s",
            f"**{ws.sched_s * 1000:.0f} ms** CPU ({ws.share:.2%} of a core; /proc/PID/stat "
            f"{ws.stat_s:.2f} s); 0 HTTP requests, {i.ws_frames_in} frames in / "
            f"{i.ws_frames_out} out{closed}",
            "-",
        ),
        (
            f"Hub CPU, the same {i.clients} clients polling `GET /api/rooms/{ROOM}/messages"
            f"?after=ID` once a second, {poll.wall_s:.0f} s",
            f"**{poll.sched_s * 1000:,.0f} ms** CPU ({poll.share:.1%} of a core; "
            f"/proc/PID/stat {poll.stat_s:.2f} s); {i.poll_requests:,} requests "
            f"({i.poll_requests / poll.wall_s:.0f}/s, "
            f"{poll.sched_s * 1e6 / max(i.poll_requests, 1):.0f} µs CPU each){failed}",
            "-",
        ),
        (
            "The seed's claim: idle WebSockets cost the hub less than polling",
            f"polling costs {ratio}{closed}",
            "WebSockets cheaper: " + goal(ws.sched_s < poll.sched_s),
        ),
    ]


# ------------------------------------------------------------------------ child processes


def echo_server_main() -> int:
    """Child: a bare aiohttp WebSocket echo server on 127.0.0.1; quits when stdin closes."""

    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.TEXT:
                await ws.send_str(msg.data)
        return ws

    async def serve() -> None:
        app = web.Application()
        app.router.add_get("/echo", echo)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, HOST, 0)
        await site.start()
        emit("ready", port=runner.addresses[0][1])
        await asyncio.to_thread(sys.stdin.buffer.read)  # until the parent closes stdin
        await runner.cleanup()

    asyncio.run(serve())
    return 0


class _Stamps:
    """When each message (by client id) reached each stage of the receiving client.

    Filled from outside the product code: pysher's per-channel event handler and the local
    database's ``store`` are wrapped, ``messages_added`` and ``rowsInserted`` connected.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()  # the socket stamp is written on pysher's thread
        self.socket: dict[str, int] = {}
        self.db_store_ns: dict[str, int] = {}
        self.session: dict[str, int] = {}

    def wrap_pysher(self) -> None:
        """Stamp every ``message`` event as pysher's thread hands it to the bridge."""
        from desktopchat.client import bridge_channel

        original = bridge_channel.BridgeChannel._handle_event

        def stamped(channel: Any, event_name: str, data: Any) -> None:
            if event_name == "message" and isinstance(data, str):
                now = time.monotonic_ns()
                with contextlib.suppress(ValueError, KeyError, TypeError), self.lock:
                    self.socket[str(json.loads(data)["client_id"])] = now
            original(channel, event_name, data)

        setattr(bridge_channel.BridgeChannel, "_handle_event", stamped)  # noqa: B010 - patching a class

    def wrap_store(self, database: Any) -> None:
        """Time the local database write the sync engine does on the GUI thread."""
        original = database.store

        def timed(messages: Any) -> None:
            batch = list(messages)
            started = time.monotonic_ns()
            original(batch)
            took = time.monotonic_ns() - started
            for m in batch:
                self.db_store_ns[m.client_id] = took

        database.store = timed

    def report(self, client_id: str, in_model: int) -> None:
        """One ``model`` line for the parent, with every stamp of this message."""
        with self.lock:
            socket = self.socket.pop(client_id, 0)
        emit(
            "model",
            client_id=client_id,
            socket=socket,
            session=self.session.pop(client_id, 0),
            model=in_model,
            db_store_ns=self.db_store_ns.pop(client_id, 0),
        )


def receiver_main(server: str) -> int:
    """Child: a ``ChatSession`` feeding a ``MessageListModel``; one JSON line per message.

    The model is fed as the window's controller feeds it (``messages_added`` → ``add``).
    ``ready`` is printed once the room's channel is subscribed and history caught up.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSocketNotifier
    from PySide6.QtWidgets import QApplication

    from desktopchat.client.domain import Message
    from desktopchat.client.login import Login
    from desktopchat.client.session import ChatSession
    from desktopchat.paths import app_dirs
    from desktopchat.ui.message_model import MessageListModel

    app = QApplication(sys.argv[:1])
    token = os.environ[TOKEN_ENV]
    client = RelayClient(server, token)
    login = Login(client.server_url, token, client.me(), client.server_info())
    room = next(r for r in client.rooms() if r.name == ROOM)
    client.close()
    stamps = _Stamps()
    stamps.wrap_pysher()
    session = ChatSession(login, app_dirs().data)
    stamps.wrap_store(session.database)
    model = MessageListModel(ROOM, login.user.id)

    def added(_room: str, messages: list[Message]) -> None:
        now = time.monotonic_ns()
        for m in messages:
            stamps.session[m.client_id] = now
        model.add(messages)

    def inserted(_parent: Any, first: int, last: int) -> None:
        now = time.monotonic_ns()
        for row in range(first, last + 1):
            stamps.report(model.row(row).client_id, now)

    waiting = {"subscription", "catch-up"}

    def done(what: str) -> None:
        if waiting:
            waiting.discard(what)
            if not waiting:
                emit("ready", rows=model.rowCount())

    session.sync.messages_added.connect(added)
    session.sync.catching_up.connect(
        lambda name, running: None if running or name != ROOM else done("catch-up")
    )
    session.bridge.subscribed.connect(
        lambda channel: done("subscription") if channel == room.channel else None
    )
    model.rowsInserted.connect(inserted)
    stdin = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    stdin.activated.connect(lambda: os.read(sys.stdin.fileno(), 4096) or app.quit())
    session.sync.watch(room, backlog=10)
    session.start()
    code = app.exec()
    session.close()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Child-process entry point (``run.py`` starts these; they are not for people)."""
    parser = argparse.ArgumentParser(description="bench_client child processes")
    sub = parser.add_subparsers(dest="mode", required=True)
    sub.add_parser("echo-server")
    receiver = sub.add_parser("receiver")
    receiver.add_argument("--server", required=True)
    args = parser.parse_args(argv)
    pin_singletons()
    if args.mode == "echo-server":
        return echo_server_main()
    return receiver_main(args.server)


if __name__ == "__main__":
    raise SystemExit(main())
