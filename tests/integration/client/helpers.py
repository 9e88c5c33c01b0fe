"""Helpers of the client integration tests: hubs, accounts, session recorders, CLI processes."""

from __future__ import annotations

import gc
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from desktopchat.client.domain import Message, Room
from desktopchat.client.login import Login
from desktopchat.client.realtime import ConnectionState
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.session import ChatSession
from desktopchat.server.credentials import AppCredentials
from desktopchat.server.hub import HubConfig
from desktopchat.server.relay.service import RelayConfig
from desktopchat.server.runner import HubThread
from tests.inbox import WAIT, Inbox
from tests.integration.conftest import PASSWORD

#: How long a Qt wait (``qtbot.waitUntil``, ``waitSignal``) may take, in milliseconds.
TIMEOUT_MS = int(WAIT * 1000)


class Recorder:
    """Everything a session's sync engine and bridge emitted, in order."""

    def __init__(self, session: ChatSession) -> None:
        self.added: list[Message] = []
        self.changed: list[Message] = []
        self.states: list[ConnectionState] = []
        session.sync.messages_added.connect(lambda _room, messages: self.added.extend(messages))
        session.sync.message_changed.connect(lambda _room, message: self.changed.append(message))
        session.bridge.state_changed.connect(lambda state, *_: self.states.append(state))

    @property
    def ids(self) -> list[int]:
        """Ids of the added messages, in delivery order (duplicates included)."""
        return [m.id for m in self.added]

    @property
    def texts(self) -> list[str]:
        """Texts of the added messages, in delivery order."""
        return [m.text for m in self.added]


def general(account: Account) -> Room:
    """The ``general`` room, as the relay lists it."""
    return next(room for room in account.client.rooms() if room.name == "general")


class RestartableHub:
    """A relay-enabled hub that can be stopped and started again on the same port and data.

    The first start picks a free port; later starts reuse it, with the same credentials and
    the same data dir, so tokens, rooms and history survive, as with a restarted server.
    """

    def __init__(self, credentials: AppCredentials, data_dir: Path) -> None:
        self.credentials = credentials
        self.data_dir = data_dir
        self.port = 0
        self._thread: HubThread | None = None

    @property
    def url(self) -> str:
        """The hub's HTTP base URL (where the relay is mounted)."""
        assert self.port, "the hub was never started"
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the hub listens now."""
        return self._thread is not None

    def start(self) -> None:
        """Listen (again), on the port of the first start."""
        assert self._thread is None, "already running"
        config = HubConfig(
            credentials=self.credentials,
            port=self.port,
            relay=RelayConfig(data_dir=self.data_dir),
        )
        thread = HubThread(config)
        thread.start()
        self.port = thread.port
        self._thread = thread

    def stop(self) -> None:
        """Stop listening (clients get 4100, then connection refused until :meth:`start`).

        A stop while the client is mid-request can leave a server-side connection that
        aiohttp's shutdown never saw (accepted as the port closed); its transport was then
        collected at a random later moment, as an "unclosed transport" error in whichever
        test was running. The stopped hub's loop is collected here instead, with those
        warnings of its own sockets silenced (the hub is gone: nothing is left to close).
        """
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.stop()
            del thread
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                gc.collect()


@dataclass
class Account:
    """A registered, logged-in user: a :class:`Login` for sessions and an HTTP client."""

    login: Login
    client: RelayClient

    @property
    def token(self) -> str:
        """The session token."""
        return self.login.token


def signup(url: str, username: str) -> Account:
    """Register ``username`` on the relay at ``url`` and log in, as the CLI's login would."""
    client = RelayClient(url)
    client.register(username, PASSWORD)
    token, user = client.login(username, PASSWORD)
    login = Login(client.server_url, token, user, client.server_info())
    return Account(login, client)


def free_port() -> int:
    """A TCP port nothing listens on right now (bound to 0, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -------------------------------------------------------------------------- CLI processes


def cli_command(*args: str) -> list[str]:
    """``desktopchat ARGS`` as a user runs it, from this interpreter."""
    return [sys.executable, "-m", "desktopchat", *args]


def run_cli(
    *args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 3 * WAIT
) -> subprocess.CompletedProcess[str]:
    """Run a short CLI command to completion (stdin closed unless ``stdin`` is given)."""
    return subprocess.run(
        cli_command(*args),
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def error_lines(stderr: str) -> list[str]:
    """stderr's lines but the notice that the keyring is disabled (the tests disable it)."""
    return [line for line in stderr.splitlines() if "keyring disabled" not in line]


