"""Reconnect triggers: the network coming back, and the machine waking from sleep."""

from __future__ import annotations

import pytest
from PySide6.QtNetwork import QNetworkInformation
from pytestqt.qtbot import QtBot

from desktopchat.client import wakeups
from desktopchat.client.wakeups import Wakeups


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A wall clock the test moves by hand."""
    now = [1_000_000.0]
    monkeypatch.setattr(wakeups.time, "time", lambda: now[0])
    return now


def test_a_jump_of_the_wall_clock_means_the_machine_slept(qtbot: QtBot, clock: list[float]) -> None:
    watcher = Wakeups()
    clock[0] += wakeups.TICK_MS / 1000 + 120
    with qtbot.waitSignal(watcher.reconnect_now) as woke:
        watcher._tick()
    assert "woke after" in woke.args[0]


def test_ordinary_ticks_are_not_sleep(qtbot: QtBot, clock: list[float]) -> None:
    watcher = Wakeups()
    seen: list[str] = []
    watcher.reconnect_now.connect(seen.append)
    for _ in range(5):
        clock[0] += wakeups.TICK_MS / 1000 + 1  # a busy machine, late by a second
        watcher._tick()
    assert seen == []


def test_the_network_coming_back_asks_for_a_reconnect(qtbot: QtBot) -> None:
    watcher = Wakeups()
    watcher.start()
    seen: list[str] = []
    watcher.reconnect_now.connect(seen.append)
    watcher._reachability(QNetworkInformation.Reachability.Disconnected)
    watcher._reachability(QNetworkInformation.Reachability.Online)
    assert seen == ["the network is back"]


def test_nothing_is_watched_until_started(qtbot: QtBot) -> None:
    """The window makes its session before the first paint and starts it after."""
    watcher = Wakeups()
    assert not watcher._timer.isActive()
    watcher.start()
    assert watcher._timer.isActive()
    watcher.stop()
    assert not watcher._timer.isActive()
