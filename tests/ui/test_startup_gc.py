"""The garbage collector during the window's start: paused, then frozen and back on.

A collection in the middle of a burst walked all of start-up's objects (the longest GUI
stall measured); these check the switch itself and that the window's start flips it.
"""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from desktopchat import startup_gc
from desktopchat.client.credentials import DeferredTokenStore
from desktopchat.commands import window as window_command
from desktopchat.ui import app


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Each test leaves the collector as it found it (on, nothing frozen)."""
    yield
    startup_gc.resume()
    gc.unfreeze()
    gc.enable()


def test_pause_stops_collection_until_resume_freezes_and_restarts_it() -> None:
    gc.unfreeze()
    startup_gc.pause()
    assert not gc.isenabled()
    startup_gc.resume()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # start-up's objects: never walked again


def test_resume_without_pause_leaves_a_disabled_collector_off() -> None:
    """Someone else turned collection off (an embedding host): resume is not theirs to undo."""
    gc.disable()
    startup_gc.resume()
    assert not gc.isenabled()


def test_the_window_command_starts_the_app_with_collection_paused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []

    def run(args: argparse.Namespace, dirs: Any) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(app, "run", run)
    assert window_command.run(argparse.Namespace(), None) == 0  # type: ignore[arg-type]
    assert seen == [False]


class _Window(QObject):
    """What ``_start_services_later`` uses of the main window (started in the tray)."""

    def __init__(self) -> None:
        super().__init__()
        self.started = 0
        self.tasks = self
        self.live = None

    def start_services(self) -> None:
        self.started += 1

    def run(self, *_args: object) -> None:
        """``window.tasks.run(store.open, ...)``: nothing to open here."""

    def add_notice(self, _text: str) -> None:
        """Unused: nothing is opened."""

    def isVisible(self) -> bool:  # noqa: N802 - Qt API
        return False


class _Painted(QObject):
    painted = Signal()


def test_history_on_screen_turns_collection_back_on(qtbot: QtBot) -> None:
    startup_gc.pause()
    window, painted = _Window(), _Painted()
    store = DeferredTokenStore(no_keyring=True)
    app._start_services_later(window, store, painted)  # type: ignore[arg-type]
    assert not gc.isenabled()
    painted.painted.emit()
    assert gc.isenabled()
    assert window.started == 1
