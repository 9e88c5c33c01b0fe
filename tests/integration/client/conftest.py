"""Fixtures for the client core's integration tests: real hubs, sessions, CLI processes, D-Bus.

Nothing is mocked. Hubs are relay-enabled ``HubThread`` objects (which can be stopped and
started again on the same port and data dir) or ``desktopchat serve`` processes the CLI
starts by itself; sessions are real ``ChatSession`` objects on pysher; the keyring is a real
gnome-keyring behind a private D-Bus session bus.
"""

from __future__ import annotations

import contextlib
import os

# Before pytest-qt creates the QApplication: no display is needed (or wanted) here.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring.backend
import keyring.core
import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from desktopchat.client.session import ChatSession
from tests.inbox import WAIT
from tests.integration.client.helpers import (
    Account,
    CliProcess,
    stop_embedded_hubs,
)
from tests.private_bus import PrivateBus, clean_env, end_process

#: Reconnect and resend delays for in-process sessions: fast, but still real back-off.


@pytest.fixture
def open_session(
    qtbot: QtBot, fast_backoff: None, tmp_path: Path
) -> Iterator[Callable[..., ChatSession]]:
    """Open ``ChatSession`` objects (data under ``tmp_path/client``); all closed afterwards.

    Closing twice is harmless, so tests may close a session themselves. After closing, waits
    for pysher's threads to end, so no socket outlives the test.
    """
    sessions: list[ChatSession] = []

    def make(account: Account, data_dir: Path | None = None) -> ChatSession:
        session = ChatSession(account.login, data_dir or tmp_path / "client")
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()
    # Closed means quiet: no timer may fire into a closed session afterwards (an error it
    # raises in the Qt event loop would otherwise be blamed on a later test).
    qtbot.waitUntil(
        lambda: not any(t.isActive() for s in sessions for t in s.findChildren(QTimer)),
        timeout=int(WAIT * 1000),
    )
    wait_for_pysher_threads()


def wait_for_pysher_threads(timeout: float = WAIT) -> None:
    """Join pysher's event-loop threads (their sockets are closed; each ends on its own)."""
    for thread in threading.enumerate():
        if type(thread).__module__.startswith("pysher"):
            thread.join(timeout)
            assert not thread.is_alive(), f"pysher thread {thread.name} outlived its session"


# ---------------------------------------------------------------------------- CLI processes


@pytest.fixture
def cli_env(desktopchat_home: Path) -> dict[str, str]:
    """The environment of CLI subprocesses: this test's DESKTOPCHAT_HOME, no keyring, no token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKTOPCHAT_")}
    env["DESKTOPCHAT_HOME"] = str(desktopchat_home)
    env["DESKTOPCHAT_NO_KEYRING"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    yield env
    _forget_viable_keyrings()


@pytest.fixture
def cli(desktopchat_home: Path) -> Iterator[Callable[..., CliProcess]]:
    """Start long-running CLI commands (``tail``); each is stopped and reaped afterwards.

    Embedded hubs the commands started (they outlive their client on purpose) are found by
    their data dir under this test's DESKTOPCHAT_HOME and stopped too.
    """
    processes: list[CliProcess] = []

    def start(*args: str, env: dict[str, str]) -> CliProcess:
        process = CliProcess(list(args), env)
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.close()
    stop_embedded_hubs(desktopchat_home / "data" / "hub")


# ----------------------------------------------------------------- a real Secret Service

SECRET_SERVICE_PACKAGES = {
    "dbus-daemon": "dbus",
    "gnome-keyring-daemon": "gnome-keyring",
    "secret-tool": "libsecret-tools",
    "gdbus": "libglib2.0-bin",
}


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private D-Bus session bus with an unlocked gnome-keyring on it; yields its address.

    Fails (never skips) when the daemons are missing or do not come up: the credential
    tests are meaningless without a real Secret Service.
    """
    missing = sorted({pkg for cmd, pkg in SECRET_SERVICE_PACKAGES.items() if not shutil.which(cmd)})
    if missing:
        pytest.fail(
            f"the Secret Service tests need Debian packages {', '.join(missing)} "
            "(listed in .ci/lib.sh TEST_SYSTEM_PACKAGES; `.ci/test` installs them)"
        )
    root = tmp_path_factory.mktemp("secret-service")
    with PrivateBus.start(root) as bus:
        env = bus.env(clean_env(root))
        keyring_daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert keyring_daemon.stdin is not None
            keyring_daemon.stdin.write("test keyring password")  # --unlock reads it until EOF
            keyring_daemon.stdin.close()
            waited = subprocess.run(
                [
                    "gdbus",
                    "wait",
                    "--session",
                    "--timeout",
                    str(int(WAIT)),
                    "org.freedesktop.secrets",
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=WAIT + 5,
                check=False,
            )
            if waited.returncode != 0 or keyring_daemon.poll() is not None:
                stderr = keyring_daemon.stderr.read() if keyring_daemon.poll() is not None else ""
                pytest.fail(
                    "gnome-keyring-daemon did not take org.freedesktop.secrets on the private "
                    f"bus: {waited.stderr.strip()} {stderr.strip()}".strip()
                )
            yield bus.address
        finally:
            end_process(keyring_daemon)


def _forget_viable_keyrings() -> None:
    """Clear keyring's once-per-process list of viable backends (KeyError: never made)."""
    with contextlib.suppress(KeyError):
        keyring.backend.get_all_keyring.reset()  # type: ignore[attr-defined]


@pytest.fixture
def keyring_env(secret_service: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """This test talks to the private Secret Service; returns the env for CLI subprocesses.

    keyring caches its backend, and the list of viable backends, per process: both are
    cleared here and again afterwards, so later tests do not find a Secret Service whose
    bus is gone.
    """
    _forget_viable_keyrings()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service)
    monkeypatch.delenv("DESKTOPCHAT_NO_KEYRING", raising=False)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKTOPCHAT_")}
    env["DESKTOPCHAT_HOME"] = os.environ["DESKTOPCHAT_HOME"]
    env["PYTHONUNBUFFERED"] = "1"
    yield env
    _forget_viable_keyrings()
