"""Fixtures of the window's end-to-end tests: the real MainWindow on a real relay hub.

The window logs in through its own path (settings → profile → token store → relay) to a
relay-enabled hub from ``tests/integration/conftest.py``; the other side is a second user
writing through the relay's HTTP API (``RelayClient``) and reading with a real
``desktopchat tail`` process. The hub can be stopped and started again on the same port and
data, as a restarted server would be. Everything is stopped in teardown, pysher threads
included.
"""

from __future__ import annotations

import json
import os

# Before pytest-qt creates the QApplication: no display is needed here.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import pytest
import shiboken6
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from desktopchat.client.credentials import MemoryTokenStore
from desktopchat.client.domain import Message
from desktopchat.client.outbox import OutboxItem
from desktopchat.client.realtime import ConnectionState
from desktopchat.client.relay_client import RelayClient, normalize_server_url
from desktopchat.client.settings import Profile, Settings
from desktopchat.paths import app_dirs
from desktopchat.server.runner import HubThread
from desktopchat.ui.main_window import MainWindow
from desktopchat.ui.message_model import MessageListModel
from tests.inbox import WAIT, Inbox
from tests.integration.conftest import Api, base_url

#: Milliseconds for qtbot waits on things that happen at once on loopback.
WAIT_MS = int(WAIT * 1000)
#: Module marks: any Qt warning fails the test, but the offscreen platform's note that it
#: cannot propagate size hints (printed whenever a top-level window is shown).
QT_CLEAN = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]
#: Reconnect and resend delays: fast, but still the real back-off code.


class HubControl:
    """The relay hub of the test, which can be stopped and started again on its port."""

    def __init__(self, first: HubThread) -> None:
        self._config = first.config
        self.port = first.port
        self.url = normalize_server_url(base_url(first))
        self.current: HubThread | None = first
        self._started: list[HubThread] = []

    @property
    def relay_data_dir(self) -> Path:
        """Where the relay keeps its database (to change it while the hub is down)."""
        assert self._config.relay is not None
        return self._config.relay.data_dir

    def stop(self) -> None:
        """Stop listening (clients get 4100, then connection refused)."""
        hub, self.current = self.current, None
        assert hub is not None, "the hub is not running"
        hub.stop()

    def start(self) -> None:
        """Listen again on the same port, with the same credentials and data."""
        assert self.current is None, "the hub is running"
        hub = HubThread(replace(self._config, port=self.port))
        self._started.append(hub)
        hub.start()
        self.current = hub

    def close(self) -> None:
        """Teardown: stop the hubs this control started (the first one is the fixture's)."""
        for hub in self._started:
            hub.stop()


@pytest.fixture
def hub_control(relay_hub: HubThread) -> Iterator[HubControl]:
    """The relay hub, with stop and start again; hubs started again are stopped afterwards."""
    control = HubControl(relay_hub)
    yield control
    control.close()


@dataclass
class Chat:
    """The window as alice, and bob on the other side."""

    window: MainWindow
    hub: HubControl
    alice: Api
    bob: Api
    bob_client: RelayClient

    @property
    def url(self) -> str:
        return self.hub.url

    @property
    def model(self) -> MessageListModel:
        """The message model on screen."""
        model = self.window.messages.model()
        assert isinstance(model, MessageListModel)
        return model

    def rows(self) -> list[Message | OutboxItem]:
        model = self.model
        return [model.row(r) for r in range(model.rowCount())]

    def rows_with(self, text: str) -> list[Message | OutboxItem]:
        return [r for r in self.rows() if r.text == text]

    def bob_says(self, text: str, room: str = "general") -> Message:
        """Bob sends ``text`` through the relay's HTTP API; the stored message."""
        return self.bob_client.send(room, text, f"bob-{uuid.uuid4().hex}")


def wait_for_pysher_threads(timeout: float = WAIT) -> None:
    """Join pysher's event-loop threads (their sockets are closed; each ends on its own)."""
    for thread in threading.enumerate():
        if type(thread).__module__.startswith("pysher"):
            thread.join(timeout)
            assert not thread.is_alive(), f"pysher thread {thread.name} outlived the window"


