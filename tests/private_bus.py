"""A D-Bus session bus of the tests' own, isolated from any desktop the tests run in.

Its config has *no service directories*, so nothing is D-Bus-activated behind the tests'
back: a stock session bus would start the system's dunst (or a second, locked
gnome-keyring that makes every keyring call hang on a prompt) the moment anyone asks.
Used by the notification tests and the Secret Service tests.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.inbox import WAIT

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={socket_dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def clean_env(root: Path) -> dict[str, str]:
    """This process's environment without any desktop session in it, HOME under ``root``."""
    session_vars = ("DBUS_", "XDG_", "DISPLAY", "WAYLAND_", "GNOME_", "KDE_", "DESKTOP_SESSION")
    env = {k: v for k, v in os.environ.items() if not k.startswith(session_vars)}
    env["HOME"] = str(private_dir(root / "home"))
    env["XDG_RUNTIME_DIR"] = str(private_dir(root / "runtime"))
    env["XDG_CONFIG_HOME"] = str(private_dir(root / "config"))
    return env


def end_process(process: subprocess.Popen[Any]) -> None:
    """Terminate ``process``, kill it if it lingers, reap it and close its pipes."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def read_line(fd: int, what: str, process: subprocess.Popen[Any]) -> str:
    """One line written to ``fd`` by ``process`` within WAIT seconds, or fail."""
    data = b""
    deadline = time.monotonic() + WAIT
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(remaining, 0))
        if not ready:
            pytest.fail(f"no {what} within {WAIT} s (exit code {process.poll()})")
        chunk = os.read(fd, 256)
        if not chunk:
            pytest.fail(f"no {what}: the program exited with {process.wait(WAIT)}")
        data += chunk
    return data.decode().strip()


@dataclass
class PrivateBus:
    """A ``dbus-daemon`` session bus of the tests' own, with nothing activatable on it."""

    address: str
    process: subprocess.Popen[bytes]

    @classmethod
    @contextlib.contextmanager
    def start(cls, root: Path) -> Iterator[PrivateBus]:
        """Run a bus under ``root``; ended (and reaped) on exit."""
        sockets = private_dir(root / "sockets")
        config = root / "bus.conf"
        config.write_text(BUS_CONFIG.format(socket_dir=sockets), encoding="utf-8")
        process = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--print-address=1", "--nofork"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # "Failed to set fd limit" when not root
            env=clean_env(root),
        )
        try:
            assert process.stdout is not None
            address = read_line(process.stdout.fileno(), "dbus-daemon address", process)
            yield cls(address, process)
        finally:
            end_process(process)

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """``base`` with this bus as the session bus."""
        return {**base, "DBUS_SESSION_BUS_ADDRESS": self.address}
