"""A private desktop for the notification tests: Xvfb, a D-Bus session bus, and dunst.

Everything is real and isolated from any desktop the tests run in: ``Xvfb`` picks a free
display itself (``-displayfd``: no guessing, no race with another X server starting, and
it reports the number only once it accepts connections); ``dbus-daemon`` runs a session bus
with a config that has *no service directories*, so nothing is D-Bus-activated behind the
tests' back (a stock session bus would start the system's ``/usr/bin/dunst`` through
``org.knopwob.dunst.service`` the moment anyone calls ``org.freedesktop.Notifications``,
which would also make "a bus with no notification server" impossible); ``dunst`` 1.9 draws
on that display with a test config (nothing times out, markup on, one rule for actions).

``dunstctl`` is what a person's scripts use to see and drive dunst: ``count``, ``history``
(JSON with ``appname``, ``summary``, ``body``, ``category``...), ``close-all``, and
``action N`` which performs the *default action* of the N-th displayed notification, that
is, dunst itself sends ``ActionInvoked(id, <action_name>)`` to the client — the same signal
a click sends (dunst's ``action_name`` rule setting chooses which action that is).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus
from pytestqt.qtbot import QtBot

from tests import polling, private_bus
from tests.inbox import WAIT
from tests.private_bus import clean_env, end_process, read_line

T = TypeVar("T")

#: Programs the notification tests run, and the Debian package of each.
PROGRAMS = {
    "Xvfb": "xvfb",
    "dbus-daemon": "dbus-daemon",
    "dbus-send": "dbus-bin",
    "dunst": "dunst",
    "dunstctl": "dunst",
    "busctl": "systemd",  # `dunstctl history` calls `busctl --user --json=pretty`
}

#: The room whose notification's default action is "mark-read" (see DUNSTRC).
MARK_READ_ROOM = "markread"

DUNSTRC = f"""[global]
    markup = full
    history_length = 200
    idle_threshold = 0
    icon_position = off

# Nothing disappears by itself while a test looks at it.
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0

# `dunstctl action` on a notification of #{MARK_READ_ROOM} invokes its "mark-read" button
# (dunst 1.9 has no command to press a named button; its context menu needs dmenu).
[mark_read_room]
    summary = "*#{MARK_READ_ROOM}*"
    action_name = "mark-read"
