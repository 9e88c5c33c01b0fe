"""Slow readers against a real hub process: how fast they are dropped, and the hub's memory.

The attack from issue 12: 100 WebSockets that subscribe and never read (a small receive
buffer, so the TCP window closes), while 2,500 events of 5 KB are triggered on their
channel. Prints the hub's RSS before, at its peak and after, and when the slow readers
were dropped (from the hub's own ``subscription_count``). Not part of the test suite::

    .venv/bin/python tests/benchmarks/slow_readers.py [--readers 100] [--events 2500]

The hub runs as ``python -m desktopchat serve`` in the current directory, so running the
script from another checkout measures that checkout's hub.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this file's directory is on sys.path but the repository root is not.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pusher

from desktopchat.server.credentials import generate
from tests.benchmarks.bench_hub import HubProcess, spawn_hub, stop_hub
from tests.hub_peers import server_library, slow_reader
from tests.polling import wait_until

CHANNEL = "slow-news"
DATA = json.dumps({"text": "x" * 5000})
#: Seconds to keep watching for drops after the last event.
GRACE_S = 15.0


def subscriptions(rest: pusher.Pusher) -> int:
    """The hub's count of sockets on the channel (0 once it is vacated)."""
    info = rest.channel_info(CHANNEL, ["subscription_count"])
    return int(info.get("subscription_count", 0))


def mib(kib: int) -> str:
    """KiB as MiB with one decimal."""
    return f"{kib / 1024:.1f} MiB"


def watch(hub: HubProcess, rest: pusher.Pusher, key: str, readers: int, events: int) -> None:
    """Run the attack on ``hub`` and print what happened."""
    sockets = [slow_reader(hub.port, key, CHANNEL, timeout=10) for _ in range(readers)]
    wait_until(lambda: subscriptions(rest) >= readers, f"{readers} subscriptions", timeout=30)
    before = hub.status_kib("VmRSS")
    started = time.monotonic()
    sent = 0
    dropped_at: float | None = None
    dropped_after_events: int | None = None
    while sent < events:
        rest.trigger_batch([{"channel": CHANNEL, "name": "news", "data": DATA}] * 10)
        sent += 10
        if dropped_at is None and sent % 50 == 0 and subscriptions(rest) == 0:
            dropped_at, dropped_after_events = time.monotonic() - started, sent
    triggered_s = time.monotonic() - started
    if dropped_at is None:
        # The hub's table sends no signal: ask it (tests.polling) until the readers are gone.
        try:
            wait_until(lambda: subscriptions(rest) == 0, "the slow readers dropped", GRACE_S)
        except AssertionError:
            pass
        else:
            dropped_at, dropped_after_events = time.monotonic() - started, sent
    left = subscriptions(rest)
    print(f"slow readers: {readers}, events: {sent} x 5 KB in {triggered_s:.1f} s")
    print(f"hub RSS: before {mib(before)}, peak {mib(hub.status_kib('VmHWM'))}, ", end="")
    print(f"after {mib(hub.status_kib('VmRSS'))}")
    if dropped_at is None:
        print(f"NOT dropped: {left} still subscribed {GRACE_S:.0f} s after the last event")
    else:
        print(
            f"all dropped {dropped_at:.2f} s after the first event"
            f" (by event {dropped_after_events})"
        )
    for ws in sockets:
        ws.shutdown()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--events", type=int, default=2500)
    args = parser.parse_args()
    creds = generate()
    with tempfile.TemporaryDirectory(prefix="slow-readers-") as home:
        hub = await spawn_hub(creds, Path(home), "hub")
        try:
            rest = server_library(hub.port, creds)
            await asyncio.to_thread(watch, hub, rest, creds.key, args.readers, args.events)
        finally:
            await stop_hub(hub)


if __name__ == "__main__":
    asyncio.run(main())