def close_window(qtbot: QtBot, window: MainWindow) -> None:
    """Quit as the user would, then wait until nothing of the session is left running.

    ``quit`` rather than ``close``: with a system tray, closing only hides the window.
    """
    if not shiboken6.isValid(window):
        return  # the test closed it already
    session = window.session
    timers = session.findChildren(QTimer) if session is not None else []
    window.quit()
    assert not window.isVisible()
    assert window.session is None
    qtbot.waitUntil(
        lambda: all(not shiboken6.isValid(t) or not t.isActive() for t in timers),
        timeout=WAIT_MS,
    )
    wait_for_pysher_threads()
    window.deleteLater()


@pytest.fixture
def chat(
    qtbot: QtBot,
    hub_control: HubControl,
    fast_backoff: None,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Chat]:
    """The main window, logged in as alice through her profile and stored token, on #general.

    #random exists too (created by bob before the window opened).
    """
    monkeypatch.delenv("DESKTOPCHAT_TOKEN", raising=False)  # the stored token must be used
    hub = hub_control
    api = Api(hub.url)
    alice = api.signed_up("alice", display_name="Alice")
    bob = api.signed_up("bob", display_name="Bob")
    bob_client = RelayClient(hub.url, bob.token)
    bob_client.create_room("random", "Off topic")
    store = MemoryTokenStore()
    store.set(hub.url, "alice", str(alice.token))
    profile = Profile("test", hub.url, "alice")
    settings = Settings(profiles={"test": profile}, current="test")
    window = MainWindow(app_dirs(), settings, store, [])
    try:
        window.show()
        window.activateWindow()
        # Messages in the room on screen of an active window are read at once.
        qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
        window.open_profile(profile)
        qtbot.waitUntil(lambda: shows_room(window, "general"), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: connected(window), timeout=WAIT_MS)
        # Presence on #general succeeded: alice is listed among its members.
        qtbot.waitUntil(lambda: member_names(window) == ["Alice"], timeout=WAIT_MS)
        yield Chat(window, hub, alice, bob, bob_client)
    finally:
        close_window(qtbot, window)
        bob_client.close()


def shows_room(window: MainWindow, name: str) -> bool:
    controller = window.controller
    return (
        controller is not None
        and controller.current is not None
        and controller.current.name == name
        and window.messages.model() is controller.model(name)
    )


def connected(window: MainWindow) -> bool:
    session = window.session
    return session is not None and session.bridge.state is ConnectionState.CONNECTED


def member_names(window: MainWindow) -> list[str]:
    return [window.members.item(r).text() for r in range(window.members.count())]


# ------------------------------------------------------------------------ desktopchat tail


class TailProcess:
    """``desktopchat tail --json`` as another user; its output lines land in Inboxes."""

    def __init__(self, url: str, token: str, home: Path, *options: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DESKTOPCHAT_")}
        env |= {
            "DESKTOPCHAT_HOME": str(home),
            "DESKTOPCHAT_NO_KEYRING": "1",
            "DESKTOPCHAT_TOKEN": token,
            "PYTHONUNBUFFERED": "1",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "desktopchat", "tail", "--server", url, "--json", *options],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.stdout = Inbox()
        self.stderr = Inbox()
        self._readers = [
            threading.Thread(target=_read, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=_read, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def close(self) -> None:
        """SIGTERM (tail ends its event loop cleanly), then reap; kill if it hangs."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for reader in self._readers:
            reader.join(WAIT)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def _read(stream: IO[str], inbox: Inbox) -> None:
    for line in stream:
        inbox.put(line.rstrip("\n"))


@pytest.fixture
def tail(tmp_path: Path) -> Iterator[Callable[..., TailProcess]]:
    """Start ``desktopchat tail`` processes (own DESKTOPCHAT_HOME each); all stopped after."""
    processes: list[TailProcess] = []

    def start(url: str, token: str, *options: str) -> TailProcess:
        process = TailProcess(url, token, tmp_path / f"tail-home-{len(processes)}", *options)
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.close()


def json_lines(lines: list[str]) -> list[dict[str, Any]]:
    """tail's ``--json`` records (every stdout line must be one)."""
    return [json.loads(line) for line in lines]