"""


def require_commands() -> None:
    """Fail (never skip) naming the Debian packages to install when a program is missing."""
    missing = sorted({pkg for cmd, pkg in PROGRAMS.items() if shutil.which(cmd) is None})
    if missing:
        pytest.fail(
            "the notification tests need a real notification server: "
            f"apt-get install -y {' '.join(missing)}"
        )


def wait_until(
    predicate: Callable[[], T], what: str, timeout: float = WAIT, qtbot: QtBot | None = None
) -> T:
    """Poll ``predicate`` (an external daemon's state) until truthy; fail after ``timeout``.

    Only for daemons that cannot signal us (dunst's counters, a bus name being taken):
    everything inside this process is waited for with signals instead. With ``qtbot`` the
    Qt event loop keeps running between polls (needed when the app must act meanwhile).
    """
    if qtbot is not None:
        found: list[T] = []

        def check() -> bool:
            value = predicate()
            if value:
                found.append(value)
            return bool(value)

        try:
            qtbot.waitUntil(check, timeout=int(timeout * 1000))
        except qtbot.TimeoutError:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None
        return found[0]
    return polling.wait_until(predicate, what, timeout)


class PrivateBus(private_bus.PrivateBus):
    """The shared private bus, plus what the notification tests ask of it."""

    def has_owner(self, name: str) -> bool:
        """``NameHasOwner(name)`` asked with ``dbus-send``, as any client would."""
        answer = subprocess.run(
            [
                "dbus-send",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/",
                "org.freedesktop.DBus.NameHasOwner",
                f"string:{name}",
            ],
            env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": self.address},
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=True,
        )
        return "boolean true" in answer.stdout

    def emit(self, *signals: Message) -> None:
        """Send ``signals`` in this order from one connection of our own (D-Bus keeps the
        order of one sender's messages, so a receiver sees them in this order too).

        Returns once the bus has routed them all: the bus answers a call after it has
        dispatched every message the caller sent before it, so a message anyone sends after
        this returns reaches each receiver after these.
        """

        async def send_all() -> None:
            bus = await MessageBus(bus_address=self.address).connect()
            try:
                for signal in signals:
                    await bus.send(signal)
                routed = await bus.call(
                    Message(
                        destination="org.freedesktop.DBus",
                        path="/org/freedesktop/DBus",
                        interface="org.freedesktop.DBus",
                        member="GetId",
                    )
                )
                assert routed is not None
                assert routed.message_type is MessageType.METHOD_RETURN, routed.body
            finally:
                bus.disconnect()
                await bus.wait_for_disconnect()

        asyncio.run(send_all())


def start_xvfb(root: Path, stack: contextlib.ExitStack) -> str:
    """Xvfb on a display it picks itself; its ``:N`` once it accepts connections."""
    read_end, write_end = os.pipe()
    try:
        with (root / "xvfb.log").open("wb") as log:
            process = subprocess.Popen(
                [
                    "Xvfb",
                    "-displayfd",
                    str(write_end),
                    "-nolisten",
                    "tcp",
                    "-screen",
                    "0",
                    "1280x800x24",
                ],
                pass_fds=(write_end,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=clean_env(root),
            )
        stack.callback(end_process, process)
        os.close(write_end)
        write_end = -1
        return ":" + read_line(read_end, "display number from Xvfb -displayfd", process)
    finally:
        os.close(read_end)
        if write_end != -1:
            os.close(write_end)


@dataclass
class NotificationDesktop:
    """Xvfb + a private session bus + dunst owning ``org.freedesktop.Notifications``."""

    display: str
    bus: PrivateBus
    env: dict[str, str]
    dunst: subprocess.Popen[bytes]
    dunst_log: Path

    @classmethod
    @contextlib.contextmanager
    def start(cls, root: Path) -> Iterator[NotificationDesktop]:
        """Start all three; all ended (and reaped) on exit, in reverse order."""
        with contextlib.ExitStack() as stack:
            display = start_xvfb(root, stack)
            bus = stack.enter_context(PrivateBus.start(root / "bus"))
            env = bus.env(clean_env(root)) | {"DISPLAY": display}
            config = root / "dunstrc"
            config.write_text(DUNSTRC, encoding="utf-8")
            log = root / "dunst.log"
            with log.open("wb") as output:
                dunst = subprocess.Popen(
                    ["dunst", "-config", str(config)],
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            stack.callback(end_process, dunst)
            desktop = cls(display, bus, env, dunst, log)
            wait_until(desktop._serving, "dunst to own org.freedesktop.Notifications")
            yield desktop

    def _serving(self) -> bool:
        if self.dunst.poll() is not None:
            pytest.fail(f"dunst exited with {self.dunst.returncode}: {self.log_text()}")
        return self.bus.has_owner("org.freedesktop.Notifications")

    def log_text(self) -> str:
        """What dunst printed."""
        return self.dunst_log.read_text(encoding="utf-8", errors="replace")

    # ----------------------------------------------------------------- dunstctl

    def dunstctl(self, *args: str) -> str:
        """Run ``dunstctl ARGS`` against this dunst; its stdout."""
        done = subprocess.run(
            ["dunstctl", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )
        assert done.returncode == 0, f"dunstctl {' '.join(args)}: {done.stderr}"
        return done.stdout

    def count(self, kind: str = "displayed") -> int:
        """``dunstctl count displayed|waiting|history``."""
        return int(self.dunstctl("count", kind).strip())

    def displayed(self) -> int:
        """How many notifications are on screen, once dunst has placed all it received."""
        wait_until(lambda: self.count("waiting") == 0, "dunst to place waiting notifications")
        return self.count("displayed")

    def wait_displayed(self, n: int, qtbot: QtBot | None = None) -> None:
        """Wait until exactly ``n`` notifications are on screen (Qt running, with ``qtbot``)."""
        wait_until(
            lambda: self.count("displayed") == n, f"{n} notification(s) on screen", qtbot=qtbot
        )

    def close_all(self) -> None:
        """``dunstctl close-all``: everything on screen moves to the history."""
        self.dunstctl("close-all")
        self.wait_displayed(0)

    def history(self) -> list[dict[str, Any]]:
        """``dunstctl history``, newest first, each entry as ``{field: value}``."""
        document = json.loads(self.dunstctl("history"))
        return [{k: v["data"] for k, v in entry.items()} for entry in document["data"][0]]

    def history_entry(self, notification_id: int) -> dict[str, Any]:
        """The history entry of notification ``notification_id`` (closed, hence listed)."""
        entries = [e for e in self.history() if e["id"] == notification_id]
        assert len(entries) == 1, (notification_id, self.history())
        return entries[0]

    def invoke_default_action(self, position: int = 0) -> None:
        """``dunstctl action N``: dunst performs the N-th displayed notification's default
        action (sends ``ActionInvoked``), as a click on it does."""
        self.dunstctl("action", str(position))
