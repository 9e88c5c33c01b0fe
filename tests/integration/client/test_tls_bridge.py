"""The realtime bridge (pysher) over wss: pinned, and refused for good when the pin is wrong."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktopchat.client.realtime import ConnectionState, RealtimeBridge
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.tasks import TaskRunner
from tests.inbox import WAIT
from tests.integration.tls_fixtures import TlsHub

WAIT_MS = int(WAIT * 1000)
WRONG = "AB:" * 31 + "CD"


@pytest.fixture
def bridge_on(qtbot: QtBot) -> Iterator[list[RealtimeBridge]]:
    bridges: list[RealtimeBridge] = []
    yield bridges
    for bridge in bridges:
        bridge.stop()


def _bridge(hub: TlsHub, pin: str, bridges: list[RealtimeBridge]) -> RealtimeBridge:
    client = RelayClient(hub.url, pin=hub.fingerprint)
    info = client.server_info()
    client.close()
    assert info.tls
    bridge = RealtimeBridge(info, lambda *_: {}, TaskRunner(), pin=pin)
    bridges.append(bridge)
    return bridge


def test_the_bridge_connects_over_wss_with_the_pin(
    qtbot: QtBot, tls_hub: TlsHub, bridge_on: list[RealtimeBridge]
) -> None:
    bridge = _bridge(tls_hub, tls_hub.fingerprint, bridge_on)
    bridge.start()
    qtbot.waitUntil(lambda: bridge.state is ConnectionState.CONNECTED, timeout=WAIT_MS)


def test_a_changed_certificate_fails_the_bridge_for_good(
    qtbot: QtBot, tls_hub: TlsHub, bridge_on: list[RealtimeBridge]
) -> None:
    bridge = _bridge(tls_hub, WRONG, bridge_on)
    states: list[tuple[ConnectionState, str]] = []
    bridge.state_changed.connect(lambda state, reason, _: states.append((state, reason)))
    bridge.start()
    qtbot.waitUntil(lambda: bridge.state is ConnectionState.FAILED, timeout=WAIT_MS)
    reason = states[-1][1]
    assert "certificate changed" in reason
    assert tls_hub.fingerprint in reason
    assert ConnectionState.OFFLINE not in [s for s, _ in states], "no retry loop"
