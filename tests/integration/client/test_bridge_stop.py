"""Stopping the bridge while pysher is still opening its socket ends pysher's thread.

pysher creates its ``WebSocketApp`` in its own thread and only then runs it. A stop that
closed the socket mid-handshake leaked the raw socket (a ResourceWarning, which the suite
fails on) and made websocket-client log "'NoneType' object has no attribute 'sock'", and
pysher went on pinging the dead connection. Its ping scheduler thread outliving the
session (up to its 30 s pong timeout) made the client suite flaky under load.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktopchat.client.realtime import RealtimeBridge
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.tasks import TaskRunner
from desktopchat.server.runner import HubThread
from tests.inbox import WAIT
from tests.integration.conftest import base_url

pytestmark = pytest.mark.relay_stores("sqlite")

#: Rounds of start-then-stop at once: each lands somewhere in pysher's connect.
ROUNDS = 20


def pysher_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if type(t).__module__.startswith("pysher")]


@pytest.fixture
def tasks() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def test_a_stop_during_connect_leaves_no_socket_behind(
    qtbot: QtBot, relay_hub: HubThread, tasks: TaskRunner, caplog: pytest.LogCaptureFixture
) -> None:
    client = RelayClient(base_url(relay_hub))
    info = client.server_info()
    client.close()
    for _ in range(ROUNDS):
        bridge = RealtimeBridge(info, lambda *_: {}, tasks)
        bridge.start()
        bridge.stop()
    for thread in pysher_threads():
        thread.join(WAIT)
    alive = [t.name for t in pysher_threads() if t.is_alive()]
    assert alive == [], f"pysher threads still connected after stop: {alive}"
    # Nothing of ours (bridge, hub) or pysher's calls it an error. websocket-client itself
    # logs "… - goodbye" for a handshake it was told to abort; that is its way of saying so.
    errors = [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR and not r.name.startswith("websocket")
    ]
    assert errors == []