class CliProcess:
    """A long-running CLI command; its stdout and stderr lines land in Inboxes as they come."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args = args
        self.proc = subprocess.Popen(
            cli_command(*args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.stdout = Inbox()
        self.stderr = Inbox()
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: object, inbox: Inbox) -> None:
        for line in stream:  # type: ignore[attr-defined]  # a text pipe
            inbox.put(line.rstrip("\n"))

    def wait_stderr(self, line: str, count: int = 1, timeout: float = WAIT) -> list[str]:
        """Wait until stderr has had ``line`` (the whole line) ``count`` times."""

        def enough(lines: list[str]) -> bool:
            return lines.count(line) >= count or self.proc.poll() is not None

        lines = self.stderr.wait_for(enough, f"{count}x {line!r} on stderr of {self.args}", timeout)
        assert lines.count(line) >= count, (
            f"{self.args} exited with {self.proc.poll()} first; stderr: {lines}; "
            f"stdout: {self.stdout.items}"
        )
        return lines

    def wait_stderr_containing(self, fragment: str, timeout: float = WAIT) -> str:
        """Wait for a stderr line starting with ``fragment``; that line."""

        def found(lines: list[str]) -> bool:
            return any(x.startswith(fragment) for x in lines) or self.proc.poll() is not None

        lines = self.stderr.wait_for(found, f"{fragment!r} on stderr of {self.args}", timeout)
        matching = [x for x in lines if x.startswith(fragment)]
        assert matching, f"{self.args} exited with {self.proc.poll()} first; stderr: {lines}"
        return matching[0]

    def wait_stdout(self, count: int, what: str, timeout: float = WAIT) -> list[str]:
        """Wait until stdout has at least ``count`` lines."""

        def enough(lines: list[str]) -> bool:
            return len(lines) >= count or self.proc.poll() is not None

        lines = self.stdout.wait_for(enough, what, timeout)
        assert len(lines) >= count, (
            f"{self.args} exited with {self.proc.poll()} before {what}; stdout: {lines}; "
            f"stderr: {self.stderr.items}"
        )
        return lines

    def stop(self) -> int:
        """SIGTERM, as a service manager or Ctrl-C would; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(WAIT)
        for reader in self._readers:
            reader.join(WAIT)
        return code

    def close(self) -> None:
        """Teardown: stop, and kill if that did not work."""
        try:
            self.stop()
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


# ------------------------------------------------------------------------ embedded hubs


def embedded_hub_pids(data_dir: Path) -> list[int]:
    """Live ``desktopchat serve`` processes using ``data_dir`` (from /proc/*/cmdline)."""
    wanted = str(data_dir)
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        words = [word.decode(errors="replace") for word in argv]
        if "serve" in words and "--data-dir" in words and wanted in words:
            pids.append(int(entry.name))
    return pids


def terminate_and_wait(pid: int, timeout: float = WAIT) -> None:
    """SIGTERM ``pid`` (not our child) and wait for it to end, through a pidfd."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        os.kill(pid, signal.SIGTERM)
        readable, _, _ = select.select([pidfd], [], [], timeout)
        if not readable:
            os.kill(pid, signal.SIGKILL)
            select.select([pidfd], [], [], timeout)
            raise AssertionError(f"the embedded hub {pid} ignored SIGTERM for {timeout} s")
    except ProcessLookupError:
        pass
    finally:
        os.close(pidfd)


def wait_for_one_hub(data_dir: Path, timeout: float = WAIT) -> list[int]:
    """Wait until hubs that lost the race for the port have exited; the pids left."""
    pidfds = {}
    for pid in embedded_hub_pids(data_dir):
        try:
            pidfds[pid] = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
    try:
        alive = set(pidfds)
        while len(alive) > 1:
            ended, _, _ = select.select([pidfds[pid] for pid in alive], [], [], timeout)
            if not ended:
                break
            alive -= {pid for pid, fd in pidfds.items() if fd in ended}
        return sorted(alive)
    finally:
        for fd in pidfds.values():
            os.close(fd)


def stop_embedded_hubs(data_dir: Path) -> None:
    """Teardown: end every hub a command started in ``data_dir``."""
    for pid in embedded_hub_pids(data_dir):
        terminate_and_wait(pid)
