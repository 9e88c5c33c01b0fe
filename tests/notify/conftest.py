"""Fixtures of the notification tests: a real notification server on a private desktop.

Widgets run on the ``offscreen`` platform. The freedesktop tests talk to a real ``dunst``
drawing on its own ``Xvfb`` display and owning ``org.freedesktop.Notifications`` on a
private D-Bus session bus (see :mod:`tests.notify.desktop`); the bus address is put in this
process's environment for the whole module, so :class:`FreedesktopBackend` finds it the way
it finds a user's session bus. What dunst 1.9 lacks (inline replies, ``Inhibited``) is tested
against a stand-in server of the tests' own on a bus of its own (:mod:`tests.notify.standin`).
"""

from __future__ import annotations

import os

# Before pytest-qt creates the QApplication: these tests need no display of their own.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.notify.desktop import NotificationDesktop, PrivateBus, require_commands
from tests.notify.standin import StandInServer


@pytest.fixture(scope="module")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NotificationDesktop]:
    """Xvfb, a private session bus and dunst on it; DBUS_SESSION_BUS_ADDRESS points there.

    Fails (never skips) when a program is missing, naming the Debian packages to install.
    All three daemons are ended (and reaped) after the module.
    """
    require_commands()
    root: Path = tmp_path_factory.mktemp("notification-desktop")
    with NotificationDesktop.start(root) as started, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBUS_SESSION_BUS_ADDRESS", started.bus.address)
        yield started


@pytest.fixture
def empty_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateBus]:
    """A second private session bus with nothing on it (no notification server, and no
    service files, so nothing gets D-Bus-activated); DBUS_SESSION_BUS_ADDRESS points there
    for this test."""
    require_commands()
    with PrivateBus.start(tmp_path / "empty-bus") as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        yield bus


@pytest.fixture
def standin(empty_bus: PrivateBus) -> Iterator[StandInServer]:
    """The stand-in notification server (inline reply, ``Inhibited``; see
    :mod:`tests.notify.standin`) owning ``org.freedesktop.Notifications`` on ``empty_bus``,
    which is this test's session bus. Stopped, its connection closed, after the test."""
    with StandInServer.running(empty_bus.address) as server:
        yield server
