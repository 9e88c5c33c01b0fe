"""Clients that stop reading are cut off, whatever they do, and cost the hub bounded memory.

A slow reader here is a real TCP client with a tiny receive buffer that completes the
WebSocket handshake, subscribes, and never reads again: its window closes, and everything
the hub sends it piles up on the hub's side.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pusher
import pytest
import websocket

from desktopchat.server.credentials import AppCredentials
from desktopchat.server.runner import HubThread
from tests.conftest import PysherClient
from tests.hub_peers import server_library, slow_reader
from tests.inbox import WAIT, Inbox
from tests.polling import wait_until

CHANNEL = "slow-news"
#: A 5 KB event, as in the attack run.
DATA = json.dumps({"text": "x" * 5000})
#: Events triggered at most before the test gives up on the hub dropping anyone (~20 MB).
MAX_EVENTS = 4000


def subscribers(hub: HubThread) -> int:
    """Sockets the hub has on the channel right now."""
    count = hub.call(lambda: hub.running.hub.core.subscription_count(CHANNEL))
    assert isinstance(count, int)
    return count


def trigger_until(rest: pusher.Pusher, done: Callable[[], bool]) -> int:
    """Trigger 5 KB events, ten to a batch, until ``done()``; how many were triggered."""
    sent = 0
    while sent < MAX_EVENTS and not done():
        batch = [{"channel": CHANNEL, "name": "news", "data": DATA} for _ in range(10)]
        rest.trigger_batch(batch)
        sent += len(batch)
    return sent


@pytest.fixture
def sockets() -> Iterator[list[websocket.WebSocket]]:
    """Raw sockets a test opened, closed afterwards."""
    opened: list[websocket.WebSocket] = []
    yield opened
    for ws in opened:
        ws.shutdown()


def test_readers_that_stop_reading_are_cut_off_and_the_others_get_everything(
    start_hub: Callable[..., HubThread],
    credentials: AppCredentials,
    sockets: list[websocket.WebSocket],
) -> None:
    hub = start_hub()
    reader = PysherClient(credentials.key, hub.port)
    received = Inbox()
    reader.on_connect(lambda: reader.pusher.subscribe(CHANNEL).bind("news", received.put))
    try:
        reader.connect()
        sockets.extend(slow_reader(hub.port, credentials.key, CHANNEL, WAIT) for _ in range(3))
        wait_until(lambda: subscribers(hub) == 4, "four subscribers")

        sent = trigger_until(server_library(hub.port, credentials), lambda: subscribers(hub) == 1)

        assert subscribers(hub) == 1, f"slow readers still subscribed after {sent} events"
        assert hub.call(lambda: hub.running.hub.core.connection_count) == 1
        # The one that reads missed nothing, and was never dropped itself.
        received.wait_count(sent, f"all {sent} events at the reading client", timeout=3 * WAIT)
        assert reader.connections == 1
    finally:
        reader.close()


def test_a_close_stuck_behind_an_unread_write_is_forced_within_the_close_timeout(
    start_hub: Callable[..., HubThread],
    credentials: AppCredentials,
    sockets: list[websocket.WebSocket],
) -> None:
    # The byte limit is out of reach here, so only the close path can free the socket: the
    # hub pings a silent client, then closes it (4201), behind writes that never drain.
    hub = start_hub(
        max_queued_bytes=1024**3, activity_timeout=1, pong_timeout=0.5, close_timeout=1.0
    )
    sockets.append(slow_reader(hub.port, credentials.key, CHANNEL, WAIT))
    wait_until(lambda: subscribers(hub) == 1, "the slow reader's subscription")
    rest = server_library(hub.port, credentials)
    for _ in range(100):  # 5 MB: more than the kernel buffers of both ends hold
        rest.trigger_batch([{"channel": CHANNEL, "name": "news", "data": DATA}] * 10)

    wait_until(lambda: subscribers(hub) == 0, "the silent, stuck client to be dropped")
    assert hub.call(lambda: hub.running.hub.core.connection_count) == 0
